// Hot reload of world scripts against the real server and PostgreSQL (lua.md §16, §8
// `spawn_templates` "re-read after reload"; docs/decisions.md "World hot reload"): a world
// mode's script rewritten on disk reaches the running world state and its zones at their next
// tick (same world, the player's entity kept), the new spawn templates reach the zones, and a
// rewrite with a syntax error keeps the old code running.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <utility>

#include "itest_checks.h"
#include "itest_clock.h"
#include "itest_suite.h"
#include "json_doc.h"
#include "pg_test_db.h"
#include "server_harness.h"
#include "server_suite.h"
#include "world_player.h"
#include "ws_client.h"

namespace asobi::itest {
namespace {

// A 2x2 world whose world state broadcasts `world.ver` with its VERSION every 5 ticks and whose
// zones stamp every non-crate entity with `ver` (and a counter, so each tick sends a delta).
// Templates: `crate` carries the VERSION it was read with; v1 has `box` (respawns at once),
// v2 drops it and adds `gem`. Input {take = id} removes an entity and, 10 ticks later, the
// zone broadcasts `world.box_check` saying whether it came back.
std::string WorldScript(const std::string& version) {
  std::string s = "VERSION = \"" + version + "\"\n";
  s += R"(
game_type = "world"
match_size = 1
max_players = 4
grid_size = 2
zone_size = 100
tick_rate = 20
broadcast_interval = 1
view_radius = 1
function spawn_templates(config)
  local t = { crate = { type = "crate", base_state = { ver = VERSION } } }
  if VERSION == "v2" then
    t.gem = { type = "gem", base_state = { shiny = true } }
  else
    t.box = { type = "box", base_state = {}, respawn = { strategy = "timer", delay = 0 } }
  end
  return t
end
function init(config) return {} end
function join(id, state) return state end
function leave(id, state) return state end
function spawn_position(id, state) return { x = 50, y = 50 } end
function post_tick(tick, state)
  if tick % 5 == 0 then game.broadcast("ver", { v = VERSION }) end
  return state
end
function zone_tick(entities, zone_state)
  TICK = zone_state.tick
  for id, e in pairs(entities) do
    if e.type == "player" or e.type == nil then e.ver = VERSION; e.n = (e.n or 0) + 1 end
  end
  local c = CHECK
  if c and c.at == zone_state.tick then
    game.broadcast("box_check", { present = entities[c.id] ~= nil })
  end
  return entities, zone_state
end
function handle_input(id, input, entities)
  if input.spawn then
    game.send(id, { spawned = game.zone.spawn(input.spawn, 20, 20), template = input.spawn })
  end
  if input.take then
    local had = entities[input.take] ~= nil
    entities[input.take] = nil
    CHECK = { at = TICK + 10, id = input.take }
    game.send(id, { took = had })
  end
  return entities
end
)";
  return s;
}

// A world mode reading its version from the module `wver` (required at top level).
const char* kModuleWorld = R"(
game_type = "world"
match_size = 1
grid_size = 2
zone_size = 100
tick_rate = 20
broadcast_interval = 1
local ver = require("wver")
function init(config) return {} end
function join(id, state) return state end
function leave(id, state) return state end
function spawn_position(id, state) return { x = 150, y = 150 } end
function post_tick(tick, state)
  if tick % 5 == 0 then game.broadcast("ver", { v = ver.v }) end
  return state
end
function zone_tick(entities, zone_state)
  for id, e in pairs(entities) do e.ver = ver.v; e.n = (e.n or 0) + 1 end
  return entities, zone_state
end
)";

void WriteFile(const std::string& path, const std::string& content) {
  // Write then rename, the way editors save (one inotify event, never a half file).
  std::string tmp = path + ".tmp";
  std::ofstream(tmp, std::ios::trunc) << content;
  std::rename(tmp.c_str(), path.c_str());
}

bool IsVer(const JsonDoc& d, const std::string& v) {
  return d.Str({"type"}).value_or("") == "world.ver" && d.Str({"payload", "v"}).value_or("") == v;
}

// The index of the update for entity `id` with op `op` in a world.tick, or -1.
int FindUpdate(const JsonDoc& d, const std::string& op, const std::string& id) {
  if (d.Str({"type"}).value_or("") != "world.tick") return -1;
  for (int i = 0; i < 10000; ++i) {
    const std::string k = std::to_string(i);
    auto o = d.Str({"payload", "updates", k, "op"});
    if (!o) return -1;
    if (*o == op && d.Str({"payload", "updates", k, "id"}).value_or("") == id) return i;
  }
  return -1;
}

