// World persistence against the real server and PostgreSQL (lua.md §8, §18; issue 14 items 5
// and 6; docs/decisions.md "World persistence"): a persistent world's entities and zone states
// survive a server restart, a runaway zone restarts from its last snapshot and the world gets
// on_world_recovered, idle zones unload (on_zone_unloaded) and reload from their snapshot, and
// game.zone.park stops a zone that holds entities.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

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

// A persistent 3x3 world of 100-unit zones ticking every 20 ms, each player seeing only its
// own zone; zones snapshot themselves every tick and unload after 100 ms idle. The world
// state announces every recovery, load and unload to its members (from post_tick, so that a
// recovery at start reaches the players who join later).
const char* kPersistScript = R"(
game_type = "world"
match_size = 1
max_players = 4
grid_size = 3
zone_size = 100
tick_rate = 20
broadcast_interval = 1
view_radius = 0
persistent = true
snapshot_interval = 20
zone_idle_timeout = 100

function init(config) return { members = 0, events = {} } end
local function note(state, event, payload)
  state.events[#state.events + 1] = { event = event, payload = payload }
end
function join(id, state) state.members = state.members + 1; return state end
function leave(id, state) state.members = state.members - 1; return state end
function spawn_position(id, state) return { x = 50, y = 50 } end
function post_tick(tick, state)
  if state.members > 0 then
    for _, e in ipairs(state.events) do game.broadcast(e.event, e.payload) end
    state.events = {}
  end
  return state
end
function on_world_recovered(snapshot, state)
  local zones = 0
  for _ in pairs(snapshot.zones or {}) do zones = zones + 1 end
  note(state, "recovered", { reason = snapshot.reason, zone_x = snapshot.zone_x,
                             zone_y = snapshot.zone_y, restarted = snapshot.restarted,
                             zones = zones })
  return state
end
function on_zone_loaded(cx, cy, state)
  note(state, "loaded", { x = cx, y = cy })
  return nil, state
end
function on_zone_unloaded(cx, cy, state)
  note(state, "unloaded", { x = cx, y = cy })
  return state
end
function zone_tick(entities, zone_state)
  -- born: the tick this zone first ran; copied onto every tree, so a zone_state that did not
  -- survive shows as a different value.
  zone_state.born = zone_state.born or zone_state.tick
  for id, e in pairs(entities) do
    if e.type == "tree" then e.born = zone_state.born end
    if e.type == "player" then e.zone_born = zone_state.born end
    if e.type == "npc" and not zone_state.parked then
      zone_state.parked = true
      e.park = game.zone.park()
    end
  end
  if entities.bomb and not zone_state.restarted then while true do end end
  return entities, zone_state
end
function handle_input(id, input, entities)
  local e = entities[id]
  if e == nil then return entities end
  if type(input.x) == "number" then e.x = input.x; e.y = input.y end
  if input.plant then
    local name = type(input.plant) == "string" and input.plant or "tree_1"
    entities[name] = { x = e.x + 5, y = e.y + 5, type = "tree", hp = 5 }
    entities.ghost_1 = { x = e.x + 6, y = e.y + 6, type = "tree", persistent = false }
  end
  if input.npc then entities.npc_1 = { x = input.npc, y = 50, type = "npc" } end
  if input.bomb then entities.bomb = { x = e.x, y = e.y, type = "bomb" } end
  return entities
end
)";

using Player = WorldPlayer;

bool IsTick(const JsonDoc& d, int zx, int zy) {
  return d.Str({"type"}).value_or("") == "world.tick" &&
         d.Int({"payload", "zone", "0"}).value_or(-1) == zx &&
         d.Int({"payload", "zone", "1"}).value_or(-1) == zy;
}

bool IsKeyframe(const JsonDoc& d, int zx, int zy) {
  return IsTick(d, zx, zy) && d.Raw({"payload", "kf"}).value_or("") == "true";
}

// The index of the update for entity `id` with op `op` in a world.tick, or -1.
int FindUpdate(const JsonDoc& d, const std::string& op, const std::string& id) {
  for (int i = 0; i < 10000; ++i) {
    const std::string k = std::to_string(i);
    auto o = d.Str({"payload", "updates", k, "op"});
    if (!o) return -1;
    if (*o == op && d.Str({"payload", "updates", k, "id"}).value_or("") == id) return i;
  }
  return -1;
}

