// World phases and world votes against the real server and PostgreSQL (lua.md §5, §6
// "Worlds", §8; websocket.md §7, §10.10, §10.11): phases(config) on the world state, the
// world.phase_changed pushes (waiting / active / complete; world_id on transitions only),
// `_vote` from post_tick starting one vote per template, vote.cast / vote.veto routed to the
// world with their errors, world.vote_* pushes, and the phases_complete finish.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "itest_checks.h"
#include "itest_suite.h"
#include "json_doc.h"
#include "pg_test_db.h"
#include "server_harness.h"
#include "server_suite.h"
#include "world_player.h"
#include "ws_client.h"

namespace asobi::itest {
namespace {

// "lobby" runs 100 ms from the start; "main" waits for 2 players, then runs 100 ms. post_tick
// offers the same `_vote` on every tick once a player is in (the engine runs it once).
const char* kPhasedWorld = R"(
game_type = "world"
match_size = 1
max_players = 4
grid_size = 1
zone_size = 100
tick_rate = 20
broadcast_interval = 1
view_radius = 0
function init(config) return { players = 0 } end
function join(id, state) state.players = state.players + 1; return state end
function leave(id, state) state.players = state.players - 1; return state end
function spawn_position(id, state) return { x = 50, y = 50 } end
function zone_tick(entities, zone_state) return entities, zone_state end
function handle_input(id, input, entities) return entities end
function phases(config)
  return {
    { name = "lobby", duration = 100, config = { has_world_id = config.world_id ~= nil } },
    { name = "main", duration = 100, start = { players = 2 }, config = { round = 1 } },
  }
end
function on_phase_started(name, state) state.phase = name; return state end
function post_tick(tick, state)
  if state.players >= 1 then
    state._vote = { vote_id = "wv1", template = "map", window_type = "ready_up",
                    window_ms = 60000,
                    options = { { id = "a", label = "Arena" }, { id = "b", label = "Bay" } } }
  end
  return state
end
)";

// phases returns a non-array: the world runs without phases (and never pushes them).
const char* kBadPhases = R"(
game_type = "world"
match_size = 1
grid_size = 1
zone_size = 100
tick_rate = 20
function init(config) return {} end
function join(id, state) state.joined = true; return state end
function leave(id, state) return state end
function spawn_position(id, state) return { x = 50, y = 50 } end
function zone_tick(entities, zone_state) return entities, zone_state end
function handle_input(id, input, entities) return entities end
function phases(config) return { name = "oops" } end
function post_tick(tick, state)
  if state.joined and not state.sent then
    state.sent = true
    game.broadcast("ticked", { tick = tick })
  end
  return state
end
)";

// Two vetoable votes (templates t1, t2) offered on alternate ticks once a player is in.
const char* kVetoWorld = R"(
game_type = "world"
match_size = 1
grid_size = 1
zone_size = 100
tick_rate = 20
function init(config) return { players = 0 } end
function join(id, state) state.players = state.players + 1; return state end
function leave(id, state) return state end
function spawn_position(id, state) return { x = 50, y = 50 } end
function zone_tick(entities, zone_state) return entities, zone_state end
function handle_input(id, input, entities) return entities end
function post_tick(tick, state)
  if state.players >= 1 then
    local n = tick % 2 + 1
    state._vote = { vote_id = "veto" .. n, template = "t" .. n, veto_enabled = true,
                    window_ms = 60000, options = { { id = "a", label = "A" } } }
  end
  return state
end
)";

const std::string kOpsSecret = "ops-secret-for-world-rounds-0123456";

bool IsPhase(const JsonDoc& f, const std::string& status, const std::string& phase) {
  return f.Str({"type"}).value_or("") == "world.phase_changed" &&
         f.Str({"payload", "status"}).value_or("") == status &&
         (phase.empty() || f.Str({"payload", "phase"}).value_or("") == phase);
}

