// The pieces a zone exchanges with its neighbours and its spawner (lua.md §8-§9): the effect
// caps (4 KiB, 64 per tick, 512 queued), border-band collection and mirroring, spawn template
// parsing, spawns and timed respawns. Plain Lua states, no server.
#include <gtest/gtest.h>

#include <cmath>
#include <lua.hpp>
#include <memory>
#include <string>
#include <vector>

#include "game/world/runtime/border_band.h"
#include "game/world/runtime/spawn_templates.h"
#include "game/world/runtime/world_settings.h"
#include "game/world/runtime/zone_effects.h"
#include "script/lua_json.h"

namespace asobi::world {
namespace {

struct Lua {
  Lua() : L(luaL_newstate()) { luaL_openlibs(L); }
  ~Lua() { lua_close(L); }
  // Runs `code` (which returns one value) and leaves its result on the stack.
  int Eval(const std::string& code) {
    EXPECT_EQ(luaL_loadstring(L, code.c_str()), 0) << lua_tostring(L, -1);
    EXPECT_EQ(lua_pcall(L, 0, 1, 0), 0) << lua_tostring(L, -1);
    return lua_gettop(L);
  }
  // The number or string at t[a][b] (b may be null) of the table at `index`, as text.
  std::string At(int index, const char* a, const char* b = nullptr) {
    lua_getfield(L, index, a);
    if (b != nullptr) {
      if (!lua_istable(L, -1)) {
        lua_pop(L, 1);
        return "<none>";
      }
      lua_getfield(L, -1, b);
      lua_remove(L, -2);
    }
    std::string out = lua_isnil(L, -1) ? "<nil>" : Json(lua_gettop(L));
    lua_pop(L, 1);
    return out;
  }
  std::string Json(int index) {
    std::string out;
    EXPECT_TRUE(script::EncodeLuaToJson(L, index, &out).ok());
    return out;
  }
  lua_State* L;
};

TEST(ZoneEffectsTest, SizeAndPerTickCaps) {
  ZoneEffects e;
  EXPECT_FALSE(e.Send({1, 0}, "a", std::string(kMaxEffectBytes + 1, 'x')));
  EXPECT_TRUE(e.Send({1, 0}, "a", std::string(kMaxEffectBytes, 'x')));
  for (int i = 1; i < kMaxEffectsPerTick; ++i) EXPECT_TRUE(e.Send({0, 1}, "b", "{}"));
  EXPECT_FALSE(e.Send({0, 1}, "b", "{}"));  // the 65th this tick
  auto out = e.TakeOutgoing();
  const ZoneKey east{1, 0}, south{0, 1};
  EXPECT_EQ(out[east].size(), 1u);
  EXPECT_EQ(out[south].size(), size_t(kMaxEffectsPerTick - 1));
  EXPECT_FALSE(e.Send({0, 1}, "b", "{}"));  // still the same tick
  e.NewTick();
  EXPECT_TRUE(e.Send({0, 1}, "b", "{}"));
}

TEST(ZoneEffectsTest, IncomingQueueIsBoundedAndPushedAsPairs) {
  ZoneEffects e;
  std::vector<ZoneEffects::Effect> batch(kZoneEffectQueueMax + 5, {"npc", R"({"d":2})"});
  e.Receive(std::move(batch));
  EXPECT_EQ(e.dropped(), 5u);
  Lua lua;
  e.PushIncoming(lua.L);
  EXPECT_FALSE(e.has_incoming());
  EXPECT_EQ(lua_objlen(lua.L, -1), kZoneEffectQueueMax);
  lua_rawgeti(lua.L, -1, 1);
  const int first = lua_gettop(lua.L);
  EXPECT_EQ(lua.At(first, "entity_id"), R"("npc")");
  EXPECT_EQ(lua.At(first, "event", "d"), "2");
  lua_rawgeti(lua.L, first, 1);
  EXPECT_STREQ(lua_tostring(lua.L, -1), "npc");
  lua_rawgeti(lua.L, first, 2);
  EXPECT_EQ(lua.At(lua_gettop(lua.L), "d"), "2");
}

TEST(BorderBandTest, CollectsTheBandAndPublishesOnlyChanges) {
  WorldSettings s;
  s.grid_size = 3;
  s.zone_size = 100;
  s.border_band = 10;
  Lua lua;
  const int t = lua.Eval(
      "return { edge = {x = 195, y = 150}, middle = {x = 150, y = 150}, "
      "over = {x = 205, y = 150}, nan = {x = 0/0, y = 105}, nox = {y = 101} }");
  BorderBand band;
  auto first = band.Collect(lua.L, t, s, {1, 1});
  ASSERT_TRUE(first);
  EXPECT_EQ(first->ids, (std::vector<std::string>{"edge", "over"}));
  EXPECT_FALSE(band.Collect(lua.L, t, s, {1, 1}));  // unchanged: nothing to publish
  lua_pop(lua.L, 1);
  const int empty = lua.Eval("return { middle = {x = 150, y = 150} }");
  auto cleared = band.Collect(lua.L, empty, s, {1, 1});
  ASSERT_TRUE(cleared);  // the empty band clears the neighbours' copies
  EXPECT_TRUE(cleared->ids.empty());

  BorderBand other;
  other.Receive({1, 1}, first);
  EXPECT_EQ(other.Owner("edge"), (ZoneKey{1, 1}));
  EXPECT_FALSE(other.Owner("middle"));
  other.Push(lua.L);
  const int copies = lua_gettop(lua.L);
  EXPECT_EQ(lua.At(copies, "edge", "x"), "195");
  EXPECT_EQ(lua.At(copies, "over", "x"), "205");
  EXPECT_EQ(lua.At(copies, "middle"), "<nil>");
  other.Receive({1, 1}, cleared);
  EXPECT_FALSE(other.Owner("edge"));
  EXPECT_EQ(TouchingZones(s, {0, 0}).size(), 3u);
  EXPECT_EQ(TouchingZones(s, {1, 1}).size(), 8u);
}

TEST(SpawnTemplatesTest, ReadsValidTemplatesAndSkipsBadOnes) {
  Lua lua;
  const int t = lua.Eval(R"(return {
    tree = { type = "tree", base_state = { hp = 3 },
             respawn = { strategy = "timer", delay = 100, jitter = 20, max_respawns = 2 },
             persistent = true },
    plain = {},
    bad_type = { type = 5 },
    bad_strategy = { respawn = { strategy = "random" } },
    bad_delay = { respawn = { strategy = "timer", delay = -1 } },
    bad_max = { respawn = { strategy = "timer", max_respawns = 1.5 } },
    not_a_table = 7,
  })");
  std::vector<std::string> skipped;
  SpawnTemplates set = ReadSpawnTemplates(lua.L, t, &skipped);
  ASSERT_EQ(set.size(), 2u);
  const SpawnTemplate& tree = set.at("tree");
  EXPECT_EQ(tree.type, "tree");
  EXPECT_EQ(tree.base_state_json, R"({"hp":3})");
  EXPECT_TRUE(tree.respawn);
  EXPECT_EQ(tree.delay_ms, 100);
  EXPECT_EQ(tree.jitter_ms, 20);
  EXPECT_EQ(tree.max_respawns, 2);
  EXPECT_TRUE(tree.persistent);
  EXPECT_FALSE(set.at("plain").respawn);
  EXPECT_EQ(skipped.size(), 5u);
}

TEST(ZoneSpawnerTest, SpawnsRespawnsAndStops) {
  SpawnTemplates set;
  SpawnTemplate berry;
  berry.type = "berry";
  berry.base_state_json = R"({"food":3,"kind":"red"})";
  berry.respawn = true;
  berry.delay_ms = 100;  // 2 ticks of 50 ms
  berry.max_respawns = 1;
  set.emplace("berry", berry);
  ZoneSpawner sp(0, 0, 1);
  EXPECT_FALSE(sp.Queue(set, "nope", 1, 1, "{}"));
  ASSERT_TRUE(sp.Queue(set, "berry", 10, 20, R"({"food":9})"));
  Lua lua;
  const int t = lua.Eval("return { berry_0_0_1 = { x = 0, y = 0 } }");  // id in use
  sp.AddDue(lua.L, t, set, 1);
  EXPECT_FALSE(sp.has_pending());
  EXPECT_EQ(lua.At(t, "berry_0_0_2", "food"), "9");  // the override
  EXPECT_EQ(lua.At(t, "berry_0_0_2", "kind"), R"("red")");
  EXPECT_EQ(lua.At(t, "berry_0_0_2", "type"), R"("berry")");
  EXPECT_EQ(lua.At(t, "berry_0_0_2", "x"), "10");
  EXPECT_EQ(lua.At(t, "berry_0_0_2", "y"), "20");
  // Gone at tick 1: respawns at tick 3.
  lua_pushnil(lua.L);
  lua_setfield(lua.L, t, "berry_0_0_2");
  sp.Reap(lua.L, t, set, 1, 50, {});
  EXPECT_TRUE(sp.has_pending());
  sp.AddDue(lua.L, t, set, 2);
  lua_getfield(lua.L, t, "berry_0_0_2");
  EXPECT_TRUE(lua_isnil(lua.L, -1));
  lua_pop(lua.L, 1);
  sp.AddDue(lua.L, t, set, 3);
  lua_getfield(lua.L, t, "berry_0_0_2");
  EXPECT_TRUE(lua_istable(lua.L, -1));
  lua_pop(lua.L, 1);
  // Gone again: max_respawns = 1 reached, no more.
  lua_pushnil(lua.L);
  lua_setfield(lua.L, t, "berry_0_0_2");
  sp.Reap(lua.L, t, set, 3, 50, {});
  EXPECT_FALSE(sp.has_pending());
}

TEST(ZoneSpawnerTest, CrossedEntitiesAreNotRespawnedAndTheQueueIsBounded) {
  SpawnTemplates set;
  SpawnTemplate crab;
  crab.respawn = true;
  set.emplace("crab", crab);
  ZoneSpawner sp(1, 2, 1);
  ASSERT_TRUE(sp.Queue(set, "crab", 1, 1, "{}"));
  Lua lua;
  const int t = lua.Eval("return {}");
  sp.AddDue(lua.L, t, set, 1);
  lua_pushnil(lua.L);
  lua_setfield(lua.L, t, "crab_1_2_1");
  sp.Reap(lua.L, t, set, 1, 50, {"crab_1_2_1"});
  EXPECT_FALSE(sp.has_pending());
  for (size_t i = 0; i < kMaxPendingSpawns; ++i) EXPECT_TRUE(sp.Queue(set, "crab", 1, 1, "{}"));
  EXPECT_FALSE(sp.Queue(set, "crab", 1, 1, "{}"));
}

TEST(WorldSettingsTest, CrossingHysteresis) {
  WorldSettings s;
  s.grid_size = 3;
  s.zone_size = 100;
  EXPECT_FALSE(WithinHysteresis(s, {0, 0}, 105, 50));  // 0: no hysteresis
  s.crossing_hysteresis = 15;
  EXPECT_TRUE(WithinHysteresis(s, {0, 0}, 115, 50));
  EXPECT_FALSE(WithinHysteresis(s, {0, 0}, 115.5, 50));
  EXPECT_TRUE(WithinHysteresis(s, {1, 0}, 85, 50));
  EXPECT_FALSE(WithinHysteresis(s, {0, 0}, -1, 50));  // outside the world
  EXPECT_FALSE(WithinHysteresis(s, {0, 0}, std::nan(""), 50));
}

}  // namespace
}  // namespace asobi::world