// A field of entity `id`'s add record in a world.tick (raw JSON), or "".
std::string AddedField(const JsonDoc& d, const std::string& id, const std::string& field) {
  const int i = FindUpdate(d, "a", id);
  if (i < 0) return "";
  return d.Raw({"payload", "updates", std::to_string(i), field}).value_or("");
}

// A field of entity `id`'s update record (`op`) in a world.tick (raw JSON), or "".
std::string UpdateField(const JsonDoc& d, const std::string& op, const std::string& id,
                        const std::string& field) {
  const int i = FindUpdate(d, op, id);
  if (i < 0) return "";
  return d.Raw({"payload", "updates", std::to_string(i), field}).value_or("");
}

// A world.tick of zone (zx, zy) whose `op` record of `id` carries `field`.
std::function<bool(const JsonDoc&)> HasField(int zx, int zy, std::string op, std::string id,
                                             std::string field) {
  return
      [=](const JsonDoc& d) { return IsTick(d, zx, zy) && !UpdateField(d, op, id, field).empty(); };
}

bool IsEvent(const JsonDoc& d, const char* event) {
  return d.Str({"type"}).value_or("") == std::string("world.") + event;
}

class WorldPersistTest : public ServerSuite<WorldPersistTest> {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    ASSERT_TRUE(db_->ok()) << db_->error();
    dir_ = new std::string(
        MakeGameDir("/tmp/asobi_world_persist_itest_XXXXXX",
                    {{"pw.lua", kPersistScript}, {"config.lua", R"(return { pw = "pw.lua" })"}}));
    server_ = new ServerProcess();
    ASSERT_TRUE(StartServer(server_));
  }
  static ::testing::AssertionResult StartServer(ServerProcess* s) {
    ServerOptions o;
    o.flags = db_->ServerFlags();
    o.flags.insert(o.flags.end(), {"--game-dir", *dir_, "--rate-limits",
                                   "register=1000/1000,auth=1000/1000,api=100000/1000",
                                   "--ws-rate-limit", "1000"});
    return StartReady(s, o);
  }
};

TEST_F(WorldPersistTest, APersistentWorldSurvivesAServerRestart) {
  std::string a_id, a_token;
  std::tie(a_id, a_token) = Register("persist_a");
  std::string world_id, born;
  {
    ServerProcess first;
    ASSERT_TRUE(StartServer(&first));
    Player a;
    ASSERT_TRUE(a.Connect(first.port(), a_token));
    JsonDoc joined = a.Call("world.create", R"({"mode":"pw"})");
    ASSERT_EQ(joined.Str({"type"}).value_or(""), "world.joined") << joined.text();
    world_id = joined.Str({"payload", "world_id"}).value_or("");
    a.WaitFor([&](const JsonDoc& d) { return IsTick(d, 0, 0) && FindUpdate(d, "a", a_id) >= 0; },
              "A's entity");
    a.Send("world.input", R"({"plant":true})");
    // handle_input adds the tree; the next zone_tick stamps it with the zone's `born`.
    JsonDoc planted = a.WaitFor(HasField(0, 0, "u", "tree_1", "born"), "the tree's born");
    born = UpdateField(planted, "u", "tree_1", "born");
    // SIGTERM: the shutdown step writes every zone of the persistent world.
    ASSERT_TRUE(first.Stop());
    EXPECT_EQ(
        db_->Query("SELECT count(*) FROM persistent_worlds WHERE world_id = '" + world_id + "'"),
        "1");
    // The tree is stored; the player and the non-persistent ghost are not.
    EXPECT_EQ(db_->Query("SELECT (entities ? 'tree_1')::text || (entities ? 'ghost_1')::text || "
                         "(entities ? '" +
                         a_id +
                         "')::text || (zone_state->>'born') FROM zone_snapshots WHERE "
                         "world_id = '" +
                         world_id + "' AND zone_x = 0 AND zone_y = 0"),
              "truefalsefalse" + born);
  }
  // A new server on the same database re-creates the world with the same id at start.
  ServerProcess second;
  ASSERT_TRUE(StartServer(&second));
  const int64_t deadline = NowMs() + 5000;
  int status = 0;
  while (
      NowMs() < deadline &&
      (status = HttpCall(second.port(), "GET", "/api/v1/worlds/" + world_id, "", a_token).status) !=
          200) {
  }
  ASSERT_EQ(status, 200);
  Player a;
  ASSERT_TRUE(a.Connect(second.port(), a_token));
  JsonDoc joined = a.Call("world.join", R"({"world_id":")" + world_id + "\"}");
  ASSERT_EQ(joined.Str({"type"}).value_or(""), "world.joined") << joined.text();
  // The zone loads from its snapshot (the tree with its fields, not the ghost), and the world
  // state got on_world_recovered.
  std::vector<JsonDoc> got = a.WaitForAll(
      {[&](const JsonDoc& d) { return IsTick(d, 0, 0) && FindUpdate(d, "a", "tree_1") >= 0; },
       [](const JsonDoc& d) { return IsEvent(d, "recovered"); }},
      "the restored tree and on_world_recovered");
  EXPECT_EQ(AddedField(got[0], "tree_1", "hp"), "5");
  EXPECT_EQ(AddedField(got[0], "tree_1", "born"), born);
  EXPECT_EQ(FindUpdate(got[0], "a", "ghost_1"), -1);
  EXPECT_EQ(got[1].Str({"payload", "reason"}).value_or(""), "server_restart");
  EXPECT_GE(got[1].Int({"payload", "zones"}).value_or(0), 1);
  // The zone_state came back too: a new tree gets the same `born`.
  a.Send("world.input", R"({"plant":"tree_2"})");
  JsonDoc second_tree = a.WaitFor(HasField(0, 0, "u", "tree_2", "born"), "tree_2's born");
  EXPECT_EQ(UpdateField(second_tree, "u", "tree_2", "born"), born);
  EXPECT_TRUE(second.Stop());
}

