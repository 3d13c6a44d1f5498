// Persistent worlds against the real server (websocket.md §10, rest.md §3.11, lua.md §8): the
// world.* family, world.tick keyframes and deltas from the zones of a player's interest ring,
// zone crossing, the capacity limits and every error of §10 this runtime implements.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "itest_checks.h"
#include "itest_clock.h"
#include "itest_suite.h"
#include "json_doc.h"
#include "pg_test_db.h"
#include "protocol/world_tick/binary_world_tick.h"
#include "server_harness.h"
#include "server_suite.h"
#include "world_player.h"
#include "ws_client.h"

namespace asobi::itest {
namespace {

// A 3x3 world of 100-unit zones ticking every 20 ms, broadcasting every tick, each player
// seeing only its own zone (view_radius 0), at most 2 players. Inputs move the player's
// entity; an "npc" walks right by 10 units a tick when spawned with input {spawn_npc = true}.
const char* kWorldScript = R"(
game_type = "world"
match_size = 1
max_players = 2
grid_size = 3
zone_size = 100
tick_rate = 20
broadcast_interval = 1
view_radius = 0

function init(config) return { joined = 0, world_id = config.world_id } end
-- Zone (1,0) is sand, (2,0) rock, but on_zone_loaded makes (2,0) grass; a marker entity
-- shows each zone's biome.
function generate_world(seed, config)
  return { ["1,0"] = { biome = "sand" }, ["2,0"] = { biome = "rock" }, ["9,9"] = { biome = "x" } }
end
function on_zone_loaded(cx, cy, state)
  if cx == 2 then return { biome = "grass" }, state end
  return nil, state
end
function join(id, state) state.joined = state.joined + 1; return state end
function leave(id, state) return state end
function spawn_position(id, state) return { x = 50, y = 50 } end
function zone_tick(entities, zone_state)
  for _, e in pairs(entities) do
    if e.type == "npc" then e.x = e.x + 10 end
  end
  -- Zone (0,1) counts the ticks it runs without entities and reports the 8th.
  if zone_state.x == 0 and zone_state.y == 1 and next(entities) == nil then
    zone_state.idle = (zone_state.idle or 0) + 1
    if zone_state.idle == 8 then game.broadcast("cold", { tick = zone_state.tick }) end
  end
  -- Zone (0,2) does the same but says it is busy (third result): it keeps full-rate ticks.
  if zone_state.x == 0 and zone_state.y == 2 and next(entities) == nil then
    zone_state.idle = (zone_state.idle or 0) + 1
    if zone_state.idle == 1 then zone_state.first_idle = zone_state.tick end
    if zone_state.idle == 8 then
      game.broadcast("busy", { tick = zone_state.tick, first = zone_state.first_idle })
    end
  end
  if zone_state.x == 0 and zone_state.y == 2 then return entities, zone_state, true end
  if zone_state.biome and not zone_state.marked then
    zone_state.marked = true
    entities["marker_" .. zone_state.x] =
      { x = zone_state.x * 100 + 10, y = 10, type = "marker", biome = zone_state.biome }
  end
  return entities, zone_state
end
function handle_input(id, input, entities)
  local e = entities[id]
  if e == nil then return entities end
  if type(input.x) == "number" and type(input.y) == "number" then e.x = input.x; e.y = input.y end
  if input.hp then e.hp = input.hp end
  if input.nan then e.hp = 0 / 0; e.mp = math.huge end
  if input.spawn_npc then entities["npc_1"] = { x = e.x, y = e.y, type = "npc" } end
  if input.spatial then
    local s = game.spatial
    local near = s.nearest(entities, e.x, e.y, 5, { type = "player" })
    local others = s.query_radius(entities, e.x, e.y, 1000, { exclude = id, sort = "nearest" })
    local far = s.nearest(entities, 0, 0, 1, { sort = "farthest" })
    local mine = s.query_radius(e.x, e.y, 1)
    game.send(id, {
      nearest = #near, others = #others, far = far[1] and far[1].id, mine = #mine,
      mine_id = mine[1] and mine[1].id,
      bad = s.query_radius(entities, 0, 0, 1, { bogus = 1 }).error,
      bad_max = s.nearest(entities, 0, 0, 1, { max_results = 3 }).error,
      bad_type = s.query_radius(entities, 0, 0, 1, { type = 5 }).error,
      usage = s.nearest(entities, 0 / 0, 0, 1).error,
      dist = s.distance(e, { x = e.x + 3, y = e.y + 4 }),
      no_dist = s.distance(e, { x = "a" }),
      in_range = s.in_range(e, { x = e.x, y = e.y + 1 }, 0.5),
    })
  end
  return entities
end
function post_tick(tick, state) return state end
)";

// Zone (0,0) seeds three entities, then returns a dirty set (lua.md §18) every tick naming
// only `sent`: `hidden` changes too but is left out; `doomed` is named in `removed` once
// (the engine deletes it); at n == 12 the set is malformed (the tick falls back to a full diff).
const char* kDirtyScript = R"(
game_type = "world"
match_size = 1
max_players = 2
grid_size = 2
zone_size = 100
tick_rate = 20
broadcast_interval = 1
view_radius = 0
function init(config) return {} end
function join(id, state) return state end
function leave(id, state) return state end
function spawn_position(id, state) return { x = 50, y = 50 } end
function post_tick(tick, state) return state end
function handle_input(id, input, entities) return entities end
function zone_tick(entities, zone_state)
  if zone_state.x ~= 0 or zone_state.y ~= 0 then return entities, zone_state end
  if not zone_state.seeded then
    zone_state.seeded = true
    zone_state.n = 0
    entities.sent = { x = 10, y = 10, n = 0 }
    entities.hidden = { x = 20, y = 20, n = 0 }
    entities.doomed = { x = 30, y = 30 }
    return entities, zone_state
  end
  zone_state.n = zone_state.n + 1
  entities.sent.n = zone_state.n
  entities.hidden.n = zone_state.n
  local dirty = { changed = { sent = entities.sent } }
  if zone_state.n == 5 then dirty.removed = { "doomed" } end
  if zone_state.n == 12 then dirty = { changed = "not a table" } end
  return entities, zone_state, false, dirty
end
)";

// Like kWorldScript with a 3x3 interest ring, plus bombs: input {bomb = "loop"} puts an entity
// into zone (1,0) whose zone_tick then never returns, {bomb = "alloc"} one into zone (0,1)
// whose zone_tick allocates without bound, until the zone has been restarted once.
const char* kBombScript = R"(
game_type = "world"
match_size = 1
grid_size = 3
zone_size = 100
tick_rate = 20
broadcast_interval = 1
view_radius = 1

function init(config) return {} end
function terrain_provider(config) return { module = "flat", args = { tile = 7 } } end
function join(id, state) return state end
function leave(id, state) return state end
function spawn_position(id, state) return { x = 50, y = 50 } end
function post_tick(tick, state) return state end
function zone_tick(entities, zone_state)
  if not zone_state.restarted then
    if entities.bomb_loop then while true do end end
    if entities.bomb_alloc then
      local t = {}
      while true do t[#t + 1] = string.rep("x", 4096) .. #t end
    end
  end
  return entities, zone_state
end
function handle_input(id, input, entities)
  local e = entities[id]
  if e == nil then return entities end
  if input.bomb == "loop" then entities.bomb_loop = { x = 150, y = 50, type = "bomb" } end
  if input.bomb == "alloc" then entities.bomb_alloc = { x = 50, y = 150, type = "bomb" } end
  if type(input.x) == "number" then e.x = input.x; e.y = input.y end
  return entities
end
)";

// Border bands and cross-zone effects (lua.md §8, §9): 3x3 zones of 100 units, a 25-unit band,
// 15 units of crossing hysteresis. Input {turret = true} puts a turret at (120, 50), which crosses
// into zone (1,0); each tick the turret finds players in the touching zones' bands
// (neighbours_radius) and hits them with an effect (game.zone.apply) that their zone's
// handle_effects turns into lost hp. Input {probe = true} reports the bad-input answers of
// game.zone.* and neighbours_* to the player and fires 70 effects at the turret in one tick (64 are
// accepted; the turret counts them).
const char* kEffectsScript = R"(
game_type = "world"
match_size = 1
grid_size = 3
zone_size = 100
tick_rate = 20
broadcast_interval = 1
view_radius = 1
border_band = 25
crossing_hysteresis = 15

-- Spawn templates: a berry respawns once, 60 ms (3 ticks) after it is eaten; "bad" is skipped.
function spawn_templates(config)
  return {
    berry = { type = "berry", base_state = { food = 3, kind = "red" },
              respawn = { strategy = "timer", delay = 60, jitter = 0, max_respawns = 1 } },
    rock = { type = "rock", base_state = { hard = true } },
    bad = { type = 5 },
  }