class WorldRoundsTest : public ServerSuite<WorldRoundsTest> {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    ASSERT_TRUE(db_->ok()) << db_->error();
    dir_ = new std::string(MakeGameDir("/tmp/asobi_world_rounds_itest_XXXXXX",
                                       {{"phased.lua", kPhasedWorld},
                                        {"badphases.lua", kBadPhases},
                                        {"vetoable.lua", kVetoWorld},
                                        {"config.lua", R"(return { phased = "phased.lua",
                                                   badphases = "badphases.lua", vetoable = "vetoable.lua" })"}}));
    server_ = new ServerProcess();
    ServerOptions o;
    o.flags = db_->ServerFlags();
    o.flags.insert(
        o.flags.end(),
        {"--game-dir", *dir_, "--rate-limits", "register=1000/1000,auth=1000/1000,api=100000/1000",
         "--ws-rate-limit", "1000", "--vote-veto-tokens", "1", "--ops-secret", kOpsSecret});
    ASSERT_TRUE(StartReady(server_, o));
  }
};

std::string Cast(WorldPlayer& p, const std::string& vote_id, const std::string& option) {
  JsonDoc r = p.Call("vote.cast", R"({"vote_id":")" + vote_id + R"(","option_id":)" + option + "}");
  if (r.Str({"type"}).value_or("") == "vote.cast_ok") return "ok";
  return r.Str({"payload", "reason"}).value_or(r.text());
}

std::string Veto(WorldPlayer& p, const std::string& vote_id) {
  JsonDoc r = p.Call("vote.veto", R"({"vote_id":")" + vote_id + "\"}");
  if (r.Str({"type"}).value_or("") == "vote.veto_ok") return "ok";
  return r.Str({"payload", "reason"}).value_or(r.text());
}

