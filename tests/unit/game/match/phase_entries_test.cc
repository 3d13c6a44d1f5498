// ReadPhaseArray (lua.md §5): the `phases` return shared by matches and worlds — malformed
// returns (non-array, non-table, empty) give no phases and a warning; entries without a name
// are dropped; duration and start are read with their fallbacks.
#include "game/match/phase_entries.h"

#include <gtest/gtest.h>

#include <lua.hpp>
#include <string>
#include <vector>

namespace asobi::match {
namespace {

struct Read {
  bool ok = false;
  std::vector<PhaseDef> defs;
  std::string warning;
};

// Evaluates `expr` in a fresh state and reads it (protected, as the callers do).
Read ReadExpr(const std::string& expr) {
  lua_State* L = luaL_newstate();
  Read r;
  if (luaL_dostring(L, ("return " + expr).c_str()) != 0) {
    ADD_FAILURE() << lua_tostring(L, -1);
    lua_close(L);
    return r;
  }
  struct Ctx {
    Read* r;
  } ctx{&r};
  lua_pushlightuserdata(L, &ctx);
  lua_pushcclosure(
      L,
      [](lua_State* s) -> int {
        auto* c = static_cast<Ctx*>(lua_touserdata(s, lua_upvalueindex(1)));
        c->r->ok = ReadPhaseArray(s, 1, &c->r->defs, &c->r->warning);
        return 0;
      },
      1);
  lua_insert(L, -2);
  EXPECT_EQ(lua_pcall(L, 1, 0, 0), 0);
  lua_close(L);
  return r;
}

TEST(PhaseEntries, MalformedReturnsGiveNoPhases) {
  Read r = ReadExpr(R"({ name = "oops" })");
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.warning, "phases returned a non-array table");
  r = ReadExpr(R"("lobby")");
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.warning, "phases returned string");
  r = ReadExpr("{}");
  EXPECT_FALSE(r.ok);
  r = ReadExpr(R"({ { name = "a" }, [5] = { name = "b" } })");
  EXPECT_FALSE(r.ok);  // a hole: not an array
}

TEST(PhaseEntries, EntriesAndFallbacks) {
  Read r = ReadExpr(R"({
    { name = "lobby", start = { players = 2 } },
    { duration = 10 },
    42,
    { name = "main", duration = "soon", start = "weird", config = { round = 1 } },
    { name = "wait", duration = 500, start = 250 },
    { name = "ready", start = "all_ready" },
  })");
  ASSERT_TRUE(r.ok) << r.warning;
  ASSERT_EQ(r.defs.size(), 4u);
  EXPECT_EQ(r.defs[0].name, "lobby");
  EXPECT_FALSE(r.defs[0].has_duration);
  EXPECT_EQ(r.defs[0].start, PhaseStart::kPlayers);
  EXPECT_EQ(r.defs[0].start_value, 2);
  EXPECT_EQ(r.defs[1].name, "main");
  EXPECT_TRUE(r.defs[1].has_duration);
  EXPECT_EQ(r.defs[1].duration_ms, 0);  // a non-number duration ends on the first tick
  EXPECT_EQ(r.defs[1].start, PhaseStart::kPrevEnded);
  EXPECT_EQ(r.defs[1].config_json, R"({"round":1})");
  EXPECT_EQ(r.defs[2].start, PhaseStart::kTimer);
  EXPECT_EQ(r.defs[2].start_value, 250);
  EXPECT_EQ(r.defs[2].duration_ms, 500);
  EXPECT_EQ(r.defs[3].start, PhaseStart::kAllReady);
}

}  // namespace
}  // namespace asobi::match