end
function init(config) return { zone_err = game.zone.apply("x", {}).error } end
function join(id, state) game.send(id, { world_zone_err = state.zone_err }); return state end
function leave(id, state) return state end
function spawn_position(id, state) return { x = 90, y = 50 } end
function post_tick(tick, state) return state end
local eaten = 0
function zone_tick(entities, zone_state)
  -- 10 ticks after the second meal, report whether the berry came back (it must not).
  if eaten == 2 then zone_state.check_at = zone_state.tick + 10; eaten = 3 end
  if zone_state.check_at == zone_state.tick then
    game.broadcast("berry_check", { present = entities.berry_0_0_1 ~= nil })
  end
  for id, e in pairs(entities) do
    if e.type == "turret" and not e.off then
      local near = game.spatial.neighbours_radius(e.x, e.y, 30, { type = "player" })
      e.seen = #near
      for _, n in ipairs(near) do
        if game.zone.apply(n.id, { damage = 5, from = id }) then e.shots = (e.shots or 0) + 1 end
      end
    end
  end
  return entities, zone_state
end
function handle_effects(effects, entities)
  for _, ef in ipairs(effects) do
    local e = entities[ef[1]]
    if e and ef.event.damage then
      e.hp = (e.hp or 100) - ef[2].damage
      e.hit_by = ef.event.from
    elseif e and ef.event.n then
      e.received = (e.received or 0) + 1
      e.off = true
    end
  end
  return entities
end
function handle_input(id, input, entities)
  local e = entities[id]
  if e == nil then return entities end
  if input.turret then entities.turret = { x = 120, y = 50, type = "turret" } end
  if input.despawn then game.zone.despawn(id) end
  if type(input.x) == "number" and type(input.y) == "number" then e.x = input.x; e.y = input.y end
  if input.spawn then
    game.send(id, {
      spawned = game.zone.spawn(input.spawn, e.x - 10, e.y, { food = 9 }),
      unknown_template = game.zone.spawn("nope", 1, 1),
      bad_template = game.zone.spawn("bad", 1, 1),
    })
  end
  if input.eat and entities[input.eat] then entities[input.eat] = nil; eaten = eaten + 1 end
  if input.probe then
    local big = game.zone.apply("turret", { s = string.rep("x", 4100) })
    local unknown = game.zone.apply("nobody", {})
    local own = game.zone.apply(id, {})
    local sent = 0
    for i = 1, 70 do
      if game.zone.apply("turret", { n = i }) then sent = sent + 1 end
    end
    local rect = game.spatial.neighbours_rect(100, 0, 200, 100, { type = "turret" })
    game.send(id, {
      sent = sent,
      after_cap = game.zone.apply("turret", { n = 0 }),
      big = big, unknown = unknown, own = own,
      rect = #rect, rect_id = rect[1] and rect[1].id, rect_has_dist = rect[1] and rect[1].distance ~= nil,
      radius_dist = game.spatial.neighbours_radius(120, 50, 5)[1].distance,
      far = #game.spatial.neighbours_radius(1e300, -1e300, 1),
      bad_sort = game.spatial.neighbours_rect(0, 0, 1, 1, { sort = "nearest" }).error,
      nan = game.spatial.neighbours_radius(0 / 0, 0, 1).error,
      inf = game.spatial.neighbours_rect(0, 0, math.huge, 1).error,
      spawn_nan = game.zone.spawn("tree", 0 / 0, 5).error,
      apply_usage = game.zone.apply(5).error,
    })
  end
  return entities
end
)";

const char* kBadTerrainScript = R"(
game_type = "world"
match_size = 1
function init(config) return {} end
function terrain_provider(config) return { module = "mountains" } end
)";

const char* kMatchScript = R"(
match_size = 1
function init(c) return {} end
function join(id, s) return s end
function leave(id, s) return s end
function handle_input(id, i, s) return s end
function tick(s) return s end
function get_state(id, s) return {} end
)";

// One authenticated WebSocket player.
using Player = WorldPlayer;

// `p` sends `type` with `payload` and gets the error `reason` / `code` echoing its cid.
::testing::AssertionResult CallFails(Player& p, const std::string& type, const std::string& payload,
                                     std::string_view reason, std::string_view code) {
  JsonDoc d = p.Call(type, payload);
  return IsWsError(d, reason, code, p.last_cid());
}

