// Tournament rewards (game/tournament/rewards.h): parsing of the `rewards` column and what a
// rank earns.
#include "game/tournament/rewards.h"

#include <gtest/gtest.h>

#include <string>

namespace asobi::tournament {
namespace {

TEST(RewardsTest, EmptyForms) {
  ASSERT_TRUE(ParseRewards("{}").ok());
  EXPECT_TRUE(ParseRewards("{}")->empty());
  EXPECT_TRUE(ParseRewards("[]")->empty());
  EXPECT_EQ(DeepestRank({}), 0);
}

TEST(RewardsTest, RangesSumPerCurrency) {
  auto r = ParseRewards(R"([{"from":1,"to":1,"currency":"gold","amount":100},)"
                        R"({"from":1,"to":3,"currency":"gold","amount":5},)"
                        R"({"from":2,"to":10,"currency":"gems","amount":1}])");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(DeepestRank(*r), 10);
  auto first = RewardsFor(*r, 1);
  EXPECT_EQ(first.size(), 1u);
  EXPECT_EQ(first["gold"], 105);
  auto third = RewardsFor(*r, 3);
  EXPECT_EQ(third["gold"], 5);
  EXPECT_EQ(third["gems"], 1);
  EXPECT_TRUE(RewardsFor(*r, 11).empty());
}

TEST(RewardsTest, MalformedIsRefused) {
  for (const char* bad :
       {"", "[", "1", "\"x\"", R"({"a":1})", "[1]", R"([{"from":1,"to":1,"currency":"g"}])",
        R"([{"from":0,"to":1,"currency":"g","amount":1}])",
        R"([{"from":2,"to":1,"currency":"g","amount":1}])",
        R"([{"from":1,"to":1,"currency":"","amount":1}])",
        R"([{"from":1,"to":1,"currency":"g","amount":0}])",
        R"([{"from":1,"to":1,"currency":"g","amount":1.5}])",
        R"([{"from":1,"to":1,"currency":"g","amount":2147483648}])",
        R"([{"from":1,"to":1000001,"currency":"g","amount":1}])"}) {
    EXPECT_FALSE(ParseRewards(bad).ok()) << bad;
  }
}

TEST(EntryFeeTest, FreeAndCharged) {
  for (const char* free : {"{}", "[]", "null"}) {
    auto r = ParseEntryFee(free);
    ASSERT_TRUE(r.ok()) << free;
    EXPECT_TRUE(r->empty()) << free;
  }
  auto r = ParseEntryFee(R"({"gold": 30, "gems": 2147483647})");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].currency, "gold");
  EXPECT_EQ((*r)[0].amount, 30);
  EXPECT_EQ((*r)[1].amount, 2147483647);
}

TEST(EntryFeeTest, MalformedIsRefused) {
  std::string nine = "{";
  for (int i = 0; i < 9; ++i) nine += (i ? ",\"c" : "\"c") + std::to_string(i) + "\":1";
  nine += "}";
  for (std::string bad :
       {std::string(""), std::string("{"), std::string("1"), std::string("[1]"),
        std::string(R"({"gold":0})"), std::string(R"({"gold":-1})"), std::string(R"({"gold":1.5})"),
        std::string(R"({"gold":"1"})"), std::string(R"({"gold":2147483648})"),
        std::string(R"({"":1})"), "{\"" + std::string(256, 'c') + "\":1}", nine}) {
    EXPECT_FALSE(ParseEntryFee(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace asobi::tournament