// A world.tick adding or updating entity `id` with `ver` == `v` (a delta carries `ver` only
// when it changed). `*n` (optional) gets that update's `n`.
bool IsEntityVer(const JsonDoc& d, const std::string& id, const std::string& v,
                 int64_t* n = nullptr) {
  for (const char* op : {"a", "u"}) {
    const int i = FindUpdate(d, op, id);
    const std::string k = std::to_string(i);
    if (i >= 0 && d.Str({"payload", "updates", k, "ver"}).value_or("") == v) {
      if (n) *n = d.Int({"payload", "updates", k, "n"}).value_or(0);
      return true;
    }
  }
  return false;
}

// Polls (bounded, no sleeps) until `pred` holds or 10 s passed: the mode watcher sees the
// rename, re-reads the directory and posts to every shard; the instances reload at their next
// tick. Each WaitFor round is itself bounded (5 s), so this is at most two rounds.
template <class Pred>
JsonDoc WaitLong(WorldPlayer& p, Pred pred, const std::string& what) {
  const int64_t deadline = NowMs() + 10000;
  JsonDoc got;
  bool found = false;
  while (!found && NowMs() < deadline) {
    JsonDoc d;
    if (!p.ws().RecvJson(&d, int(deadline - NowMs()))) break;
    if (pred(d)) {
      got = std::move(d);
      found = true;
    }
  }
  EXPECT_TRUE(found) << "timed out waiting for " << what;
  return got;
}

// The id of the first entity of `type` a world.tick adds ("" when none).
std::string AddedOfType(const JsonDoc& d, const std::string& type) {
  if (d.Str({"type"}).value_or("") != "world.tick") return "";
  for (int k = 0; k < 1000; ++k) {
    const std::string n = std::to_string(k);
    auto op = d.Str({"payload", "updates", n, "op"});
    if (!op) return "";
    if (*op == "a" && d.Str({"payload", "updates", n, "type"}).value_or("") == type) {
      return d.Str({"payload", "updates", n, "id"}).value_or("");
    }
  }
  return "";
}

class WorldReloadTest : public ServerSuite<WorldReloadTest> {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    ASSERT_TRUE(db_->ok()) << db_->error();
    dir_ = new std::string(
        MakeGameDir("/tmp/asobi_world_reload_itest_XXXXXX",
                    {{"hot.lua", WorldScript("v1")},
                     {"broken.lua", WorldScript("v1")},
                     {"modw.lua", kModuleWorld},
                     {"wver.lua", R"(return { v = "m1" })"},
                     {"config.lua",
                      R"(return { hot = "hot.lua", broken = "broken.lua", modw = "modw.lua" })"}}));
    server_ = new ServerProcess();
    ServerOptions o;
    o.flags = db_->ServerFlags();
    o.flags.insert(o.flags.end(), {"--game-dir", *dir_, "--rate-limits",
                                   "register=1000/1000,auth=1000/1000,api=100000/1000",
                                   "--ws-rate-limit", "1000"});
    ASSERT_TRUE(StartReady(server_, o));
  }

  // `p` creates a world of `mode`; returns its id.
  static std::string Enter(WorldPlayer& p, const std::string& mode) {
    JsonDoc j = p.Call("world.create", R"({"mode":")" + mode + "\"}");
    EXPECT_EQ(j.Str({"type"}).value_or(""), "world.joined") << j.text();
    return j.Str({"payload", "world_id"}).value_or("");
  }

  // Sends world.input {spawn = template} and returns the zone's answer (module.message).
  static JsonDoc Spawn(WorldPlayer& p, const std::string& tmpl) {
    p.Send("world.input", R"({"spawn":")" + tmpl + "\"}");
    return p.WaitFor(
        [&](const JsonDoc& d) {
          return d.Str({"type"}).value_or("") == "module.message" &&
                 d.Str({"payload", "message", "template"}).value_or("") == tmpl;
        },
        "spawn answer " + tmpl);
  }
  // Takes entity `id` (input {take}); returns whether it was there and, 10 ticks later,
  // whether it is back (world.box_check).
  static std::pair<std::string, std::string> TakeAndCheck(WorldPlayer& p, const std::string& id) {
    p.Send("world.input", R"({"take":")" + id + "\"}");
    JsonDoc took = p.WaitFor(
        [](const JsonDoc& d) {
          return d.Str({"type"}).value_or("") == "module.message" &&
                 d.Has({"payload", "message", "took"});
        },
        "took");
    JsonDoc check = p.WaitFor(
        [](const JsonDoc& d) { return d.Str({"type"}).value_or("") == "world.box_check"; },
        "box_check");
    return {took.Raw({"payload", "message", "took"}).value_or(""),
            check.Raw({"payload", "present"}).value_or("")};
  }

  // Spawns a box and returns its id (from the world.tick adding it).
  static std::string SpawnBox(WorldPlayer& p) {
    JsonDoc box = Spawn(p, "box");
    EXPECT_EQ(box.Raw({"payload", "message", "spawned"}).value_or(""), "true") << box.text();
    std::string box_id;
    p.WaitFor(
        [&](const JsonDoc& d) {
          box_id = AddedOfType(d, "box");
          return !box_id.empty();
        },
        "the box spawned");
    return box_id;
  }
};