TEST_F(WorldPersistTest, ARunawayZoneRestartsFromItsLastSnapshot) {
  std::string a_id, a_token;
  std::tie(a_id, a_token) = Register("persist_bomb_a");
  std::string b_id, b_token;
  std::tie(b_id, b_token) = Register("persist_bomb_b");
  Player a, b;
  ASSERT_TRUE(a.Connect(server_->port(), a_token));
  ASSERT_TRUE(b.Connect(server_->port(), b_token));
  JsonDoc joined = a.Call("world.create", R"({"mode":"pw"})");
  ASSERT_EQ(joined.Str({"type"}).value_or(""), "world.joined") << joined.text();
  const std::string world_id = joined.Str({"payload", "world_id"}).value_or("");
  ASSERT_EQ(b.Call("world.join", R"({"world_id":")" + world_id + "\"}").Str({"type"}),
            "world.joined");
  // B walks to zone (1,0); A plants a tree in (0,0) and remembers its zone's `born`.
  b.Send("world.input", R"({"x":150,"y":50})");
  b.WaitFor([&](const JsonDoc& d) { return IsTick(d, 1, 0) && FindUpdate(d, "a", b_id) >= 0; },
            "B in zone (1,0)");
  a.Send("world.input", R"({"plant":true})");
  JsonDoc planted = a.WaitFor(HasField(0, 0, "u", "tree_1", "born"), "the tree's born");
  const std::string born = UpdateField(planted, "u", "tree_1", "born");
  // The bomb makes zone (0,0)'s zone_tick loop until it restarts (3 overruns).
  a.Send("world.input", R"({"bomb":true})");
  std::vector<JsonDoc> got = a.WaitForAll(
      {[&](const JsonDoc& d) { return IsKeyframe(d, 0, 0) && FindUpdate(d, "a", "bomb") >= 0; },
       [](const JsonDoc& d) { return IsEvent(d, "recovered"); }},
      "the restart keyframe of zone (0,0) and on_world_recovered");
  EXPECT_GE(FindUpdate(got[0], "a", "tree_1"), 0);
  EXPECT_EQ(got[1].Str({"payload", "reason"}).value_or(""), "zone_restart");
  EXPECT_EQ(got[1].Int({"payload", "zone_x"}).value_or(-1), 0);
  EXPECT_EQ(got[1].Int({"payload", "restarted"}).value_or(-1), 1);
  // The restarted zone's zone_state is its last snapshot's: `born` is unchanged (a fresh
  // zone_state would take the current tick), and the zone runs again.
  a.Send("world.input", R"({"x":60,"y":60})");
  a.WaitFor([&](const JsonDoc& d) { return IsTick(d, 0, 0) && FindUpdate(d, "u", a_id) >= 0; },
            "A moved in the restarted zone");
  a.Send("world.input", R"({"plant":"tree_2"})");
  JsonDoc second = a.WaitFor(HasField(0, 0, "u", "tree_2", "born"), "tree_2's born");
  EXPECT_EQ(UpdateField(second, "u", "tree_2", "born"), born);
  // Meanwhile the other zone and the world went on: B still moves in (1,0) and got the notice.
  b.Send("world.input", R"({"x":170,"y":50})");
  b.WaitForAll(
      {[&](const JsonDoc& d) { return IsTick(d, 1, 0) && !UpdateField(d, "u", b_id, "x").empty(); },
       [](const JsonDoc& d) { return IsEvent(d, "recovered"); }},
      "B moved in zone (1,0) and saw the recovery");
  EXPECT_NE(server_->log().find("zone restarted"), std::string::npos);
}