bool IsTick(const JsonDoc& d, int zx, int zy) {
  return d.Str({"type"}).value_or("") == "world.tick" &&
         d.Int({"payload", "zone", "0"}).value_or(-1) == zx &&
         d.Int({"payload", "zone", "1"}).value_or(-1) == zy;
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

// The bundled example world (lua/island/world.lua) as the repository holds it.
std::string IslandScript() {
  const char* root = std::getenv("ASOBI_SOURCE_ROOT");
  std::ifstream in(std::string(root ? root : ".") + "/lua/island/world.lua");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class WorldTest : public ServerSuite<WorldTest> {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    ASSERT_TRUE(db_->ok()) << db_->error();
    dir_ = new std::string(MakeGameDir(
        "/tmp/asobi_world_itest_XXXXXX",
        {{"tw.lua", kWorldScript},
         {"solo.lua", kMatchScript},
         {"island.lua", IslandScript()},
         {"bomb.lua", kBombScript},
         {"grace.lua", std::string(kWorldScript) + "\nreconnect_grace_ms = 60000\n"},
         {"shortgrace.lua", std::string(kWorldScript) + "\nreconnect_grace_ms = 100\n"},
         {"badterrain.lua", kBadTerrainScript},
         {"effects.lua", kEffectsScript},
         {"dirty.lua", kDirtyScript},
         {"config.lua",
          R"(return { tw = "tw.lua", solo = "solo.lua", island = "island.lua", bomb = "bomb.lua",
                     badterrain = "badterrain.lua", grace = "grace.lua",
                     shortgrace = "shortgrace.lua", effects = "effects.lua",
                     dirty = "dirty.lua" })"}}));
    server_ = new ServerProcess();
    ServerOptions o;
    o.flags = db_->ServerFlags();
    o.flags.insert(o.flags.end(), {"--game-dir", *dir_, "--rate-limits",
                                   "register=1000/1000,auth=1000/1000,api=100000/1000",
                                   "--ws-rate-limit", "1000", "--binary-wire"});
    ASSERT_TRUE(StartReady(server_, o));
  }
};

TEST_F(WorldTest, CreateJoinTicksInputAndLeave) {
  const auto a_reg = Register("world_a");
  const std::string a_id = a_reg.first, a_token = a_reg.second;
  const auto b_reg = Register("world_b");
  const std::string b_id = b_reg.first, b_token = b_reg.second;
  Player a, b;
  ASSERT_TRUE(a.Connect(server_->port(), a_token));
  ASSERT_TRUE(b.Connect(server_->port(), b_token));

  JsonDoc joined = a.Call("world.create", R"({"mode":"tw"})");
  ASSERT_EQ(joined.Str({"type"}).value_or(""), "world.joined") << joined.text();
  const std::string world_id = joined.Str({"payload", "world_id"}).value_or("");
  EXPECT_EQ(world_id.size(), 36u);
  EXPECT_EQ(joined.Str({"payload", "mode"}).value_or(""), "tw");
  EXPECT_EQ(joined.Str({"payload", "status"}).value_or(""), "running");
  EXPECT_EQ(joined.Int({"payload", "player_count"}).value_or(0), 1);
  EXPECT_EQ(joined.Int({"payload", "max_players"}).value_or(0), 2);
  EXPECT_EQ(joined.Int({"payload", "grid_size"}).value_or(0), 3);
  EXPECT_GT(joined.Int({"payload", "started_at"}).value_or(0), 0);
  EXPECT_EQ(joined.Raw({"payload", "listed"}).value_or(""), "true");
  EXPECT_EQ(joined.Raw({"payload", "quick_play"}).value_or(""), "true");
  EXPECT_EQ(joined.Raw({"payload", "players"}).value_or(""), "[\"" + a_id + "\"]");

  // §10.5 sender 2: a keyframe of the player's zone, then A's own entity arrives.
  JsonDoc kf = a.WaitFor([](const JsonDoc& d) { return IsTick(d, 0, 0); }, "keyframe");
  EXPECT_EQ(kf.Raw({"payload", "kf"}).value_or(""), "true");
  EXPECT_EQ(kf.Int({"payload", "tick"}).value_or(-1), 0);
  EXPECT_TRUE(kf.Has({"payload", "frame_seq"}));
  JsonDoc add = a.WaitFor(
      [&](const JsonDoc& d) { return IsTick(d, 0, 0) && (FindUpdate(d, "a", a_id) >= 0); },
      "A's entity");
  const std::string i = std::to_string(FindUpdate(add, "a", a_id));
  EXPECT_EQ(add.Int({"payload", "updates", i, "x"}).value_or(0), 50);
  EXPECT_EQ(add.Int({"payload", "updates", i, "y"}).value_or(0), 50);
  EXPECT_EQ(add.Str({"payload", "updates", i, "type"}).value_or(""), "player");

  // Listed over WS and REST.
  JsonDoc list = b.Call("world.list", R"({"mode":"tw"})");
  EXPECT_EQ(list.Str({"payload", "worlds", "0", "world_id"}).value_or(""), world_id);
  EXPECT_EQ(list.Int({"payload", "worlds", "0", "player_count"}).value_or(0), 1);
  HttpResponse rest = Call("GET", "/api/v1/worlds?mode=tw", "", a_token);
  EXPECT_EQ(rest.status, 200);
  EXPECT_EQ(Json(rest).Str({"worlds", "0", "world_id"}).value_or(""), world_id);
  HttpResponse one = Call("GET", "/api/v1/worlds/" + world_id, "", a_token);
  EXPECT_EQ(one.status, 200);
  EXPECT_EQ(Json(one).Str({"status"}).value_or(""), "running");

  // B joins: its keyframe or a later add shows A; A sees B's entity added.
  JsonDoc bj = b.Call("world.join", R"({"world_id":")" + world_id + "\"}");
  ASSERT_EQ(bj.Str({"type"}).value_or(""), "world.joined") << bj.text();
  EXPECT_EQ(bj.Int({"payload", "player_count"}).value_or(0), 2);
  a.WaitFor([&](const JsonDoc& d) { return IsTick(d, 0, 0) && FindUpdate(d, "a", b_id) >= 0; },
            "B added for A");
  b.WaitFor([&](const JsonDoc& d) { return IsTick(d, 0, 0) && FindUpdate(d, "a", a_id) >= 0; },
            "A in B's keyframe");

  // world.input moves A: B gets an update with only the changed fields, frame_seq dense.
  a.Send("world.input", R"({"x":60,"y":70,"hp":3})");
  JsonDoc u =
      b.WaitFor([&](const JsonDoc& d) { return IsTick(d, 0, 0) && FindUpdate(d, "u", a_id) >= 0; },
                "A's update");
  const std::string j = std::to_string(FindUpdate(u, "u", a_id));
  EXPECT_EQ(u.Int({"payload", "updates", j, "x"}).value_or(0), 60);
  EXPECT_EQ(u.Int({"payload", "updates", j, "y"}).value_or(0), 70);
  EXPECT_EQ(u.Int({"payload", "updates", j, "hp"}).value_or(0), 3);
  EXPECT_FALSE(u.Has({"payload", "updates", j, "type"}));  // unchanged fields are not sent
  EXPECT_EQ(u.Raw({"payload", "kf"}).value_or(""), "false");
  EXPECT_GT(u.Int({"payload", "tick"}).value_or(0), 0);

  // Leave: world.left, A's entity removed for B, A gets the ungated removal frame.
  JsonDoc left = a.Call("world.leave", "{}");
  EXPECT_EQ(left.Str({"type"}).value_or(""), "world.left");
  EXPECT_EQ(left.Raw({"payload"}).value_or(""), R"({"success":true})");
  JsonDoc gone = a.WaitFor(
      [&](const JsonDoc& d) {
        return IsTick(d, 0, 0) && !d.Has({"payload", "frame_seq"});
      },
      "ungated removal frame");
  EXPECT_FALSE(gone.Has({"payload", "kf"}));
  EXPECT_EQ(gone.Int({"payload", "tick"}).value_or(-1), 0);
  EXPECT_GE(FindUpdate(gone, "r", b_id), 0);
  b.WaitFor([&](const JsonDoc& d) { return IsTick(d, 0, 0) && FindUpdate(d, "r", a_id) >= 0; },
            "A removed for B");
  JsonDoc after = b.Call("world.list", "{}");
  EXPECT_EQ(after.Int({"payload", "worlds", "0", "player_count"}).value_or(0), 1);
}

TEST_F(WorldTest, CrossingAZoneBorderMovesTheEntityAndTheInterest) {
  const auto a_reg = Register("world_cross_a");
  const std::string a_id = a_reg.first, a_token = a_reg.second;
  const auto b_reg = Register("world_cross_b");
  const std::string b_id = b_reg.first, b_token = b_reg.second;
  Player a, b;
  ASSERT_TRUE(a.Connect(server_->port(), a_token));
  ASSERT_TRUE(b.Connect(server_->port(), b_token));
  JsonDoc joined = a.Call("world.create", R"({"mode":"tw"})");
  ASSERT_EQ(joined.Str({"type"}).value_or(""), "world.joined") << joined.text();
  const std::string world_id = joined.Str({"payload", "world_id"}).value_or("");
  ASSERT_EQ(b.Call("world.join", R"({"world_id":")" + world_id + "\"}").Str({"type"}),
            "world.joined");
  b.WaitFor([&](const JsonDoc& d) { return IsTick(d, 0, 0) && FindUpdate(d, "a", a_id) >= 0; },
            "A seen by B");

  // Marker entities show each zone's zone_state (generate_world, on_zone_loaded).
  std::map<std::string, std::string> biomes;
  a.observer = [&](const JsonDoc& d) {
    for (const char* m : {"marker_1", "marker_2"}) {
      const int k = FindUpdate(d, "a", m);
      if (k >= 0)
        biomes[m] = d.Str({"payload", "updates", std::to_string(k), "biome"}).value_or("");
    }
  };
  // A walks into zone (1,0): B (still in (0,0)) sees A removed there; A leaves (0,0)'s
  // interest (ungated frame), gets (1,0)'s keyframe and its own entity added there.
  a.Send("world.input", R"({"x":150,"y":50})");
  b.WaitFor([&](const JsonDoc& d) { return IsTick(d, 0, 0) && FindUpdate(d, "r", a_id) >= 0; },
            "A removed from zone (0,0)");
  a.WaitFor(
      [](const JsonDoc& d) {
        return IsTick(d, 1, 0) && d.Raw({"payload", "kf"}) == "true";
      },
      "keyframe of zone (1,0)");
  JsonDoc there =
      a.WaitFor([&](const JsonDoc& d) { return IsTick(d, 1, 0) && FindUpdate(d, "a", a_id) >= 0; },
                "A in zone (1,0)");
  const std::string i = std::to_string(FindUpdate(there, "a", a_id));
  EXPECT_EQ(there.Int({"payload", "updates", i, "x"}).value_or(0), 150);
  EXPECT_EQ(there.Str({"payload", "updates", i, "type"}).value_or(""), "player");

  // Input still reaches the entity in its new zone.
  a.Send("world.input", R"({"x":160,"y":60})");
  a.WaitFor(
      [&](const JsonDoc& d) {
        if (!IsTick(d, 1, 0)) return false;
        const int k = FindUpdate(d, "u", a_id);
        return k >= 0 && d.Int({"payload", "updates", std::to_string(k), "x"}) == 160;
      },
      "A moved in zone (1,0)");

  // A script entity crosses on its own: the npc spawned in (0,0) walks into (1,0) and B sees
  // it leave (0,0).
  b.Send("world.input", R"({"spawn_npc":true})");
  b.WaitFor([&](const JsonDoc& d) { return IsTick(d, 0, 0) && FindUpdate(d, "a", "npc_1") >= 0; },
            "npc added in (0,0)");
  b.WaitFor([&](const JsonDoc& d) { return IsTick(d, 0, 0) && FindUpdate(d, "r", "npc_1") >= 0; },
            "npc left (0,0)");
  a.WaitFor([&](const JsonDoc& d) { return IsTick(d, 1, 0) && FindUpdate(d, "a", "npc_1") >= 0; },
            "npc entered (1,0)");

  a.Send("world.input", R"({"x":250,"y":60})");
  a.WaitFor([&](const JsonDoc&) { return biomes.count("marker_2") != 0; }, "zone (2,0)'s marker");
  EXPECT_EQ(biomes["marker_1"], "sand");   // generate_world
  EXPECT_EQ(biomes["marker_2"], "grass");  // on_zone_loaded wins over generate_world
}

// Reads frames until a binary world.tick that `pred` accepts (decoded); text frames are kept
// in `*texts`. A test failure after 5 s.
template <class Pred>
world_tick::WorldTickFrame NextBinary(Player& p, Pred pred, std::vector<std::string>* texts,
                                      const char* what) {
  const int64_t deadline = NowMs() + 5000;
  while (NowMs() < deadline) {
    WsFrame f;
    if (p.ws().Recv(&f, int(deadline - NowMs())) != WsRecv::kFrame) break;
    if (f.opcode == kWsText) {
      texts->push_back(f.payload);
      continue;
    }
    if (f.opcode != kWsBinary) continue;
    world_tick::WorldTickFrame frame;
    EXPECT_TRUE(world_tick::DecodeBinaryWorldTick(f.payload, &frame).ok());
    if (pred(frame)) return frame;
  }
  ADD_FAILURE() << "timed out waiting for " << what;
  return {};
}

// The value of field `name` of the first record with op `op` and slot of `id`'s add.
const world_tick::DeltaField* FieldOf(const world_tick::WorldTickFrame& f,
                                      const world_tick::EntityDelta& r, const std::string& name) {
  for (const world_tick::DeltaField& d : f.FieldsOf(r)) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

TEST_F(WorldTest, BinaryWorldTickWhenNegotiated) {
  const auto a_reg = Register("world_bin_a");
  const std::string a_id = a_reg.first, a_token = a_reg.second;
  const auto b_reg = Register("world_bin_b");
  const std::string b_id = b_reg.first, b_token = b_reg.second;
  Player a, b;
  ASSERT_TRUE(a.Connect(server_->port(), a_token, /*binary=*/true));
  ASSERT_TRUE(b.Connect(server_->port(), b_token));
  JsonDoc joined = a.Call("world.create", R"({"mode":"tw"})");
  ASSERT_EQ(joined.Str({"type"}).value_or(""), "world.joined") << joined.text();
  const std::string world_id = joined.Str({"payload", "world_id"}).value_or("");
  std::vector<std::string> texts;
  world_tick::WorldTickFrame kf = NextBinary(
      a, [](const world_tick::WorldTickFrame& f) { return f.kf; }, &texts, "binary keyframe");
  EXPECT_EQ(kf.zone_x, 0);
  EXPECT_EQ(kf.zone_y, 0);
  EXPECT_EQ(kf.tick, 0u);
  // A's own entity arrives as a binary add with its id and fields.
  world_tick::WorldTickFrame add = NextBinary(
      a,
      [&](const world_tick::WorldTickFrame& f) {
        for (const auto& r : f.records) {
          if (r.op == world_tick::DeltaOp::kAdd && r.id == a_id) return true;
        }
        return false;
      },
      &texts, "binary add");
  EXPECT_FALSE(add.kf);
  EXPECT_GE(add.frame_seq, 1u);
  for (const auto& r : add.records) {
    if (r.id != a_id) continue;
    const world_tick::DeltaField* x = FieldOf(add, r, "x");
    ASSERT_NE(x, nullptr);
    EXPECT_EQ(x->value.int_value(), 50);
    const world_tick::DeltaField* type = FieldOf(add, r, "type");
    ASSERT_NE(type, nullptr);
    EXPECT_EQ(type->value.text(), "player");
  }
  // B (JSON) in the same world gets text frames of the same zone.
  ASSERT_EQ(b.Call("world.join", R"({"world_id":")" + world_id + "\"}").Str({"type"}),
            "world.joined");
  b.WaitFor([&](const JsonDoc& d) { return IsTick(d, 0, 0) && FindUpdate(d, "a", a_id) >= 0; },
            "A seen by the JSON client");

  // DECISIONS wire 6: an integer beyond int32 never goes out truncated: that frame reaches
  // the binary client as text, and the next frame is a binary keyframe (§11.3).
  a.Send("world.input", R"({"hp":1099511627776})");
  const int64_t deadline = NowMs() + 5000;
  bool text_seen = false;
  while (!text_seen && NowMs() < deadline) {
    for (const std::string& t : texts) {
      JsonDoc d;
      if (d.Parse(t) && IsTick(d, 0, 0) && FindUpdate(d, "u", a_id) >= 0) {
        const int k = FindUpdate(d, "u", a_id);
        text_seen = d.Int({"payload", "updates", std::to_string(k), "hp"}) == 1099511627776;
      }
    }
    texts.clear();
    WsFrame f;
    if (!text_seen && a.ws().Recv(&f, 200) == WsRecv::kFrame && f.opcode == kWsText) {
      texts.push_back(f.payload);
    }
  }
  EXPECT_TRUE(text_seen);
  a.Send("world.input", R"({"hp":2})");
  world_tick::WorldTickFrame repaired = NextBinary(
      a, [](const world_tick::WorldTickFrame& f) { return f.kf && f.tick > 0; }, &texts,
      "binary repair keyframe");
  EXPECT_FALSE(repaired.records.empty());
}

// §10.7 world.resync (2 per 10 s per player) and §10.8 world.ack. The zone handles a resync
// and a later input in mailbox order, so a keyframe for a resync that was not dropped would
// arrive before the ack of an input sent after it.
TEST_F(WorldTest, ResyncAndAck) {
  const auto a_reg = Register("world_resync_a");
  const std::string a_id = a_reg.first, a_token = a_reg.second;
  Player a;
  ASSERT_TRUE(a.Connect(server_->port(), a_token));
  ASSERT_EQ(a.Call("world.create", R"({"mode":"tw"})").Str({"type"}), "world.joined");
  auto keyframe = [](const JsonDoc& d) {
    return IsTick(d, 0, 0) && d.Raw({"payload", "kf"}) == "true";
  };
  a.WaitFor(keyframe, "subscription keyframe");
  a.WaitFor([&](const JsonDoc& d) { return IsTick(d, 0, 0) && FindUpdate(d, "a", a_id) >= 0; },
            "A's entity in the baseline");
  // Invalid or foreign zones are dropped silently (and cost no token).
  a.Send("world.resync", R"({"zone":[0]})");
  a.Send("world.resync", R"({"zone":[0,"0"]})");
  a.Send("world.resync", R"({"zone":[4294967296,0]})");
  a.Send("world.resync", R"({"zone":[2,2]})");
  a.Send("world.resync", R"({"zone":[0,0],"reason":"gap"})");
  JsonDoc kf = a.WaitFor(keyframe, "resync keyframe");
  EXPECT_EQ(kf.Int({"payload", "tick"}).value_or(-1), 0);
  EXPECT_GE(FindUpdate(kf, "a", a_id), 0);
  EXPECT_TRUE(a.ws().SendText(R"({"type":"world.input","seq":7,"payload":{"x":55,"y":55}})"));
  // Keyframes are encoded once per baseline and shared until the next broadcast: after the
  // broadcast that moved A, a keyframe carries the new position, never the cached old one.
  std::vector<JsonDoc> acked = a.WaitForAll(
      {[](const JsonDoc& d) { return d.Str({"type"}).value_or("") == "world.ack"; },
       [&](const JsonDoc& d) {
         const int i = FindUpdate(d, "u", a_id);
         return IsTick(d, 0, 0) && i >= 0 &&
                d.Int({"payload", "updates", std::to_string(i), "x"}).value_or(0) == 55;
       }},
      "ack 7 and A's move to x = 55");
  ASSERT_EQ(acked.size(), 2u);
  EXPECT_EQ(acked[0].Int({"payload", "seq"}).value_or(0), 7);
  EXPECT_GT(acked[0].Int({"payload", "tick"}).value_or(0), 0);
  a.Send("world.resync", R"({"zone":[0,0]})");
  JsonDoc moved = a.WaitFor(keyframe, "second resync keyframe");
  const int at = FindUpdate(moved, "a", a_id);
  ASSERT_GE(at, 0);
  EXPECT_EQ(moved.Int({"payload", "updates", std::to_string(at), "x"}).value_or(0), 55);
  a.Send("world.resync", R"({"zone":[0,0]})");  // third in 10 s: dropped
  EXPECT_TRUE(a.ws().SendText(R"({"type":"world.input","seq":8,"payload":{"x":56,"y":55}})"));
  bool dropped = true;
  a.WaitFor(
      [&](const JsonDoc& d) {
        if (keyframe(d)) dropped = false;
        return d.Str({"type"}).value_or("") == "world.ack" &&
               d.Int({"payload", "seq"}).value_or(0) == 8;
      },
      "ack 8");
  EXPECT_TRUE(dropped);
  // A lower seq is never acked again (acks strictly increase).
  EXPECT_TRUE(a.ws().SendText(R"({"type":"world.input","seq":3,"payload":{"x":57,"y":55}})"));
  EXPECT_TRUE(a.ws().SendText(R"({"type":"world.input","seq":9,"payload":{"x":58,"y":55}})"));
  JsonDoc next = a.WaitFor(
      [](const JsonDoc& d) { return d.Str({"type"}).value_or("") == "world.ack"; }, "ack 9");
  EXPECT_EQ(next.Int({"payload", "seq"}).value_or(0), 9);
}

// A zone script that loops or allocates without bound: that zone restarts from its snapshot
// (its subscribers get a keyframe) and goes on; the other zones and the world keep ticking.
TEST_F(WorldTest, RunawayZoneRestartsFromItsSnapshot) {
  const auto a_reg = Register("world_bomb_a");
  const std::string a_id = a_reg.first, a_token = a_reg.second;
  Player a;
  ASSERT_TRUE(a.Connect(server_->port(), a_token));
  ASSERT_EQ(a.Call("world.create", R"({"mode":"bomb"})").Str({"type"}), "world.joined");
  // The ring's world.terrain chunks (terrain_provider: flat), one per subscribed zone.
  std::set<std::pair<int, int>> terrain;
  a.observer = [&](const JsonDoc& d) {
    if (d.Str({"type"}).value_or("") != "world.terrain") return;
    EXPECT_FALSE(d.Str({"payload", "data"}).value_or("").empty());
    terrain.insert({int(d.Int({"payload", "coords", "0"}).value_or(-1)),
                    int(d.Int({"payload", "coords", "1"}).value_or(-1))});
  };
  // The four subscription keyframes of the ring, and A's entity.
  std::set<std::pair<int, int>> keyframes;
  bool a_seen = false;
  a.WaitFor(
      [&](const JsonDoc& d) {
        if (d.Str({"type"}).value_or("") != "world.tick") return false;
        if (d.Raw({"payload", "kf"}) == "true") {
          keyframes.insert({int(d.Int({"payload", "zone", "0"}).value_or(-1)),
                            int(d.Int({"payload", "zone", "1"}).value_or(-1))});
        }
        a_seen = a_seen || (IsTick(d, 0, 0) && FindUpdate(d, "a", a_id) >= 0);
        return a_seen && keyframes.size() == 4;
      },
      "the ring's keyframes and A in zone (0,0)");
  a.Send("world.input", R"({"bomb":"loop"})");
  a.Send("world.input", R"({"bomb":"alloc"})");
  // Zone (1,0) overran its budget three times after a broadcast held the bomb: its snapshot
  // has it. Zone (0,1) ran out of memory on the tick the bomb arrived, before any broadcast
  // held it: its snapshot has no bomb. The restart keyframes come in either order.
  bool loop_restarted = false, alloc_restarted = false;
  a.WaitFor(
      [&](const JsonDoc& d) {
        if (d.Raw({"payload", "kf"}) != "true") return false;
        if (IsTick(d, 1, 0)) loop_restarted = FindUpdate(d, "a", "bomb_loop") >= 0;
        if (IsTick(d, 0, 1)) {
          alloc_restarted = true;
          EXPECT_LT(FindUpdate(d, "a", "bomb_alloc"), 0);
        }
        return loop_restarted && alloc_restarted;
      },
      "zones (1,0) and (0,1) restarted from their snapshots");
  // Zone (0,0) kept ticking, and the restarted zone (1,0) runs again: A walks into it.
  a.Send("world.input", R"({"x":60,"y":60})");
  a.WaitFor([&](const JsonDoc& d) { return IsTick(d, 0, 0) && FindUpdate(d, "u", a_id) >= 0; },
            "A moved in zone (0,0)");
  a.Send("world.input", R"({"x":160,"y":60})");
  a.WaitFor([&](const JsonDoc& d) { return IsTick(d, 1, 0) && FindUpdate(d, "a", a_id) >= 0; },
            "A in the restarted zone (1,0)");
  const std::string log = server_->log();
  EXPECT_NE(log.find("zone restarted"), std::string::npos);
  // Both failures are on /metrics (issue 15 item 3): the loop as zone_tick timeouts, the
  // allocation as a zone_tick error (a memory cap counts as an error).
  const std::string metrics = Call("GET", "/metrics").body;
  EXPECT_GE(MetricValue(metrics,
                        "asobi_lua_callback_failures_total{script=\"world\","
                        "callback=\"zone_tick\",kind=\"timeout\"}"),
            1)
      << metrics;
  EXPECT_GE(MetricValue(metrics,
                        "asobi_lua_callback_failures_total{script=\"world\","
                        "callback=\"zone_tick\",kind=\"error\"}"),
            1);
  // Every zone of both rings (around (0,0), then around (1,0)) sent its chunk.
  EXPECT_EQ(terrain,
            (std::set<std::pair<int, int>>{{0, 0}, {1, 0}, {0, 1}, {1, 1}, {2, 0}, {2, 1}}));
  // A terrain provider that is not allow-listed: the world does not start.
  Player b;
  const auto b_reg = Register("world_bomb_b");
  ASSERT_TRUE(b.Connect(server_->port(), b_reg.second));
  EXPECT_TRUE(CallFails(b, "world.create", R"({"mode":"badterrain"})", "script_failed",
                        "ws.request_failed"));
}

// game.spatial.* from a zone script (lua.md §9, §18), answered to the player by game.send.
TEST_F(WorldTest, SpatialQueriesInAZone) {
  const auto a_reg = Register("world_spatial_a");
  const std::string a_id = a_reg.first, a_token = a_reg.second;
  const auto b_reg = Register("world_spatial_b");
  const std::string b_id = b_reg.first, b_token = b_reg.second;
  Player a, b;
  ASSERT_TRUE(a.Connect(server_->port(), a_token));
  ASSERT_TRUE(b.Connect(server_->port(), b_token));
  JsonDoc joined = a.Call("world.create", R"({"mode":"tw"})");
  const std::string world_id = joined.Str({"payload", "world_id"}).value_or("");
  ASSERT_EQ(b.Call("world.join", R"({"world_id":")" + world_id + "\"}").Str({"type"}),
            "world.joined");
  b.Send("world.input", R"({"x":90,"y":90})");
  a.WaitFor(
      [&](const JsonDoc& d) {
        const int k =
            FindUpdate(d, "a", b_id) >= 0 ? FindUpdate(d, "a", b_id) : FindUpdate(d, "u", b_id);
        return IsTick(d, 0, 0) && k >= 0 &&
               d.Int({"payload", "updates", std::to_string(k), "x"}) == 90;
      },
      "B at (90,90)");
  a.Send("world.input", R"({"spatial":true})");
  JsonDoc m =
      a.WaitFor([](const JsonDoc& d) { return d.Str({"type"}).value_or("") == "module.message"; },
                "spatial results");
  EXPECT_EQ(m.Int({"payload", "message", "nearest"}).value_or(0), 2);
  EXPECT_EQ(m.Int({"payload", "message", "others"}).value_or(0), 1);
  EXPECT_EQ(m.Str({"payload", "message", "far"}).value_or(""), b_id);
  EXPECT_EQ(m.Int({"payload", "message", "mine"}).value_or(0), 1);
  EXPECT_EQ(m.Str({"payload", "message", "mine_id"}).value_or(""), a_id);
  EXPECT_EQ(m.Str({"payload", "message", "bad"}).value_or(""),
            "game.spatial.query_radius: invalid option bogus");
  EXPECT_EQ(m.Str({"payload", "message", "bad_max"}).value_or(""),
            "game.spatial.nearest: invalid option max_results");
  EXPECT_EQ(m.Str({"payload", "message", "bad_type"}).value_or(""),
            "game.spatial.query_radius: invalid option type");
  EXPECT_NE(m.Str({"payload", "message", "usage"}).value_or("").find("requires"),
            std::string::npos);
  EXPECT_EQ(m.Int({"payload", "message", "dist"}).value_or(0), 5);
  EXPECT_EQ(m.Raw({"payload", "message", "no_dist"}).value_or(""), "false");
  EXPECT_EQ(m.Raw({"payload", "message", "in_range"}).value_or(""), "false");
}