TEST_F(WorldReloadTest, RewrittenScriptReachesTheWorldAndItsZonesWithTheirState) {
  const auto reg = Register("wreload_a");
  const std::string a_id = reg.first, a_token = reg.second;
  WorldPlayer a;
  ASSERT_TRUE(a.Connect(server_->port(), a_token));
  const std::string wid = Enter(a, "hot");
  ASSERT_FALSE(wid.empty());
  // v1 everywhere: the world state's broadcast and the zone's stamp on A's entity.
  a.WaitForAll({[](const JsonDoc& d) { return IsVer(d, "v1"); },
                [&](const JsonDoc& d) { return IsEntityVer(d, a_id, "v1"); }},
               "v1 from the world state and the zone");
  JsonDoc gem = Spawn(a, "gem");
  EXPECT_EQ(gem.Raw({"payload", "message", "spawned"}).value_or(""), "false") << gem.text();
  const std::string box_id = SpawnBox(a);

  a.pushes.clear();
  WriteFile(*dir_ + "/hot.lua", WorldScript("v2"));
  // The world state and the zone run v2; A's entity is updated in place (op "u", never
  // removed or re-added): the world did not restart.
  bool world_v2 = false, zone_v2 = false, removed = false;
  int64_t n = 0;
  WaitLong(
      a,
      [&](const JsonDoc& d) {
        world_v2 = world_v2 || IsVer(d, "v2");
        zone_v2 = zone_v2 || IsEntityVer(d, a_id, "v2", &n);
        removed = removed || FindUpdate(d, "r", a_id) >= 0 || FindUpdate(d, "a", a_id) >= 0 ||
                  d.Str({"type"}).value_or("") == "world.joined" ||
                  d.Str({"type"}).value_or("") == "world.finished";
        return world_v2 && zone_v2;
      },
      "v2 from the world state and the zone");
  EXPECT_FALSE(removed) << "the player's entity was dropped or re-added by the reload";
  EXPECT_TRUE(server_->WaitForLog("lua hot reload", 1000));

  // Same world, still running with A in it.
  JsonDoc w = Json(Call("GET", "/api/v1/worlds/" + wid, "", a_token));
  EXPECT_EQ(w.Str({"world_id"}).value_or(""), wid) << w.text();
  EXPECT_EQ(w.Str({"status"}).value_or(""), "running") << w.text();
  // The entity's counter kept counting across the reload (the zone's entities survived).
  EXPECT_GT(n, 1);

  // spawn_templates was re-read: the new `gem` template spawns, and `crate` carries v2.
  gem = Spawn(a, "gem");
  EXPECT_EQ(gem.Raw({"payload", "message", "spawned"}).value_or(""), "true") << gem.text();
  JsonDoc crate = Spawn(a, "crate");
  EXPECT_EQ(crate.Raw({"payload", "message", "spawned"}).value_or(""), "true") << crate.text();
  a.WaitFor(
      [&](const JsonDoc& d) {
        if (d.Str({"type"}).value_or("") != "world.tick") return false;
        for (int k = 0; k < 1000; ++k) {
          const std::string n = std::to_string(k);
          auto op = d.Str({"payload", "updates", n, "op"});
          if (!op) return false;
          if (*op == "a" && d.Str({"payload", "updates", n, "type"}).value_or("") == "crate") {
            return d.Str({"payload", "updates", n, "ver"}).value_or("") == "v2";
          }
        }
        return false;
      },
      "a crate spawned with the reloaded template (ver v2)");

  // The box's template is gone: the box spawned before the reload is still there, and once
  // taken it does not respawn (10 ticks later it is still absent).
  auto [took, back] = TakeAndCheck(a, box_id);
  EXPECT_EQ(took, "true");
  EXPECT_EQ(back, "false");
}