TEST_F(WorldPersistTest, IdleZonesUnloadAndReloadFromTheirSnapshot) {
  std::string a_id, a_token;
  std::tie(a_id, a_token) = Register("persist_idle_a");
  Player a;
  ASSERT_TRUE(a.Connect(server_->port(), a_token));
  ASSERT_EQ(a.Call("world.create", R"({"mode":"pw"})").Str({"type"}), "world.joined");
  a.WaitFor([&](const JsonDoc& d) { return IsTick(d, 0, 0) && FindUpdate(d, "a", a_id) >= 0; },
            "A's entity");
  // A walks to (1,0), which loads (on_zone_loaded) and stamps A with its zone_state's `born`.
  auto loaded_1_0 = [](const JsonDoc& d) {
    return IsEvent(d, "loaded") && d.Int({"payload", "x"}).value_or(-1) == 1 &&
           d.Int({"payload", "y"}).value_or(-1) == 0;
  };
  a.Send("world.input", R"({"x":150,"y":50})");
  std::vector<JsonDoc> got = a.WaitForAll({HasField(1, 0, "a", a_id, "zone_born"), loaded_1_0},
                                          "A in zone (1,0) and on_zone_loaded(1, 0)");
  const std::string born = UpdateField(got[0], "a", a_id, "zone_born");
  // A walks on to (2,0): (1,0) is empty and unwatched, and unloads after 100 ms.
  a.Send("world.input", R"({"x":250,"y":50})");
  a.WaitFor(
      [](const JsonDoc& d) {
        return IsEvent(d, "unloaded") && d.Int({"payload", "x"}).value_or(-1) == 1 &&
               d.Int({"payload", "y"}).value_or(-1) == 0;
      },
      "on_zone_unloaded(1, 0)");
  // Back in (1,0): it loads again (on_zone_loaded) from its snapshot, zone_state included.
  a.Send("world.input", R"({"x":150,"y":50})");
  got = a.WaitForAll({HasField(1, 0, "a", a_id, "zone_born"), loaded_1_0},
                     "A back in zone (1,0) and on_zone_loaded(1, 0) again");
  EXPECT_EQ(UpdateField(got[0], "a", a_id, "zone_born"), born);
}

TEST_F(WorldPersistTest, ParkStopsAZoneWithEntitiesAndItsNextLoadRestoresThem) {
  std::string a_id, a_token;
  std::tie(a_id, a_token) = Register("persist_park_a");
  Player a;
  ASSERT_TRUE(a.Connect(server_->port(), a_token));
  ASSERT_EQ(a.Call("world.create", R"({"mode":"pw"})").Str({"type"}), "world.joined");
  a.WaitFor([&](const JsonDoc& d) { return IsTick(d, 0, 0) && FindUpdate(d, "a", a_id) >= 0; },
            "A's entity");
  // An NPC put at x = 250 crosses into zone (2,0), which nobody watches: its zone_tick parks
  // the zone (game.zone.park() -> true) the first time it sees the NPC.
  a.Send("world.input", R"({"npc":250})");
  a.WaitFor(
      [](const JsonDoc& d) {
        return IsEvent(d, "unloaded") && d.Int({"payload", "x"}).value_or(-1) == 2 &&
               d.Int({"payload", "y"}).value_or(-1) == 0;
      },
      "on_zone_unloaded(2, 0) after park");
  // A walks there: the zone loads from its snapshot, the NPC included, and stays (parked is
  // in its zone_state).
  a.Send("world.input", R"({"x":250,"y":60})");
  JsonDoc kf = a.WaitFor(
      [&](const JsonDoc& d) { return IsTick(d, 2, 0) && FindUpdate(d, "a", "npc_1") >= 0; },
      "the NPC after the park");
  EXPECT_EQ(AddedField(kf, "npc_1", "park"), "true");
}

}  // namespace
}  // namespace asobi::itest
