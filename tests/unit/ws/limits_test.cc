#include <gtest/gtest.h>

#include <string>

#include "ws/rate_limit.h"

namespace asobi {
namespace {

TEST(FixedWindowLimiter, WindowOpensAtSocketOpen) {
  FixedWindowLimiter l(/*open_ms=*/1000);
  for (int i = 0; i < 60; ++i) EXPECT_TRUE(l.Allow(1500)) << i;
  EXPECT_FALSE(l.Allow(1500));
  EXPECT_FALSE(l.Allow(1999));  // 999 ms after open: same window
  EXPECT_TRUE(l.Allow(2000));   // exactly 1000 ms: new window starting at 2000, count 1
  for (int i = 0; i < 59; ++i) EXPECT_TRUE(l.Allow(2999)) << i;
  EXPECT_FALSE(l.Allow(2999));
  EXPECT_TRUE(l.Allow(3000));
}

TEST(FixedWindowLimiter, NewWindowStartsAtTheFrameNotOnAGrid) {
  FixedWindowLimiter l(0);
  EXPECT_TRUE(l.Allow(10));
  EXPECT_TRUE(l.Allow(5500));  // idle: the window now starts at 5500
  for (int i = 0; i < 59; ++i) EXPECT_TRUE(l.Allow(6499)) << i;
  EXPECT_FALSE(l.Allow(6499));  // 6000 would have been a grid boundary; it is not one
  EXPECT_TRUE(l.Allow(6500));
}

TEST(FixedWindowLimiter, DeniedFramesDoNotCount) {
  FixedWindowLimiter l(0, /*limit=*/2, /*window_ms=*/100);
  EXPECT_TRUE(l.Allow(0));
  EXPECT_TRUE(l.Allow(1));
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(l.Allow(50));
  EXPECT_TRUE(l.Allow(100));
  EXPECT_TRUE(l.Allow(150));
  EXPECT_FALSE(l.Allow(199));
}

TEST(OriginAllowed, Rules) {
  const std::vector<std::string> none;
  const std::vector<std::string> list = {"https://game.example", "http://localhost:3000"};
  EXPECT_TRUE(OriginAllowed("", none));                      // native client, no list
  EXPECT_TRUE(OriginAllowed("", list));                      // native client
  EXPECT_TRUE(OriginAllowed("https://evil.example", none));  // no list: everything
  EXPECT_TRUE(OriginAllowed("https://game.example", list));
  EXPECT_TRUE(OriginAllowed("http://localhost:3000", list));
  EXPECT_FALSE(OriginAllowed("https://evil.example", list));
  EXPECT_FALSE(OriginAllowed("https://GAME.example", list));  // exact match only
  EXPECT_FALSE(OriginAllowed("https://game.example/", list));
  EXPECT_FALSE(OriginAllowed("https://game.example.evil", list));
  EXPECT_FALSE(OriginAllowed("null", list));
}

}  // namespace
}  // namespace asobi
