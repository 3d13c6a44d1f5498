// The default bot AI (lua.md §10 "Default AI").
#include "game/bots/default_ai.h"

#include <gtest/gtest.h>

namespace asobi::bots {
namespace {

std::string AiInput(const std::string& bot, const std::string& state_json) {
  simdjson::dom::parser parser;
  simdjson::dom::element el = parser.parse(state_json);
  BotRng rng;
  return DefaultAiInput(bot, el, &rng);
}

simdjson::dom::element Parse(simdjson::dom::parser& p, const std::string& s) { return p.parse(s); }

TEST(DefaultAi, ChasesTheNearestLivingPlayer) {
  std::string in = AiInput("bot_a_000001", R"({"players":{
      "bot_a_000001":{"x":100,"y":100,"hp":10},
      "near_dead":{"x":110,"y":100,"hp":0},
      "near":{"x":50,"y":160,"hp":5},
      "far":{"x":900,"y":100}}})");
  simdjson::dom::parser p;
  auto el = Parse(p, in);
  EXPECT_EQ(GetBool(el, "left"), true);
  EXPECT_EQ(GetBool(el, "right"), false);
  EXPECT_EQ(GetBool(el, "down"), true);
  EXPECT_EQ(GetBool(el, "up"), false);
  EXPECT_EQ(GetBool(el, "shoot"), true);  // ~78 units away
  double ax = GetNumber(el, "aim_x").value_or(-1), ay = GetNumber(el, "aim_y").value_or(-1);
  EXPECT_GE(ax, 40);
  EXPECT_LE(ax, 60);
  EXPECT_GE(ay, 150);
  EXPECT_LE(ay, 170);
}

TEST(DefaultAi, FarTargetIsNotShotAt) {
  simdjson::dom::parser p;
  auto el = Parse(p, AiInput("b", R"({"players":{"b":{"x":0,"y":0},"o":{"x":500,"y":0}}})"));
  EXPECT_EQ(GetBool(el, "right"), true);
  EXPECT_EQ(GetBool(el, "shoot"), false);
}

TEST(DefaultAi, ArrayRostersWork) {
  simdjson::dom::parser p;
  auto el =
      Parse(p, AiInput("b", R"({"players":[{"id":"o","x":0,"y":-50},{"id":"b","x":0,"y":0}]})"));
  EXPECT_EQ(GetBool(el, "up"), true);
}

TEST(DefaultAi, NobodyAliveGivesRandomDirections) {
  simdjson::dom::parser p;
  auto el = Parse(p, AiInput("b", R"({"players":{"b":{"x":0,"y":0},"o":{"x":5,"y":5,"hp":0}}})"));
  EXPECT_TRUE(GetBool(el, "right").has_value());
  EXPECT_FALSE(GetField(el, "shoot").has_value());
}

TEST(DefaultAi, NoEntryOrMalformedStateGivesEmptyInput) {
  EXPECT_EQ(AiInput("b", R"({"players":{"o":{"x":1,"y":1}}})"), "{}");
  EXPECT_EQ(AiInput("b", R"({"tick":3})"), "{}");
  EXPECT_EQ(AiInput("b", R"({"players":5})"), "{}");
  EXPECT_EQ(AiInput("b", R"({"players":{"b":{"x":"1","y":1}}})"), "{}");
  EXPECT_EQ(AiInput("b", R"([1,2])"), "{}");
}

}  // namespace
}  // namespace asobi::bots
