// BotBrain: one bot's Lua state running think(bot_id, state) (lua.md §10, §13).
#include "game/bots/bot_brain.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>

namespace asobi::bots {
namespace {

BotModeConfig Config(const std::string& source) {
  BotModeConfig c;
  c.mode = std::string(1, 'm');
  c.script_rel = std::string("bots/bot.lua");
  c.dir_abs = std::string("/nonexistent");
  c.source = std::make_shared<const std::string>(source);
  return c;
}

simdjson::dom::element View(simdjson::dom::parser& p, const char* json) {
  return p.parse(json, std::strlen(json));
}

TEST(BotBrain, ThinkGetsTheViewAndReturnsItsInput) {
  auto brain = BotBrain::Create(Config(R"(
    local calls = 0
    function think(bot_id, state)
      calls = calls + 1
      local me = state.players[bot_id]
      return { move_x = (me.x < state.target) and 1 or -1, calls = calls, who = bot_id }
    end)"));
  ASSERT_TRUE(brain.ok()) << brain.error().message;
  simdjson::dom::parser p;
  auto r = (*brain)->Think("bot_a_000000",
                           View(p, R"({"target":50,"players":{"bot_a_000000":{"x":10}}})"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_NE(r.value().find(R"("move_x":1)"), std::string::npos);
  EXPECT_NE(r.value().find(R"("who":"bot_a_000000")"), std::string::npos);
  r = (*brain)->Think("bot_a_000000",
                      View(p, R"({"target":0,"players":{"bot_a_000000":{"x":10}}})"));
  EXPECT_NE(r.value().find(R"("calls":2)"), std::string::npos);  // module locals persist
}

TEST(BotBrain, NonTableResultIsEmptyInput) {
  auto brain = BotBrain::Create(Config("function think() return 42 end"));
  simdjson::dom::parser p;
  EXPECT_EQ((*brain)->Think("b", View(p, "{}")).value(), "{}");
  auto empty = BotBrain::Create(Config("function think() return {} end"));
  EXPECT_EQ((*empty)->Think("b", View(p, "{}")).value(), "{}");
}

TEST(BotBrain, FailuresAreReportedAndTheStateSurvives) {
  auto brain = BotBrain::Create(Config(R"(
    function think(id, state)
      if state.mode == "loop" then while true do end end
      if state.mode == "boom" then error("kaboom") end
      return { ok = true }
    end)"));
  ASSERT_TRUE(brain.ok());
  simdjson::dom::parser p;
  EXPECT_EQ((*brain)->Think("b", View(p, R"({"mode":"boom"})")).error().reason, "runtime_error");
#ifdef ASOBI_LUAJIT_CHECKHOOK  // bot states run the JIT: only this build stops a compiled loop
  EXPECT_EQ((*brain)->Think("b", View(p, R"({"mode":"loop"})")).error().reason, "timeout");
#endif
  EXPECT_TRUE((*brain)->Think("b", View(p, R"({"mode":"fine"})")).ok());
}

TEST(BotBrain, MissingThinkAndBadScripts) {
  auto none = BotBrain::Create(Config("names = {'a'}"));
  ASSERT_TRUE(none.ok());
  simdjson::dom::parser p;
  EXPECT_EQ((*none)->Think("b", View(p, "{}")).error().reason, "missing_think");
  EXPECT_EQ(BotBrain::Create(Config("this is not lua")).error().reason, "script_failed");
  EXPECT_EQ(BotBrain::Create(Config("error('top')")).error().reason, "script_failed");
  BotModeConfig no_source;
  EXPECT_EQ(BotBrain::Create(no_source).error().reason, "no_script");
}

TEST(BotBrain, NoGameTableAndSandboxed) {
  auto brain = BotBrain::Create(Config(R"(
    function think() return { game = type(game), io = type(io), os_exit = type(os.exit) } end)"));
  simdjson::dom::parser p;
  std::string in = (*brain)->Think("b", View(p, "{}")).value();
  EXPECT_NE(in.find(R"("game":"nil")"), std::string::npos);
  EXPECT_NE(in.find(R"("io":"nil")"), std::string::npos);
  EXPECT_NE(in.find(R"("os_exit":"nil")"), std::string::npos);
}

TEST(BotBrain, MemoryIsCapped) {
  auto brain = BotBrain::Create(Config(R"(
    local hoard = {}
    function think()
      for i = 1, 1e9 do hoard[i] = string.rep("x", 1024) .. i end
    end)"));
  simdjson::dom::parser p;
  auto r = (*brain)->Think("b", View(p, "{}"));
  ASSERT_FALSE(r.ok());
  EXPECT_LT((*brain)->live_bytes(), size_t{80} << 20);
}

}  // namespace
}  // namespace asobi::bots