// Border bands (neighbours_radius / neighbours_rect) and cross-zone effects: a turret in zone
// (1,0) sees the player in (0,0)'s band and its effects lower the player's hp through
// handle_effects; game.zone.apply's 4 KiB and 64-per-tick caps and bad input.
TEST_F(WorldTest, BorderBandsAndCrossZoneEffects) {
  const auto a_reg = Register("world_effects_a");
  const std::string a_id = a_reg.first, a_token = a_reg.second;
  Player a;
  ASSERT_TRUE(a.Connect(server_->port(), a_token));
  JsonDoc joined = a.Call("world.create", R"({"mode":"effects"})");
  ASSERT_EQ(joined.Str({"type"}).value_or(""), "world.joined") << joined.text();
  JsonDoc w =
      a.WaitFor([](const JsonDoc& d) { return d.Str({"type"}).value_or("") == "module.message"; },
                "the world state's game.zone answer");
  EXPECT_EQ(w.Str({"payload", "message", "world_zone_err"}).value_or(""),
            "game.zone.apply is not available outside a zone");
  a.WaitFor([&](const JsonDoc& d) { return IsTick(d, 0, 0) && FindUpdate(d, "a", a_id) >= 0; },
            "A in zone (0,0)");

  a.Send("world.input", R"({"turret":true})");
  a.WaitFor([&](const JsonDoc& d) { return IsTick(d, 1, 0) && FindUpdate(d, "a", "turret") >= 0; },
            "the turret in zone (1,0)");
  JsonDoc hit = a.WaitFor(
      [&](const JsonDoc& d) {
        const int k = FindUpdate(d, "u", a_id);
        return IsTick(d, 0, 0) && k >= 0 &&
               d.Int({"payload", "updates", std::to_string(k), "hp"}).value_or(100) < 100;
      },
      "A hit across the border");
  const std::string k = std::to_string(FindUpdate(hit, "u", a_id));
  EXPECT_EQ(hit.Int({"payload", "updates", k, "hp"}).value_or(0) % 5, 0);
  EXPECT_EQ(hit.Str({"payload", "updates", k, "hit_by"}).value_or(""), "turret");

  a.Send("world.input", R"({"probe":true})");
  JsonDoc m = a.WaitFor(
      [](const JsonDoc& d) {
        return d.Str({"type"}).value_or("") == "module.message" &&
               d.Has({"payload", "message", "sent"});
      },
      "probe results");
  EXPECT_EQ(m.Int({"payload", "message", "sent"}).value_or(0), 64);
  EXPECT_EQ(m.Raw({"payload", "message", "after_cap"}).value_or(""), "false");
  EXPECT_EQ(m.Raw({"payload", "message", "big"}).value_or(""), "false");
  EXPECT_EQ(m.Raw({"payload", "message", "unknown"}).value_or(""), "false");
  EXPECT_EQ(m.Raw({"payload", "message", "own"}).value_or(""), "false");
  EXPECT_EQ(m.Int({"payload", "message", "rect"}).value_or(0), 1);
  EXPECT_EQ(m.Str({"payload", "message", "rect_id"}).value_or(""), "turret");
  EXPECT_EQ(m.Raw({"payload", "message", "rect_has_dist"}).value_or(""), "false");
  EXPECT_EQ(m.Int({"payload", "message", "radius_dist"}).value_or(-1), 0);
  EXPECT_EQ(m.Int({"payload", "message", "far"}).value_or(-1), 0);
  EXPECT_EQ(m.Str({"payload", "message", "bad_sort"}).value_or(""),
            "game.spatial.neighbours_rect: invalid option sort");
  EXPECT_NE(m.Str({"payload", "message", "nan"}).value_or("").find("requires"), std::string::npos);
  EXPECT_NE(m.Str({"payload", "message", "inf"}).value_or("").find("requires"), std::string::npos);
  EXPECT_NE(m.Str({"payload", "message", "spawn_nan"}).value_or("").find("requires"),
            std::string::npos);
  EXPECT_NE(m.Str({"payload", "message", "apply_usage"}).value_or("").find("requires"),
            std::string::npos);
  // The 64 accepted effects reach the turret's handle_effects (in one batch or more).
  a.WaitFor(
      [&](const JsonDoc& d) {
        const int t = FindUpdate(d, "u", "turret");
        return IsTick(d, 1, 0) && t >= 0 &&
               d.Int({"payload", "updates", std::to_string(t), "received"}).value_or(0) == 64;
      },
      "64 effects received by the turret");

  // game.zone.despawn removes the entity from its zone's table at once.
  a.Send("world.input", R"({"despawn":true})");
  a.WaitFor([&](const JsonDoc& d) { return IsTick(d, 0, 0) && FindUpdate(d, "r", a_id) >= 0; },
            "A despawned");
}

