#include "http/query.h"

#include <gtest/gtest.h>

namespace asobi::http {
namespace {

TEST(Query, GetParamFindsFirstAndDecodes) {
  EXPECT_EQ(GetParam("a=1&b=2&a=3", "a"), "1");
  EXPECT_EQ(GetParam("a=1&b=2", "b"), "2");
  EXPECT_EQ(GetParam("a=1&b=2", "c"), std::nullopt);
  EXPECT_EQ(GetParam("", "a"), std::nullopt);
  EXPECT_EQ(GetParam("flag&x=1", "flag"), "");
  EXPECT_EQ(GetParam("x=&y=1", "x"), "");
  EXPECT_EQ(GetParam("q=hello+world%21", "q"), "hello world!");
  EXPECT_EQ(GetParam("q=%e2%82%AC", "q"), "\xe2\x82\xac");
  EXPECT_EQ(GetParam("my%20key=v", "my key"), "v");
  EXPECT_EQ(GetParam("q=100%&r=%zz%4", "q"), "100%");
  EXPECT_EQ(GetParam("q=100%&r=%zz%4", "r"), "%zz%4");
  EXPECT_EQ(GetParam("&&a=1&&", "a"), "1");
  EXPECT_EQ(GetParam("a=b=c", "a"), "b=c");
}

TEST(Query, IntParamFallsBackThenClamps) {
  EXPECT_EQ(IntParam("limit=20", "limit", 50, 1, 200), 20);
  EXPECT_EQ(IntParam("", "limit", 50, 1, 200), 50);
  EXPECT_EQ(IntParam("limit=abc", "limit", 50, 1, 200), 50);
  EXPECT_EQ(IntParam("limit=12abc", "limit", 50, 1, 200), 50);
  EXPECT_EQ(IntParam("limit=", "limit", 50, 1, 200), 50);
  EXPECT_EQ(IntParam("limit=1.5", "limit", 50, 1, 200), 50);
  EXPECT_EQ(IntParam("limit=999", "limit", 50, 1, 200), 200);
  EXPECT_EQ(IntParam("limit=0", "limit", 50, 1, 200), 1);
  EXPECT_EQ(IntParam("limit=-7", "limit", 50, 1, 200), 1);
  EXPECT_EQ(IntParam("limit=%2B7", "limit", 50, 1, 200), 7);  // "+7"
  EXPECT_EQ(IntParam("limit=%2B-7", "limit", 50, 1, 200), 50);
  EXPECT_EQ(IntParam("limit=99999999999999999999", "limit", 50, 1, 200), 50);  // overflow
  EXPECT_EQ(IntParam("range=3", "range", 500, 1, 50), 3);
  EXPECT_EQ(IntParam("x=1", "range", 500, 1, 50), 50);  // default is clamped too
}

TEST(Query, BoolParamMatchesLiteralStringsOnly) {
  EXPECT_EQ(BoolParam("read=true", "read"), true);
  EXPECT_EQ(BoolParam("read=false", "read"), false);
  EXPECT_EQ(BoolParam("read=TRUE", "read"), std::nullopt);
  EXPECT_EQ(BoolParam("read=1", "read"), std::nullopt);
  EXPECT_EQ(BoolParam("read", "read"), std::nullopt);
  EXPECT_EQ(BoolParam("", "read"), std::nullopt);
}

TEST(Query, PercentDecode) {
  EXPECT_EQ(PercentDecode("a+b%20c", false), "a+b c");
  EXPECT_EQ(PercentDecode("a+b%20c", true), "a b c");
  EXPECT_EQ(PercentDecode("%", true), "%");
  EXPECT_EQ(PercentDecode("%4", true), "%4");
  EXPECT_EQ(PercentDecode("%41%", true), "A%");
}

}  // namespace
}  // namespace asobi::http