TEST_F(WorldRoundsTest, PhasesVoteAndPhasesCompleteOverTheWire) {
  auto [a_id, a_token] = Register("wround_a");
  auto [b_id, b_token] = Register("wround_b");
  WorldPlayer a, b;
  ASSERT_TRUE(a.Connect(server_->port(), a_token));
  ASSERT_TRUE(b.Connect(server_->port(), b_token));
  int vote_starts = 0;
  a.observer = [&](const JsonDoc& f) {
    if (f.Str({"type"}).value_or("") == "world.vote_start") ++vote_starts;
  };

  // B is in no world and no match: votes answer not_in_match.
  EXPECT_EQ(Cast(b, "wv1", R"("a")"), "not_in_match");
  EXPECT_EQ(Veto(b, "wv1"), "not_in_match");

  JsonDoc j = a.Call("world.create", R"({"mode":"phased"})");
  ASSERT_EQ(j.Str({"type"}).value_or(""), "world.joined") << j.text();
  const std::string wid = j.Str({"payload", "world_id"}).value_or("");

  // "lobby" ends after 100 ms of ticks and "main" then waits for its second player; the vote
  // from post_tick opens meanwhile (eligible: A alone, so ready_up resolves on A's ballot).
  std::vector<JsonDoc> got = a.WaitForAll(
      {[](const JsonDoc& f) { return IsPhase(f, "waiting", "main"); },
       [](const JsonDoc& f) { return f.Str({"type"}).value_or("") == "world.vote_start"; }},
      "main waiting and world.vote_start");
  const JsonDoc& waiting = got[0];
  const JsonDoc& start = got[1];
  EXPECT_EQ(waiting.Str({"payload", "start_condition", "type"}).value_or(""), "players");
  EXPECT_EQ(waiting.Int({"payload", "start_condition", "value"}).value_or(0), 2);
  EXPECT_EQ(waiting.Raw({"payload", "remaining_ms"}).value_or(""), "null");
  EXPECT_EQ(start.Str({"payload", "vote_id"}).value_or(""), "wv1");
  EXPECT_EQ(start.Str({"payload", "template"}).value_or(""), "map");
  EXPECT_EQ(start.Int({"payload", "window_ms"}).value_or(0), 60000);
  EXPECT_EQ(start.Str({"payload", "method"}).value_or(""), "plurality");
  EXPECT_EQ(Cast(a, "nope", R"("a")"), "vote_not_found");
  EXPECT_EQ(Cast(a, "wv1", R"("zzz")"), "invalid_option");
  EXPECT_EQ(Veto(a, "wv1"), "veto_disabled");
  EXPECT_EQ(Veto(a, "nope"), "vote_not_found");
  EXPECT_EQ(Cast(a, "wv1", R"("b")"), "ok");
  JsonDoc result = a.WaitFor(
      [](const JsonDoc& f) { return f.Str({"type"}).value_or("") == "world.vote_result"; },
      "world.vote_result");
  EXPECT_EQ(result.Str({"payload", "vote_id"}).value_or(""), "wv1");
  EXPECT_EQ(result.Str({"payload", "winner"}).value_or(""), "b");
  EXPECT_EQ(result.Int({"payload", "total_votes"}).value_or(0), 1);
  EXPECT_EQ(result.Int({"payload", "counts", "b"}).value_or(0), 1);
  // Closed: late casts and vetoes answer vote_closed; the re-armed `_vote` starts nothing.
  EXPECT_EQ(Cast(a, "wv1", R"("a")"), "vote_closed");
  EXPECT_EQ(Veto(a, "wv1"), "vote_closed");

  // The phase block of world.list and GET /api/v1/worlds/:id (websocket.md §10.1).
  JsonDoc list = a.Call("world.list", R"({"mode":"phased"})");
  EXPECT_EQ(list.Str({"payload", "worlds", "0", "phase", "status"}).value_or(""), "waiting")
      << list.text();
  EXPECT_EQ(list.Str({"payload", "worlds", "0", "phase", "phase"}).value_or(""), "main");
  JsonDoc rest;
  ASSERT_TRUE(rest.Parse(Call("GET", "/api/v1/worlds/" + wid, "", a_token).body));
  EXPECT_EQ(rest.Str({"phase", "status"}).value_or(""), "waiting") << rest.text();
  EXPECT_EQ(rest.Str({"phase", "start_condition", "type"}).value_or(""), "players");
  // The operator sees the live world with its players and phase (issue 15 item 2: the
  // console's live worlds; GET /ops/worlds[/:id]).
  JsonDoc ops;
  ASSERT_TRUE(ops.Parse(Call("GET", "/ops/worlds/" + wid, "", kOpsSecret).body));
  EXPECT_EQ(ops.Str({"data", "world_id"}).value_or(""), wid) << ops.text();
  EXPECT_EQ(ops.Str({"data", "mode"}).value_or(""), "phased");
  EXPECT_EQ(ops.Str({"data", "players", "0"}).value_or(""), a_id) << ops.text();
  EXPECT_EQ(ops.Str({"data", "phase", "status"}).value_or(""), "waiting") << ops.text();
  EXPECT_EQ(ops.Str({"data", "phase", "phase"}).value_or(""), "main");
  JsonDoc ops_list;
  ASSERT_TRUE(ops_list.Parse(Call("GET", "/ops/worlds?limit=100", "", kOpsSecret).body));
  bool listed = false;
  for (int i = 0; i < 100 && !listed; ++i) {
    listed = ops_list.Str({"data", std::to_string(i), "world_id"}).value_or("") == wid;
  }
  EXPECT_TRUE(listed) << ops_list.text();

  // B's join starts "main" (a transition: world_id); B also gets the state on joining.
  JsonDoc jb = b.Call("world.join", R"({"world_id":")" + wid + "\"}");
  ASSERT_EQ(jb.Str({"type"}).value_or(""), "world.joined") << jb.text();
  EXPECT_EQ(jb.Str({"payload", "phase", "status"}).value_or(""), "waiting") << jb.text();
  EXPECT_EQ(jb.Str({"payload", "phase", "phase"}).value_or(""), "main");
  JsonDoc active =
      a.WaitFor([](const JsonDoc& f) { return IsPhase(f, "active", "main"); }, "main active");
  EXPECT_EQ(active.Str({"payload", "world_id"}).value_or(""), wid);
  EXPECT_TRUE(active.Int({"payload", "remaining_ms"}).has_value()) << active.text();
  EXPECT_EQ(active.Int({"payload", "config", "round"}).value_or(0), 1);
  EXPECT_TRUE(active.IsObjectAt({"payload", "timers"})) << active.text();
  JsonDoc on_join = b.WaitFor(
      [](const JsonDoc& f) {
        return f.Str({"type"}).value_or("") == "world.phase_changed" &&
               !f.Has({"payload", "world_id"});
      },
      "phase_changed on join");
  EXPECT_EQ(on_join.Str({"payload", "phase"}).value_or(""), "main");

  // "main" ends: complete (phase null), then world.finished {status: phases_complete}.
  JsonDoc complete =
      a.WaitFor([](const JsonDoc& f) { return IsPhase(f, "complete", ""); }, "phases complete");
  EXPECT_EQ(complete.Raw({"payload", "phase"}).value_or(""), "null");
  EXPECT_EQ(complete.Str({"payload", "world_id"}).value_or(""), wid);
  JsonDoc fin =
      a.WaitFor([](const JsonDoc& f) { return f.Str({"type"}).value_or("") == "world.finished"; },
                "world.finished");
  EXPECT_EQ(fin.Str({"payload", "world_id"}).value_or(""), wid);
  EXPECT_EQ(fin.Str({"payload", "result", "status"}).value_or(""), "phases_complete");
  b.WaitFor([](const JsonDoc& f) { return f.Str({"type"}).value_or("") == "world.finished"; },
            "world.finished (b)");
  EXPECT_EQ(vote_starts, 1);
}