// Spawn templates: game.zone.spawn adds the template's entity (base_state, overrides, type,
// position) at the next tick; once eaten it respawns after its timer, at most max_respawns.
TEST_F(WorldTest, SpawnTemplatesAndRespawns) {
  const auto a_reg = Register("world_spawn_a");
  const std::string a_token = a_reg.second;
  Player a;
  ASSERT_TRUE(a.Connect(server_->port(), a_token));
  JsonDoc joined = a.Call("world.create", R"({"mode":"effects"})");
  ASSERT_EQ(joined.Str({"type"}).value_or(""), "world.joined") << joined.text();
  a.Send("world.input", R"({"spawn":"berry"})");
  JsonDoc m = a.WaitFor(
      [](const JsonDoc& d) {
        return d.Str({"type"}).value_or("") == "module.message" &&
               d.Has({"payload", "message", "spawned"});
      },
      "spawn answers");
  EXPECT_EQ(m.Raw({"payload", "message", "spawned"}).value_or(""), "true");
  EXPECT_EQ(m.Raw({"payload", "message", "unknown_template"}).value_or(""), "false");
  EXPECT_EQ(m.Raw({"payload", "message", "bad_template"}).value_or(""), "false");
  const std::string berry = "berry_0_0_1";
  auto added = [&](const char* what) {
    JsonDoc d = a.WaitFor(
        [&](const JsonDoc& f) { return IsTick(f, 0, 0) && FindUpdate(f, "a", berry) >= 0; }, what);
    const std::string k = std::to_string(FindUpdate(d, "a", berry));
    EXPECT_EQ(d.Str({"payload", "updates", k, "type"}).value_or(""), "berry");
    EXPECT_EQ(d.Int({"payload", "updates", k, "food"}).value_or(0), 9);  // the override
    EXPECT_EQ(d.Str({"payload", "updates", k, "kind"}).value_or(""), "red");
    EXPECT_EQ(d.Int({"payload", "updates", k, "x"}).value_or(0), 80);
    EXPECT_EQ(d.Int({"payload", "updates", k, "y"}).value_or(0), 50);
  };
  added("the berry spawned");
  a.Send("world.input", R"({"eat":"berry_0_0_1"})");
  a.WaitFor([&](const JsonDoc& d) { return IsTick(d, 0, 0) && FindUpdate(d, "r", berry) >= 0; },
            "the berry eaten");
  added("the berry respawned");
  a.Send("world.input", R"({"eat":"berry_0_0_1"})");
  a.WaitFor([&](const JsonDoc& d) { return IsTick(d, 0, 0) && FindUpdate(d, "r", berry) >= 0; },
            "the berry eaten again");
  JsonDoc check = a.WaitFor(
      [](const JsonDoc& d) { return d.Str({"type"}).value_or("") == "world.berry_check"; },
      "the berry check 10 ticks later");
  EXPECT_EQ(check.Raw({"payload", "present"}).value_or(""), "false");  // max_respawns = 1
}