TEST_F(WorldReloadTest, ASyntaxErrorKeepsTheOldCodeRunning) {
  const auto reg = Register("wreload_b");
  const std::string a_id = reg.first, a_token = reg.second;
  WorldPlayer a;
  ASSERT_TRUE(a.Connect(server_->port(), a_token));
  const std::string wid = Enter(a, "broken");
  ASSERT_FALSE(wid.empty());
  a.WaitForAll({[](const JsonDoc& d) { return IsVer(d, "v1"); },
                [&](const JsonDoc& d) { return IsEntityVer(d, a_id, "v1"); }},
               "v1 from the world state and the zone");

  WriteFile(*dir_ + "/broken.lua", WorldScript("v3") + "\nfunction post_tick(tick, state\n");
  ASSERT_TRUE(server_->WaitForLog(R"(msg="lua hot reload failed" world=)", 10000));
  ASSERT_TRUE(server_->WaitForLog(R"(msg="lua hot reload failed" zone=)", 10000));
  // After the failure was logged: the zone still answers with the old templates (no `gem`),
  // and every later frame still comes from v1 code (world state and zone), never v3.
  a.pushes.clear();
  JsonDoc gem = Spawn(a, "gem");
  EXPECT_EQ(gem.Raw({"payload", "message", "spawned"}).value_or(""), "false") << gem.text();
  bool v3 = false;
  a.observer = [&](const JsonDoc& d) { v3 = v3 || IsVer(d, "v3") || IsEntityVer(d, a_id, "v3"); };
  a.WaitForAll({[](const JsonDoc& d) { return IsVer(d, "v1"); },
                [&](const JsonDoc& d) { return FindUpdate(d, "u", a_id) >= 0; }},
               "v1 world broadcasts and zone ticks after the failed reload");
  a.observer = nullptr;
  EXPECT_FALSE(v3);
  // The old templates still apply: a box taken comes back (its timer respawn).
  auto [took, back] = TakeAndCheck(a, SpawnBox(a));
  EXPECT_EQ(took, "true");
  EXPECT_EQ(back, "true");
  EXPECT_EQ(a.Call("session.heartbeat", "{}").Str({"type"}).value_or(""), "session.heartbeat");
  JsonDoc w = Json(Call("GET", "/api/v1/worlds/" + wid, "", a_token));
  EXPECT_EQ(w.Str({"status"}).value_or(""), "running") << w.text();
}

// A changed `require`d module reaches the world state and its zone (the watcher re-reads it
// before the instances reload; require never reads the disk on a shard).
TEST_F(WorldReloadTest, AChangedRequiredModuleReachesTheWorldAndItsZones) {
  const auto reg = Register("wreload_c");
  const std::string a_id = reg.first, a_token = reg.second;
  WorldPlayer a;
  ASSERT_TRUE(a.Connect(server_->port(), a_token));
  ASSERT_FALSE(Enter(a, "modw").empty());
  a.WaitForAll({[](const JsonDoc& d) { return IsVer(d, "m1"); },
                [&](const JsonDoc& d) { return IsEntityVer(d, a_id, "m1"); }},
               "m1 from the world state and the zone");
  a.pushes.clear();
  WriteFile(*dir_ + "/wver.lua", R"(return { v = "m2" })");
  bool world_m2 = false, zone_m2 = false;
  WaitLong(
      a,
      [&](const JsonDoc& d) {
        world_m2 = world_m2 || IsVer(d, "m2");
        zone_m2 = zone_m2 || IsEntityVer(d, a_id, "m2");
        return world_m2 && zone_m2;
      },
      "m2 from the world state and the zone");
}

}  // namespace
}  // namespace asobi::itest