TEST_F(WorldRoundsTest, VetoEndsAWorldVoteAndSpendsTheToken) {
  auto [a_id, a_token] = Register("wround_veto");
  WorldPlayer a;
  ASSERT_TRUE(a.Connect(server_->port(), a_token));
  JsonDoc j = a.Call("world.create", R"({"mode":"vetoable"})");
  ASSERT_EQ(j.Str({"type"}).value_or(""), "world.joined") << j.text();
  auto start_of = [](const std::string& id) {
    return [id](const JsonDoc& f) {
      return f.Str({"type"}).value_or("") == "world.vote_start" &&
             f.Str({"payload", "vote_id"}).value_or("") == id;
    };
  };
  a.WaitForAll({start_of("veto1"), start_of("veto2")}, "both vote starts");
  EXPECT_EQ(Veto(a, "veto1"), "ok");
  JsonDoc vetoed = a.WaitFor(
      [](const JsonDoc& f) { return f.Str({"type"}).value_or("") == "world.vote_vetoed"; },
      "world.vote_vetoed");
  EXPECT_EQ(vetoed.Str({"payload", "vote_id"}).value_or(""), "veto1");
  EXPECT_EQ(vetoed.Str({"payload", "vetoed_by"}).value_or(""), a_id);
  // One token per player (--vote-veto-tokens 1); the vetoed vote is closed.
  EXPECT_EQ(Veto(a, "veto2"), "no_veto_tokens");
  EXPECT_EQ(Veto(a, "veto1"), "vote_closed");
  EXPECT_EQ(Cast(a, "veto1", R"("a")"), "vote_closed");
  EXPECT_EQ(Cast(a, "veto2", R"(["a"])"), "invalid_option");  // a list for plurality
  EXPECT_EQ(Cast(a, "veto2", R"("a")"), "ok");
}

TEST_F(WorldRoundsTest, MalformedPhasesReturnMeansNoPhases) {
  auto [a_id, a_token] = Register("wround_bad");
  WorldPlayer a;
  ASSERT_TRUE(a.Connect(server_->port(), a_token));
  int phase_frames = 0;
  a.observer = [&](const JsonDoc& f) {
    if (f.Str({"type"}).value_or("") == "world.phase_changed") ++phase_frames;
  };
  JsonDoc j = a.Call("world.create", R"({"mode":"badphases"})");
  ASSERT_EQ(j.Str({"type"}).value_or(""), "world.joined") << j.text();
  EXPECT_FALSE(j.Has({"payload", "phase"})) << j.text();
  // The world runs (post_tick's broadcast arrives) and never pushed a phase.
  a.WaitFor([](const JsonDoc& f) { return f.Str({"type"}).value_or("") == "world.ticked"; },
            "world.ticked");
  EXPECT_EQ(phase_frames, 0);
  // In a world without votes: vote_not_found.
  EXPECT_EQ(Cast(a, "x", R"("a")"), "vote_not_found");
}

}  // namespace
}  // namespace asobi::itest