// Crossing hysteresis: 15 units past the border the entity still belongs to its zone; beyond
// that it crosses.
TEST_F(WorldTest, CrossingHysteresis) {
  const auto a_reg = Register("world_hyst_a");
  const std::string a_id = a_reg.first, a_token = a_reg.second;
  Player a;
  ASSERT_TRUE(a.Connect(server_->port(), a_token));
  JsonDoc joined = a.Call("world.create", R"({"mode":"effects"})");
  ASSERT_EQ(joined.Str({"type"}).value_or(""), "world.joined") << joined.text();
  auto moved_in_00 = [&](int x) {
    return [&, x](const JsonDoc& d) {
      const int k = FindUpdate(d, "u", a_id);
      return IsTick(d, 0, 0) && k >= 0 &&
             d.Int({"payload", "updates", std::to_string(k), "x"}).value_or(0) == x;
    };
  };
  a.WaitFor([&](const JsonDoc& d) { return IsTick(d, 0, 0) && FindUpdate(d, "a", a_id) >= 0; },
            "A in zone (0,0)");
  a.Send("world.input", R"({"x":110,"y":50})");
  a.WaitFor(moved_in_00(110), "A at x=110 still in zone (0,0)");
  a.Send("world.input", R"({"x":99,"y":50})");
  a.WaitFor(moved_in_00(99), "A back at x=99");
  a.Send("world.input", R"({"x":115,"y":50})");
  a.WaitFor(moved_in_00(115), "A at x=115, the edge of the hysteresis");
  a.Send("world.input", R"({"x":116,"y":50})");
  a.WaitFor([&](const JsonDoc& d) { return IsTick(d, 0, 0) && FindUpdate(d, "r", a_id) >= 0; },
            "A left zone (0,0)");
  a.WaitFor([&](const JsonDoc& d) { return IsTick(d, 1, 0) && FindUpdate(d, "a", a_id) >= 0; },
            "A entered zone (1,0)");
}

// lua/island: trees to gather that grow back, walking across a zone border.
TEST_F(WorldTest, IslandExampleGame) {
  const auto a_reg = Register("world_island_a");
  const std::string a_id = a_reg.first, a_token = a_reg.second;
  Player a;
  ASSERT_TRUE(a.Connect(server_->port(), a_token));
  JsonDoc joined = a.Call("world.find_or_create", R"({"mode":"island"})");
  ASSERT_EQ(joined.Str({"type"}).value_or(""), "world.joined") << joined.text();
  EXPECT_EQ(joined.Int({"payload", "grid_size"}).value_or(0), 4);
  JsonDoc tree = a.WaitFor(
      [](const JsonDoc& d) { return IsTick(d, 0, 0) && FindUpdate(d, "a", "tree_0_0_1") >= 0; },
      "a tree");
  const std::string t = std::to_string(FindUpdate(tree, "a", "tree_0_0_1"));
  EXPECT_EQ(tree.Str({"payload", "updates", t, "type"}).value_or(""), "tree");
  EXPECT_EQ(tree.Int({"payload", "updates", t, "x"}).value_or(0), 30);

  a.Send("world.input", R"({"gather":"tree_0_0_1"})");
  // The tree's removal and the player's wood come in one frame or in two.
  bool removed = false, wood = false;
  a.WaitFor(
      [&](const JsonDoc& d) {
        if (!IsTick(d, 0, 0)) return false;
        removed = removed || FindUpdate(d, "r", "tree_0_0_1") >= 0;
        const int k = FindUpdate(d, "u", a_id);
        wood = wood || (k >= 0 && d.Int({"payload", "updates", std::to_string(k), "wood"}) == 1);
        return removed && wood;
      },
      "the tree gathered into one wood");
  a.WaitFor(
      [](const JsonDoc& d) { return IsTick(d, 0, 0) && FindUpdate(d, "a", "tree_0_0_1") >= 0; },
      "the tree grown back");

  // Walking east: the player's entity leaves zone (0,0) and enters (1,0), which was already in
  // the interest ring (view_radius 1).
  a.Send("world.input", R"({"dx":1,"dy":0})");
  a.WaitFor([&](const JsonDoc& d) { return IsTick(d, 0, 0) && FindUpdate(d, "r", a_id) >= 0; },
            "left zone (0,0)");
  a.WaitFor([&](const JsonDoc& d) { return IsTick(d, 1, 0) && FindUpdate(d, "a", a_id) >= 0; },
            "entered zone (1,0)");
}

// Huge coordinates from a client put the entity in the nearest edge zone; NaN and infinity
// from Lua go out as null; a socket that closes takes its player out of the world.
TEST_F(WorldTest, HugeCoordinatesNanAndDisconnect) {
  const auto a_reg = Register("world_huge_a");
  const std::string a_id = a_reg.first, a_token = a_reg.second;
  const auto b_reg = Register("world_huge_b");
  const std::string b_id = b_reg.first, b_token = b_reg.second;
  Player a;
  auto b = std::make_unique<Player>();
  ASSERT_TRUE(a.Connect(server_->port(), a_token));
  ASSERT_TRUE(b->Connect(server_->port(), b_token));
  JsonDoc joined = a.Call("world.create", R"({"mode":"tw"})");
  const std::string world_id = joined.Str({"payload", "world_id"}).value_or("");
  ASSERT_EQ(b->Call("world.join", R"({"world_id":")" + world_id + "\"}").Str({"type"}),
            "world.joined");
  a.WaitFor([&](const JsonDoc& d) { return IsTick(d, 0, 0) && FindUpdate(d, "a", b_id) >= 0; },
            "B seen by A");
  a.Send("world.input", R"({"nan":true})");
  JsonDoc nan = a.WaitFor(
      [&](const JsonDoc& d) { return IsTick(d, 0, 0) && FindUpdate(d, "u", a_id) >= 0; }, "A's hp");
  const std::string k = std::to_string(FindUpdate(nan, "u", a_id));
  EXPECT_EQ(nan.Raw({"payload", "updates", k, "hp"}).value_or(""), "null");
  EXPECT_EQ(nan.Raw({"payload", "updates", k, "mp"}).value_or(""), "null");

  // B's socket closes: A sees B's entity removed.
  b.reset();
  a.WaitFor([&](const JsonDoc& d) { return IsTick(d, 0, 0) && FindUpdate(d, "r", b_id) >= 0; },
            "B removed after its socket closed");
  JsonDoc list = a.Call("world.list", "{}");
  bool found = false;
  for (int i = 0; i < 100; ++i) {
    const std::string n = std::to_string(i);
    if (list.Str({"payload", "worlds", n, "world_id"}).value_or("") != world_id) continue;
    found = true;
    EXPECT_EQ(list.Int({"payload", "worlds", n, "player_count"}).value_or(-1), 1);
  }
  EXPECT_TRUE(found);

  a.Send("world.input", R"({"x":1e308,"y":-1e308})");
  JsonDoc edge =
      a.WaitFor([&](const JsonDoc& d) { return IsTick(d, 2, 0) && FindUpdate(d, "a", a_id) >= 0; },
                "A in the edge zone (2,0)");
  const std::string e = std::to_string(FindUpdate(edge, "a", a_id));
  EXPECT_EQ(edge.Raw({"payload", "updates", e, "x"}).value_or(""), "1e+308");
}

// Reconnection grace (mode global reconnect_grace_ms): a player whose socket closes keeps the
// seat and its entity; a new socket of that player takes it back and gets keyframes again.
TEST_F(WorldTest, ReconnectionGrace) {
  const auto a_reg = Register("world_grace_a");
  const std::string a_id = a_reg.first, a_token = a_reg.second;
  const auto b_reg = Register("world_grace_b");
  const std::string b_id = b_reg.first, b_token = b_reg.second;
  Player a;
  auto b = std::make_unique<Player>();
  ASSERT_TRUE(a.Connect(server_->port(), a_token));
  ASSERT_TRUE(b->Connect(server_->port(), b_token));
  JsonDoc joined = a.Call("world.create", R"({"mode":"grace"})");
  const std::string world_id = joined.Str({"payload", "world_id"}).value_or("");
  ASSERT_EQ(b->Call("world.join", R"({"world_id":")" + world_id + "\"}").Str({"type"}),
            "world.joined");
  a.WaitFor([&](const JsonDoc& d) { return IsTick(d, 0, 0) && FindUpdate(d, "a", b_id) >= 0; },
            "B seen by A");
  b.reset();
  // Still two players (the world's listing changes only when a seat is given up).
  HttpResponse r = Call("GET", "/api/v1/worlds/" + world_id, "", a_token);
  EXPECT_EQ(Json(r).Int({"player_count"}).value_or(0), 2);
  Player b2;
  ASSERT_TRUE(b2.Connect(server_->port(), b_token));
  JsonDoc kf = b2.WaitFor(
      [&](const JsonDoc& d) {
        return IsTick(d, 0, 0) && d.Raw({"payload", "kf"}) == "true" &&
               FindUpdate(d, "a", b_id) >= 0;
      },
      "keyframe with B's own entity on the new socket");
  EXPECT_GE(FindUpdate(kf, "a", a_id), 0);
  b2.Send("world.input", R"({"x":70,"y":70})");
  a.WaitFor([&](const JsonDoc& d) { return IsTick(d, 0, 0) && FindUpdate(d, "u", b_id) >= 0; },
            "B moved through the new socket");
  // A reconnect whose new socket authenticates before the server sees the old one close (a
  // half-open connection): the new socket waits and takes the seat at that close, no grace.
  Player b3;
  ASSERT_TRUE(b3.Connect(server_->port(), b_token));
  ASSERT_TRUE(b2.ws().SendClose(1000));  // the old socket closes after the new one authenticated
  JsonDoc kf3 = b3.WaitFor(
      [&](const JsonDoc& d) {
        return IsTick(d, 0, 0) && d.Raw({"payload", "kf"}) == "true" &&
               FindUpdate(d, "a", b_id) >= 0;
      },
      "keyframe with B's own entity on the socket that connected before the old one closed");
  EXPECT_GE(FindUpdate(kf3, "a", a_id), 0);
  b3.Send("world.input", R"({"x":75,"y":75})");
  a.WaitFor(
      [&](const JsonDoc& d) {
        const int i = FindUpdate(d, "u", b_id);
        return IsTick(d, 0, 0) && i >= 0 &&
               d.Int({"payload", "updates", std::to_string(i), "x"}).value_or(0) == 75;
      },
      "B moved through the successor socket");
  EXPECT_EQ(b3.Call("world.leave", "{}").Str({"type"}), "world.left");
  a.WaitFor([&](const JsonDoc& d) { return IsTick(d, 0, 0) && FindUpdate(d, "r", b_id) >= 0; },
            "B left");
}

// A grace that runs out gives the seat up: the entity leaves at a tick after the deadline.
TEST_F(WorldTest, ReconnectionGraceExpires) {
  const auto a_reg = Register("world_grace_short_a");
  const auto b_reg = Register("world_grace_short_b");
  const std::string b_id = b_reg.first;
  Player a;
  auto b = std::make_unique<Player>();
  ASSERT_TRUE(a.Connect(server_->port(), a_reg.second));
  ASSERT_TRUE(b->Connect(server_->port(), b_reg.second));
  JsonDoc joined = a.Call("world.create", R"({"mode":"shortgrace"})");
  const std::string world_id = joined.Str({"payload", "world_id"}).value_or("");
  ASSERT_EQ(b->Call("world.join", R"({"world_id":")" + world_id + "\"}").Str({"type"}),
            "world.joined");
  a.WaitFor([&](const JsonDoc& d) { return IsTick(d, 0, 0) && FindUpdate(d, "a", b_id) >= 0; },
            "B seen by A");
  b.reset();
  a.WaitFor([&](const JsonDoc& d) { return IsTick(d, 0, 0) && FindUpdate(d, "r", b_id) >= 0; },
            "B removed when its grace ran out");
  HttpResponse r = Call("GET", "/api/v1/worlds/" + world_id, "", a_reg.second);
  EXPECT_EQ(Json(r).Int({"player_count"}).value_or(0), 1);
}

// An idle zone (no subscribers, no entities) ticks only every cold_tick_divisor (10) ticks.
TEST_F(WorldTest, IdleZonesTickCold) {
  const auto a_reg = Register("world_cold_a");
  const std::string a_id = a_reg.first;
  Player a;
  ASSERT_TRUE(a.Connect(server_->port(), a_reg.second));
  ASSERT_EQ(a.Call("world.create", R"({"mode":"tw"})").Str({"type"}), "world.joined");
  a.Send("world.input", R"({"x":50,"y":150})");
  a.WaitFor([&](const JsonDoc& d) { return IsTick(d, 0, 1) && FindUpdate(d, "a", a_id) >= 0; },
            "A in zone (0,1)");
  a.Send("world.input", R"({"x":50,"y":50})");
  JsonDoc cold =
      a.WaitFor([](const JsonDoc& d) { return d.Str({"type"}).value_or("") == "world.cold"; },
                "zone (0,1)'s 8th idle tick");
  const int64_t tick = cold.Int({"payload", "tick"}).value_or(-1);
  EXPECT_GT(tick, 0);
  EXPECT_EQ(tick % 10, 0) << tick;
  // /metrics (issue 15 item 3): zone (0,1) is loaded and idle, A's zone (0,0) is not, and A
  // is in a world (other tests' worlds may be live too: at least).
  std::string metrics = Call("GET", "/metrics").body;
  const int64_t live = MetricValue(metrics, "asobi_zones_live");
  const int64_t cold_zones = MetricValue(metrics, "asobi_zones_cold");
  EXPECT_GE(live, 2) << metrics;
  EXPECT_GE(cold_zones, 1) << metrics;
  EXPECT_LT(cold_zones, live) << metrics;
  EXPECT_GE(MetricValue(metrics, "asobi_world_players"), 1) << metrics;

  // A busy zone (zone_tick's third result) is never demoted: its idle ticks are consecutive.
  a.Send("world.input", R"({"x":50,"y":250})");
  a.WaitFor([&](const JsonDoc& d) { return IsTick(d, 0, 2) && FindUpdate(d, "a", a_id) >= 0; },
            "A in zone (0,2)");
  a.Send("world.input", R"({"x":50,"y":50})");
  JsonDoc busy =
      a.WaitFor([](const JsonDoc& d) { return d.Str({"type"}).value_or("") == "world.busy"; },
                "zone (0,2)'s 8th idle tick");
  EXPECT_EQ(busy.Int({"payload", "tick"}).value_or(0) - busy.Int({"payload", "first"}).value_or(0),
            7);
}

TEST_F(WorldTest, Errors) {
  const auto a_reg = Register("world_err_a");
  const std::string a_id = a_reg.first, a_token = a_reg.second;
  const auto b_reg = Register("world_err_b");
  const std::string b_id = b_reg.first, b_token = b_reg.second;
  const auto c_reg = Register("world_err_c");
  const std::string c_id = c_reg.first, c_token = c_reg.second;
  Player a, b, c;
  ASSERT_TRUE(a.Connect(server_->port(), a_token));
  ASSERT_TRUE(b.Connect(server_->port(), b_token));
  ASSERT_TRUE(c.Connect(server_->port(), c_token));

  EXPECT_TRUE(
      CallFails(a, "world.join", R"({"world_id":"nope"})", "world_not_found", "world.not_found"));
  EXPECT_TRUE(
      CallFails(a, "world.join", R"({"world_id":7})", "world_not_found", "world.not_found"));
  EXPECT_TRUE(CallFails(a, "world.join", "{}", "missing_field", "missing_field"));
  EXPECT_TRUE(CallFails(a, "world.create", R"({"mode":"nope"})", "not_found", "ws.request_failed"));
  EXPECT_TRUE(
      CallFails(a, "world.create", R"({"mode":"solo"})", "wrong_mode_type", "ws.request_failed"));
  EXPECT_TRUE(CallFails(a, "world.create", "{}", "missing_field", "missing_field"));
  EXPECT_TRUE(
      CallFails(a, "world.list", R"({"mode":5})", "invalid_mode_filter", "ws.request_failed"));
  EXPECT_TRUE(CallFails(a, "world.list", R"({"has_capacity":"yes"})", "invalid_has_capacity_filter",
                        "ws.request_failed"));
  EXPECT_TRUE(CallFails(a, "world.list", R"({"joinable":null})", "invalid_joinable_filter",
                        "ws.request_failed"));

  // world.input outside a world is dropped without a reply (§10.6), even when malformed.
  a.Send("world.input", "5");
  a.Send("world.input", R"({"x":1})");
  JsonDoc still = a.Call("world.list", "{}");
  EXPECT_EQ(still.Str({"type"}).value_or(""), "world.list") << still.text();
  EXPECT_TRUE(a.pushes.empty());

  JsonDoc joined = a.Call("world.create", R"({"mode":"tw","ctx":{"team":"red"}})");
  ASSERT_EQ(joined.Str({"type"}).value_or(""), "world.joined") << joined.text();
  const std::string world_id = joined.Str({"payload", "world_id"}).value_or("");
  // In a world, a non-object input is invalid_payload.
  EXPECT_TRUE(CallFails(a, "world.input", "5", "invalid_payload", "invalid_payload"));
  // Joining a different world while in one; creating one while in one.
  JsonDoc other = b.Call("world.create", R"({"mode":"tw"})");
  ASSERT_EQ(other.Str({"type"}).value_or(""), "world.joined");
  const std::string other_id = other.Str({"payload", "world_id"}).value_or("");
  EXPECT_TRUE(CallFails(a, "world.join", R"({"world_id":")" + other_id + "\"}", "already_in_world",
                        "world.already_joined"));
  EXPECT_TRUE(
      CallFails(a, "world.create", R"({"mode":"tw"})", "already_in_world", "world.already_joined"));
  // ctx errors (§5.4) on world.join.
  EXPECT_TRUE(CallFails(c, "world.join", R"({"world_id":")" + world_id + R"(","ctx":5})",
                        "invalid_join_ctx", "ws.request_failed"));
  // world_full: max_players = 2.
  ASSERT_EQ(c.Call("world.join", R"({"world_id":")" + other_id + "\"}").Str({"type"}),
            "world.joined");
  Player d;
  const auto d_reg = Register("world_err_d");
  const std::string d_id = d_reg.first, d_token = d_reg.second;
  ASSERT_TRUE(d.Connect(server_->port(), d_token));
  EXPECT_TRUE(CallFails(d, "world.join", R"({"world_id":")" + other_id + "\"}", "world_full",
                        "ws.request_failed"));
  // world.find_or_create joins a quick_play world with room (A's, which has one player).
  JsonDoc found = d.Call("world.find_or_create", R"({"mode":"tw"})");
  ASSERT_EQ(found.Str({"type"}).value_or(""), "world.joined") << found.text();
  EXPECT_NE(found.Str({"payload", "world_id"}).value_or(""), other_id);
  EXPECT_TRUE(CallFails(d, "world.find_or_create", R"({"mode":"solo"})", "wrong_mode_type",
                        "ws.request_failed"));
}

TEST_F(WorldTest, RestCreateAndThePerPlayerLimit) {
  const auto p_reg = Register("world_rest");
  const std::string p_id = p_reg.first, token = p_reg.second;
  EXPECT_TRUE(IsErrorEnvelope(Call("POST", "/api/v1/worlds", "{}", token), 400, "invalid_payload"));
  HttpResponse bad = Call("POST", "/api/v1/worlds", R"({"mode":"nope"})", token);
  EXPECT_TRUE(IsErrorEnvelope(bad, 400, "world.create_failed"));
  EXPECT_EQ(Json(bad).Str({"error", "details", "reason"}).value_or(""), "not_found");
  EXPECT_TRUE(
      IsErrorEnvelope(Call("GET", "/api/v1/worlds/nope", "", token), 404, "world.not_found"));
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    HttpResponse r = Call("POST", "/api/v1/worlds", R"({"mode":"tw"})", token);
    ASSERT_EQ(r.status, 201) << r.body;
    JsonDoc w = Json(r);
    EXPECT_EQ(w.Str({"mode"}).value_or(""), "tw");
    EXPECT_EQ(w.Int({"player_count"}).value_or(-1), 0);
    EXPECT_EQ(w.Str({"status"}).value_or(""), "running");
    ids.push_back(w.Str({"world_id"}).value_or(""));
  }
  EXPECT_TRUE(IsErrorEnvelope(Call("POST", "/api/v1/worlds", R"({"mode":"tw"})", token), 429,
                              "world.player_limit_reached"));
  Player p;
  ASSERT_TRUE(p.Connect(server_->port(), token));
  EXPECT_TRUE(CallFails(p, "world.create", R"({"mode":"tw"})", "player_world_limit_reached",
                        "ws.request_failed"));
  // The player can still join one of their worlds.
  EXPECT_EQ(p.Call("world.join", R"({"world_id":")" + ids[0] + "\"}").Str({"type"}),
            "world.joined");
}

// zone_tick's dirty set (lua.md §18): deltas come from it alone, a removal it names is applied by
// the engine, and a malformed one falls back to a full diff for that tick.
TEST_F(WorldTest, DirtySetDrivesTheDeltas) {
  const auto reg = Register("world_dirty");
  Player a;
  ASSERT_TRUE(a.Connect(server_->port(), reg.second));
  JsonDoc joined = a.Call("world.create", R"({"mode":"dirty"})");
  ASSERT_EQ(joined.Str({"type"}).value_or(""), "world.joined") << joined.text();

  // The latest n each entity was sent with (adds and updates), and whether doomed was removed.
  int64_t sent_n = -1, hidden_n = -1, hidden_n_at_10 = -1;
  bool doomed_removed = false;
  auto read = [&](const JsonDoc& d) {
    if (!IsTick(d, 0, 0)) return;
    for (int i = 0; i < 1000; ++i) {
      const std::string k = std::to_string(i);
      auto op = d.Str({"payload", "updates", k, "op"});
      if (!op) break;
      const std::string id = d.Str({"payload", "updates", k, "id"}).value_or("");
      auto n = d.Int({"payload", "updates", k, "n"});
      if (id == "sent" && n) sent_n = *n;
      if (id == "hidden" && n) hidden_n = *n;
      if (id == "doomed" && *op == "r") doomed_removed = true;
    }
  };
  a.WaitFor(
      [&](const JsonDoc& d) {
        read(d);
        return sent_n >= 10;
      },
      "sent.n reaching 10");
  hidden_n_at_10 = hidden_n;
  // Before the malformed set, `hidden` changed every tick but was never sent after the
  // player's own join (the last full diff, within the first ticks).
  EXPECT_GE(hidden_n_at_10, 0);
  EXPECT_LE(hidden_n_at_10 + 5, sent_n);
  EXPECT_TRUE(doomed_removed);
  // At n == 12 the malformed set makes that tick a full diff: hidden catches up.
  a.WaitFor(
      [&](const JsonDoc& d) {
        read(d);
        return hidden_n >= 12;
      },
      "hidden sent by the full diff after a malformed dirty set");
  EXPECT_EQ(hidden_n, 12);
  // Then the dirty sets drive the deltas again: hidden stays at 12 while sent moves on.
  a.WaitFor(
      [&](const JsonDoc& d) {
        read(d);
        return sent_n >= 18;
      },
      "sent.n reaching 18");
  EXPECT_EQ(hidden_n, 12);
}

}  // namespace
}  // namespace asobi::itest
