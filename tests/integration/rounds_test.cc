// Game rounds end to end against the real server and PostgreSQL (issue 13): the bots API
// (lua.md §9 game.bots.add/remove, §10), phases (§5, with game.match.ready) and votes (§6,
// websocket.md §7, rest.md §3.11 votes).
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <string>

#include "http_call.h"
#include "itest_checks.h"
#include "json_doc.h"
#include "pg_test_db.h"
#include "rounds_player.h"
#include "server_harness.h"

namespace asobi::itest {
namespace {

void WriteFile(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp";
  std::ofstream(tmp, std::ios::trunc) << content;
  rename(tmp.c_str(), path.c_str());
}

// Bots API test mode: the human's inputs drive game.bots.*; the state shows the bots that
// joined, the ids that left, the results of the calls and how many inputs bots sent.
std::string BotsScript(int max_players) {
  return "max_players = " + std::to_string(max_players) + R"(
match_size = 1
quick_play = true
function init() return { bots = {}, left = {}, results = {}, bot_inputs = 0, n = 0 } end
function join(p, s)
  if string.sub(p, 1, 4) == "bot_" then s.bots[#s.bots + 1] = p end
  return s
end
function leave(p, s)
  s.left[#s.left + 1] = p
  for i, b in ipairs(s.bots) do if b == p then table.remove(s.bots, i) break end end
  return s
end
local function note(s, r)
  if r == true then s.results[#s.results + 1] = "true"
  elseif type(r) == "table" then s.results[#s.results + 1] = tostring(r.error)
  else s.results[#s.results + 1] = tostring(r) end
end
function handle_input(p, i, s)
  if string.sub(p, 1, 4) == "bot_" then s.bot_inputs = s.bot_inputs + 1 return s end
  if i.adds then for _, name in ipairs(i.adds) do note(s, game.bots.add(name)) end end
  if i.add_many then for k = 1, i.add_many do game.bots.add("b" .. k) end end
  if i.remove then note(s, game.bots.remove(i.remove)) end
  if i.bad then
    note(s, game.bots.add(5))
    note(s, game.bots.add("bad name"))
    note(s, game.bots.add(""))
    note(s, game.bots.add(string.rep("x", 33)))
    note(s, game.bots.remove({}))
  end
  return s
end
function tick(s) s.n = s.n + 1 return s end
function get_state(p, s)
  return { bots = s.bots, nbots = #s.bots, left = s.left, results = s.results,
           bot_inputs = s.bot_inputs, n = s.n }
end
)";
}

// Phases test mode (lua.md §5): every start condition; the log records the phase callbacks.
std::string PhasedScript(bool shared) {
  std::string s = R"(
match_size = 1
max_players = 3
quick_play = true
listed = true
function init(config) return { log = {}, n = 0 } end
function phases(config)
  return {
    { name = "lobby", duration = 300, config = { mode = config.mode } },
    { name = "ready_check", start = "all_ready", duration = 200 },
    { name = "crowd", start = { players = 2 }, duration = 200 },
    { name = "pause", start = { timer = 300 }, duration = "soon" },
  }
end
function on_phase_started(name, s) s.log[#s.log + 1] = "+" .. name return s end
function on_phase_ended(name, s) s.log[#s.log + 1] = "-" .. name return s end
function join(p, s) return s end
function leave(p, s) return s end
function handle_input(p, i, s)
  if i.ready then s.ready_result = game.match.ready(p) end
  if i.ready_other then s.ready_other = game.match.ready("nobody").error end
  return s
end
function tick(s) s.n = s.n + 1 return s end
)";
  if (shared) {
    s += "state_strategy = \"shared\"\n";
    s += "function get_state(s) return { log = s.log, n = s.n } end\n";
  } else {
    s += "function get_state(p, s) return { log = s.log, n = s.n, ready_other = s.ready_other } "
         "end\n";
  }
  return s;
}

constexpr char kBadPhasesScript[] = R"(
match_size = 1
quick_play = true
function init() return { n = 0 } end
function phases() return { { duration = 5 }, "x", { name = "only", duration = "soon" } } end
function join(p, s) return s end
function leave(p, s) return s end
function handle_input(p, i, s) return s end
function tick(s) s.n = s.n + 1 return s end
function get_state(p, s) return { n = s.n } end
)";

constexpr char kNoPhasesScript[] = R"(
match_size = 1
quick_play = true
function init() return { n = 0 } end
function phases() return { a = 1 } end
function join(p, s) return s end
function leave(p, s) return s end
function handle_input(p, i, s) return s end
function tick(s) s.n = s.n + 1 return s end
function get_state(p, s) return { n = s.n } end
)";

// Votes test mode (lua.md §6): a client input arms a vote config; vote_requested offers it on
// every tick until vote_resolved disarms it (the engine must start one vote, not one a tick).
constexpr char kVotingScript[] = R"(
match_size = 2
max_players = 3
quick_play = true
function init() return { n = 0, results = {} } end
function join(p, s) return s end
function leave(p, s) return s end
function handle_input(p, i, s)
  if i.vote then s.want = i.vote end
  return s
end
function tick(s) s.n = s.n + 1 return s end
function vote_requested(s) return s.want end
function vote_resolved(template, result, s)
  s.want = nil
  s.results[#s.results + 1] = { template = template, winner = result.winner or "nil",
    status = result.status, total = result.total_votes }
  return s
end
function get_state(p, s) return { n = s.n, results = s.results } end
)";

// Bots voting (lua.md §10): the human's join adds two bots; votes as in kVotingScript.
constexpr char kBotVoteScript[] = R"(
match_size = 1
max_players = 3
quick_play = true
function init() return { n = 0, results = {}, bots = 0 } end
function join(p, s)
  if string.sub(p, 1, 4) == "bot_" then s.bots = s.bots + 1
  else game.bots.add("v1") game.bots.add("v2") end
  return s
end
function leave(p, s) return s end
function handle_input(p, i, s)
  if i.vote then s.want = i.vote end
  return s
end
function tick(s) s.n = s.n + 1 return s end
function vote_requested(s) return s.want end
function vote_resolved(template, result, s) s.want = nil return s end
function get_state(p, s) return { n = s.n, bots = s.bots } end
)";

const std::string kOpsSecret = "ops-secret-for-rounds-tests-0123456";

class RoundsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/asobi_rounds_itest_XXXXXX";
    game_dir_ = new std::string(mkdtemp(tmpl));
    WriteFile(*game_dir_ + "/botsy.lua", BotsScript(4));
    WriteFile(*game_dir_ + "/horde.lua", BotsScript(100));
    WriteFile(*game_dir_ + "/badbots.lua", BotsScript(4));
    WriteFile(*game_dir_ + "/phased.lua", PhasedScript(false));
    WriteFile(*game_dir_ + "/phased_shared.lua", PhasedScript(true));
    WriteFile(*game_dir_ + "/badphases.lua", kBadPhasesScript);
    WriteFile(*game_dir_ + "/nophases.lua", kNoPhasesScript);
    WriteFile(*game_dir_ + "/config.lua", R"(return { botsy = "botsy.lua", horde = "horde.lua",
      badbots = "badbots.lua", phased = "phased.lua", phased_shared = "phased_shared.lua",
      badphases = "badphases.lua", nophases = "nophases.lua", voting = "voting.lua",
      voting2 = "voting2.lua", botvote = "botvote.lua" })");
    WriteFile(*game_dir_ + "/botvote.lua", kBotVoteScript);
    WriteFile(*game_dir_ + "/voting.lua", kVotingScript);
    WriteFile(*game_dir_ + "/voting2.lua", kVotingScript);
    started_ = new ::testing::AssertionResult(::testing::AssertionFailure() << "no database");
    server_ = new ServerProcess();
    db_ = new TestDatabase();
    ASSERT_TRUE(db_->ok()) << db_->error();
    ServerOptions o;
    o.flags = db_->ServerFlags();
    o.flags.insert(o.flags.end(),
                   {"--game-dir", *game_dir_, "--rate-limits", "register=1000/1000,auth=1000/1000",
                    "--vote-veto-tokens", "1", "--ops-secret", kOpsSecret});
    *started_ = server_->Start(o);
    if (!*started_) return;
    for (int i = 0; i < 200 && HttpCall(server_->port(), "GET", "/ready").status != 200; ++i) {
      usleep(50 * 1000);
    }
    for (int i = 0; i < 4; ++i) {
      HttpResponse r =
          HttpCall(server_->port(), "POST", "/api/v1/auth/register",
                   R"({"username":"rounds)" + std::to_string(i) + R"(","password":"password123"})");
      JsonDoc d;
      ASSERT_TRUE(r.status == 200 && d.Parse(r.body)) << r.status << r.body;
      players_[i] = d.Str({"player_id"}).value_or("");
      tokens_[i] = d.Str({"access_token"}).value_or("");
    }
  }
  static void TearDownTestSuite() {
    if (*started_) {
      EXPECT_TRUE(server_->Stop());
    }
    delete server_;
    delete started_;
    delete db_;
    std::system(("rm -rf '" + *game_dir_ + "'").c_str());
    delete game_dir_;
  }
  void SetUp() override { ASSERT_TRUE(*started_); }
  void TearDown() override {
    if (HasFailure()) std::fprintf(stderr, "server log:\n%s", server_->log().c_str());
  }
  uint16_t port() const { return server_->port(); }

  static ServerProcess* server_;
  static ::testing::AssertionResult* started_;
  static std::string* game_dir_;
  static TestDatabase* db_;
  static std::string players_[4];
  static std::string tokens_[4];
};

TestDatabase* RoundsTest::db_ = nullptr;
std::string RoundsTest::players_[4];
std::string RoundsTest::tokens_[4];
ServerProcess* RoundsTest::server_ = nullptr;
::testing::AssertionResult* RoundsTest::started_ = nullptr;
std::string* RoundsTest::game_dir_ = nullptr;

std::set<std::string> StrArray(const JsonDoc& d, JsonPath path) {
  std::set<std::string> out;
  auto v = d.At(path);
  if (!v || !v->is_array()) return out;
  for (auto e : v->get_array()) {
    std::string_view s;
    if (e.get(s) == simdjson::SUCCESS) out.insert(std::string(s));
  }
  return out;
}

auto NBots(int64_t n) {
  return [n](const JsonDoc& d) { return d.Int({"payload", "nbots"}) == n; };
}

TEST_F(RoundsTest, BotsJoinThroughJoinUpToMaxPlayersAndLeaveThroughLeave) {
  RoundsPlayer a;
  ASSERT_TRUE(a.Connect(port(), tokens_[0]));
  JsonDoc joined = a.Call("match.find_or_create", R"({"mode":"botsy"})");
  ASSERT_EQ(joined.Str({"type"}), "match.joined") << joined.text();
  // One human + 3 bots fills max_players 4: the repeated name and the fifth seat are no-ops.
  a.Input(R"({"adds":["Rex","Rex","Max","Zed","Ida"]})");
  JsonDoc s;
  ASSERT_TRUE(a.WaitFor("match.state", NBots(3), &s)) << s.text();
  EXPECT_EQ(s.Raw({"payload", "results"}), R"(["true","true","true","true","true"])");
  std::set<std::string> ids = StrArray(s, {"payload", "bots"});
  std::set<std::string> names;
  std::string rex;
  const std::regex id_re("bot_([A-Za-z0-9_-]+)_[0-9a-f]{6}");
  for (const std::string& id : ids) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(id, m, id_re)) << id;
    names.insert(m[1]);
    if (m[1] == "Rex") rex = id;
  }
  EXPECT_EQ(names, (std::set<std::string>{"Rex", "Max", "Zed"}));
  // Bots are live roster members: they get match.state and send inputs (default AI).
  ASSERT_TRUE(a.WaitFor(
      "match.state",
      [](const JsonDoc& d) {
        return d.Int({"payload", "bot_inputs"}) > 3;
      },
      &s))
      << s.text();
  // Remove by bare name, then by full id: each leaves through `leave`.
  a.Input(R"({"remove":"Max"})");
  ASSERT_TRUE(a.WaitFor("match.state", NBots(2), &s)) << s.text();
  EXPECT_EQ(StrArray(s, {"payload", "left"}).size(), 1u);
  a.Input(R"({"remove":")" + rex + R"("})");
  ASSERT_TRUE(a.WaitFor("match.state", NBots(1), &s)) << s.text();
  EXPECT_EQ(StrArray(s, {"payload", "left"}).count(rex), 1u);
  // A free seat again: a new bot may join.
  a.Input(R"({"adds":["Ida"]})");
  ASSERT_TRUE(a.WaitFor("match.state", NBots(2), &s)) << s.text();
  EXPECT_EQ(a.Call("match.leave", "{}").Str({"type"}), "match.left");
}

TEST_F(RoundsTest, BadBotNamesAndArgumentsReturnErrors) {
  RoundsPlayer a;
  ASSERT_TRUE(a.Connect(port(), tokens_[1]));
  JsonDoc joined = a.Call("match.find_or_create", R"({"mode":"badbots"})");
  ASSERT_EQ(joined.Str({"type"}), "match.joined") << joined.text();
  a.Input(R"({"bad":true})");
  JsonDoc s;
  ASSERT_TRUE(a.WaitFor(
      "match.state",
      [](const JsonDoc& d) {
        return d.Raw({"payload", "results"}) != "[]";
      },
      &s))
      << s.text();
  EXPECT_EQ(s.Raw({"payload", "results"}),
            R"x(["game.bots.add requires (name)","invalid_bot_name","invalid_bot_name",)x"
            R"x("invalid_bot_name","game.bots.remove requires (name_or_id)"])x");
  EXPECT_EQ(s.Int({"payload", "nbots"}), 0);
  EXPECT_EQ(a.Call("match.leave", "{}").Str({"type"}), "match.left");
}

TEST_F(RoundsTest, AMatchHoldsAtMostSixtyFourBots) {
  RoundsPlayer a;
  ASSERT_TRUE(a.Connect(port(), tokens_[0]));
  JsonDoc joined = a.Call("match.find_or_create", R"({"mode":"horde"})");
  ASSERT_EQ(joined.Str({"type"}), "match.joined") << joined.text();
  a.Input(R"({"add_many":70})");
  JsonDoc s;
  ASSERT_TRUE(a.WaitFor("match.state", NBots(64), &s)) << s.text();
  // The no-op decisions were taken at the call: later ticks still show 64.
  const int64_t n = s.Int({"payload", "n"}).value_or(0);
  ASSERT_TRUE(a.WaitFor(
      "match.state",
      [n](const JsonDoc& d) {
        return d.Int({"payload", "n"}) >= n + 5;
      },
      &s));
  EXPECT_EQ(s.Int({"payload", "nbots"}), 64);
  EXPECT_EQ(a.Call("match.leave", "{}").Str({"type"}), "match.left");
}

auto LogIs(const std::string& json) {
  return [json](const JsonDoc& d) { return d.Raw({"payload", "log"}) == json; };
}

// The phase block of the mode's only live listing, over REST (GET /matches/live).
std::string LivePhase(uint16_t port, const std::string& mode, const std::string& token) {
  HttpResponse r = HttpCall(port, "GET", "/api/v1/matches/live?mode=" + mode, "", token);
  JsonDoc d;
  if (r.status != 200 || !d.Parse(r.body)) return "status " + std::to_string(r.status);
  return d.Raw({"matches", "0", "phase"}).value_or("none: " + r.body);
}

TEST_F(RoundsTest, PhasesRunEveryStartConditionAndCompleteTheMatch) {
  RoundsPlayer a, b;
  ASSERT_TRUE(a.Connect(port(), tokens_[0]));
  ASSERT_TRUE(b.Connect(port(), tokens_[1]));
  JsonDoc joined = a.Call("match.find_or_create", R"({"mode":"phased"})");
  ASSERT_EQ(joined.Str({"type"}), "match.joined") << joined.text();
  const std::string match_id = joined.Str({"payload", "match_id"}).value_or("");
  // The first phase started at creation (prev_ended), before anyone joined.
  EXPECT_EQ(joined.Str({"payload", "phase", "status"}), "active") << joined.text();
  EXPECT_EQ(joined.Str({"payload", "phase", "phase"}), "lobby");
  EXPECT_TRUE(joined.Int({"payload", "phase", "remaining_ms"}).has_value());
  EXPECT_EQ(joined.Raw({"payload", "phase", "start_condition"}), R"("prev_ended")");
  EXPECT_EQ(joined.Raw({"payload", "phase", "config"}), R"({"mode":"phased"})");

  JsonDoc s;
  ASSERT_TRUE(a.WaitFor("match.state", LogIs(R"(["+lobby","-lobby"])"), &s)) << s.text();
  EXPECT_EQ(LivePhase(port(), "phased", tokens_[0]),
            R"({"status":"waiting","phase":"ready_check","remaining_ms":null,)"
            R"("start_condition":"all_ready"})");
  JsonDoc list = a.Call("match.list", R"({"mode":"phased"})");
  EXPECT_EQ(list.Str({"payload", "matches", "0", "phase", "phase"}), "ready_check") << list.text();
  // The operator sees the live match with its phase and roster (issue 15 item 2; GET
  // /ops/matches/:id).
  JsonDoc ops;
  ASSERT_TRUE(ops.Parse(HttpCall(port(), "GET", "/ops/matches/" + match_id, "", kOpsSecret).body));
  EXPECT_EQ(ops.Str({"data", "live", "phase", "phase"}).value_or(""), "ready_check") << ops.text();
  EXPECT_EQ(ops.Str({"data", "live", "phase", "status"}).value_or(""), "waiting");
  EXPECT_TRUE(ops.Str({"data", "live", "players", "0", "player_id"}).has_value()) << ops.text();

  // game.match.ready: unknown players are refused; the only human ready starts the phase.
  a.Input(R"({"ready_other":true})");
  ASSERT_TRUE(a.WaitFor(
      "match.state",
      [](const JsonDoc& d) {
        return d.Str({"payload", "ready_other"}) == "not_in_match";
      },
      &s))
      << s.text();
  a.Input(R"({"ready":true})");
  ASSERT_TRUE(
      a.WaitFor("match.state", LogIs(R"(["+lobby","-lobby","+ready_check","-ready_check"])"), &s))
      << s.text();
  EXPECT_EQ(LivePhase(port(), "phased", tokens_[0]),
            R"({"status":"waiting","phase":"crowd","remaining_ms":null,)"
            R"("start_condition":{"type":"players","value":2}})");

  // {players = 2}: the second join starts it; the joiner sees it active.
  JsonDoc jb = b.Call("match.join", R"({"match_id":")" + match_id + R"("})");
  ASSERT_EQ(jb.Str({"type"}), "match.joined") << jb.text();
  EXPECT_EQ(jb.Str({"payload", "phase", "phase"}), "crowd") << jb.text();
  EXPECT_EQ(jb.Str({"payload", "phase", "status"}), "active");

  // crowd ends after 200 ms, pause starts after a 300 ms timer and ends on its first tick
  // (non-number duration), and the match finishes with phases_complete.
  JsonDoc fin;
  ASSERT_TRUE(a.WaitFor("match.finished", &fin)) << fin.text();
  EXPECT_EQ(fin.Raw({"payload", "result"}), R"({"status":"phases_complete"})");
  EXPECT_EQ(fin.Str({"payload", "match_id"}), match_id);
  ASSERT_TRUE(b.WaitFor("match.finished", &fin));
}

TEST_F(RoundsTest, PhasesWorkUnderTheSharedStateStrategy) {
  RoundsPlayer a;
  ASSERT_TRUE(a.Connect(port(), tokens_[0]));
  JsonDoc joined = a.Call("match.find_or_create", R"({"mode":"phased_shared"})");
  ASSERT_EQ(joined.Str({"type"}), "match.joined") << joined.text();
  EXPECT_EQ(joined.Str({"payload", "phase", "phase"}), "lobby") << joined.text();
  JsonDoc s;
  ASSERT_TRUE(a.WaitFor("match.state", LogIs(R"(["+lobby","-lobby"])"), &s)) << s.text();
  a.Input(R"({"ready":true})");
  ASSERT_TRUE(
      a.WaitFor("match.state", LogIs(R"(["+lobby","-lobby","+ready_check","-ready_check"])"), &s))
      << s.text();
  EXPECT_EQ(a.Call("match.leave", "{}").Str({"type"}), "match.left");
}

TEST_F(RoundsTest, MalformedPhasesReturns) {
  RoundsPlayer a;
  ASSERT_TRUE(a.Connect(port(), tokens_[1]));
  // Entries without a name and non-tables are dropped; a non-number duration ends the phase on
  // its first tick, which completes the match.
  JsonDoc joined = a.Call("match.find_or_create", R"({"mode":"badphases"})");
  ASSERT_EQ(joined.Str({"type"}), "match.joined") << joined.text();
  EXPECT_EQ(joined.Str({"payload", "phase", "phase"}), "only") << joined.text();
  JsonDoc fin;
  ASSERT_TRUE(a.WaitFor("match.finished", &fin)) << fin.text();
  EXPECT_EQ(fin.Raw({"payload", "result"}), R"({"status":"phases_complete"})");
  // A non-array return: a warning and no phases; the match plays on.
  joined = a.Call("match.find_or_create", R"({"mode":"nophases"})");
  ASSERT_EQ(joined.Str({"type"}), "match.joined") << joined.text();
  EXPECT_FALSE(joined.Has({"payload", "phase"})) << joined.text();
  EXPECT_TRUE(server_->WaitForLog("lua phases ignored", 2000));
  JsonDoc s;
  ASSERT_TRUE(a.WaitFor(
      "match.state",
      [](const JsonDoc& d) {
        return d.Int({"payload", "n"}) >= 3;
      },
      &s));
  EXPECT_EQ(a.Call("match.leave", "{}").Str({"type"}), "match.left");
}

std::string Cast(RoundsPlayer& p, const std::string& payload) {
  JsonDoc r = p.Call("vote.cast", payload);
  if (r.Str({"type"}) == "vote.cast_ok") return "ok";
  return r.Str({"payload", "reason"}).value_or(r.text());
}

std::string CastOption(RoundsPlayer& p, const std::string& vote_id, const std::string& option) {
  return Cast(p, R"({"vote_id":")" + vote_id + R"(","option_id":)" + option + "}");
}

TEST_F(RoundsTest, PluralityVoteOverTheWireWithEveryCastError) {
  RoundsPlayer a, b, c, d;
  ASSERT_TRUE(a.Connect(port(), tokens_[0]));
  ASSERT_TRUE(b.Connect(port(), tokens_[1]));
  ASSERT_TRUE(c.Connect(port(), tokens_[2]));
  ASSERT_TRUE(d.Connect(port(), tokens_[3]));
  JsonDoc ja = a.Call("match.find_or_create", R"({"mode":"voting"})");
  ASSERT_EQ(ja.Str({"type"}), "match.joined") << ja.text();
  const std::string match_id = ja.Str({"payload", "match_id"}).value_or("");
  // No match yet for this socket / a waiting match.
  EXPECT_EQ(CastOption(c, "x", R"("a")"), "not_in_match");
  EXPECT_EQ(CastOption(a, "x", R"("a")"), "match_not_started");
  ASSERT_EQ(b.Call("match.find_or_create", R"({"mode":"voting"})").Str({"type"}), "match.joined");

  a.Input(R"({"vote":{"template":"map","window_ms":1500,"max_revotes":3,)"
          R"("options":[{"id":"a","label":"Arena"},{"id":"b","label":"Bay"}]}})");
  JsonDoc start;
  ASSERT_TRUE(a.WaitFor("match.vote_start", &start)) << start.text();
  const std::string vote_id = start.Str({"payload", "vote_id"}).value_or("");
  EXPECT_EQ(start.Str({"payload", "template"}), "map");
  EXPECT_EQ(start.Str({"payload", "options", "0", "id"}), "a") << start.text();
  EXPECT_EQ(start.Str({"payload", "options", "0", "label"}), "Arena");
  EXPECT_EQ(start.Str({"payload", "options", "1", "id"}), "b");
  EXPECT_EQ(start.Int({"payload", "window_ms"}), 1500);
  EXPECT_EQ(start.Str({"payload", "method"}), "plurality");
  JsonDoc bstart;
  ASSERT_TRUE(b.WaitFor("match.vote_start", &bstart));

  // A player who joins after the start is not eligible.
  ASSERT_EQ(c.Call("match.join", R"({"match_id":")" + match_id + R"("})").Str({"type"}),
            "match.joined");
  EXPECT_EQ(CastOption(c, vote_id, R"("a")"), "not_eligible");
  // Every error of websocket.md §7.1.
  EXPECT_EQ(Cast(a, "{}"), "missing_field");
  EXPECT_EQ(Cast(a, R"({"vote_id":")" + vote_id + R"("})"), "missing_field");
  EXPECT_EQ(CastOption(a, "no-such-vote", R"("a")"), "vote_not_found");
  EXPECT_EQ(CastOption(a, vote_id, R"("zzz")"), "invalid_option");
  EXPECT_EQ(CastOption(a, vote_id, R"(["a"])"), "invalid_option");
  EXPECT_EQ(CastOption(a, vote_id, R"("a")"), "ok");
  JsonDoc tally;
  ASSERT_TRUE(a.WaitFor("match.vote_tally", &tally)) << tally.text();
  EXPECT_EQ(tally.Raw({"payload", "tallies"}), R"({"a":1,"b":0})");
  EXPECT_EQ(tally.Int({"payload", "total_votes"}), 1);
  EXPECT_TRUE(tally.Int({"payload", "time_remaining_ms"}).has_value());
  // The first vote is free, then max_revotes (3) changes.
  EXPECT_EQ(CastOption(a, vote_id, R"("b")"), "ok");
  EXPECT_EQ(CastOption(a, vote_id, R"("a")"), "ok");
  EXPECT_EQ(CastOption(a, vote_id, R"("b")"), "ok");
  EXPECT_EQ(CastOption(a, vote_id, R"("a")"), "rate_limited");
  EXPECT_EQ(CastOption(b, vote_id, R"("b")"), "ok");

  JsonDoc result;
  ASSERT_TRUE(b.WaitFor("match.vote_result", &result)) << result.text();
  EXPECT_EQ(result.Str({"payload", "vote_id"}), vote_id);
  EXPECT_EQ(result.Str({"payload", "winner"}), "b");
  EXPECT_EQ(result.Raw({"payload", "counts"}), R"({"a":0,"b":2})");
  EXPECT_EQ(result.Int({"payload", "total_votes"}), 2);
  EXPECT_TRUE(result.Has({"payload", "distribution", "b"}));
  EXPECT_TRUE(result.Has({"payload", "turnout"}));
  EXPECT_EQ(CastOption(a, vote_id, R"("a")"), "vote_closed");
  // vote_resolved ran once; vote_requested kept offering the config meanwhile, yet a single
  // vote started.
  JsonDoc s;
  ASSERT_TRUE(a.WaitFor(
      "match.state",
      [](const JsonDoc& d) {
        return d.Raw({"payload", "results"}) != "[]";
      },
      &s));
  EXPECT_EQ(s.Str({"payload", "results", "0", "template"}), "map") << s.text();
  EXPECT_EQ(s.Str({"payload", "results", "0", "winner"}), "b");
  EXPECT_EQ(s.Str({"payload", "results", "0", "status"}), "decided");
  EXPECT_EQ(s.Int({"payload", "results", "0", "total"}), 2);
  EXPECT_FALSE(s.Has({"payload", "results", "1"}));
  JsonDoc extra;
  EXPECT_FALSE(a.WaitFor("match.vote_start", &extra, 300)) << extra.text();

  // Persisted once resolved: participants read it, others get 403.
  std::string body;
  for (int64_t deadline = RoundsNowMs() + kRoundsWaitMs; RoundsNowMs() < deadline;) {
    HttpResponse r =
        HttpCall(port(), "GET", "/api/v1/matches/" + match_id + "/votes", "", tokens_[0]);
    ASSERT_EQ(r.status, 200) << r.body;
    if (r.body != R"({"votes":[]})") {
      body = r.body;
      break;
    }
  }
  JsonDoc votes;
  ASSERT_TRUE(votes.Parse(body)) << body;
  EXPECT_EQ(votes.Str({"votes", "0", "id"}), vote_id);
  EXPECT_EQ(votes.Str({"votes", "0", "match_id"}), match_id);
  EXPECT_EQ(votes.Str({"votes", "0", "template"}), "map");
  EXPECT_EQ(votes.Str({"votes", "0", "method"}), "plurality");
  EXPECT_EQ(votes.Str({"votes", "0", "result", "winner"}), "b");
  EXPECT_EQ(votes.Int({"votes", "0", "eligible_count"}), 2);
  EXPECT_EQ(votes.Int({"votes", "0", "window_ms"}), 1500);
  EXPECT_EQ(votes.Raw({"votes", "0", "votes_cast"}).value_or("").size() > 2, true);
  EXPECT_EQ(
      HttpCall(port(), "GET", "/api/v1/matches/" + match_id + "/votes", "", tokens_[3]).status,
      403);
  HttpResponse one = HttpCall(port(), "GET", "/api/v1/votes/" + vote_id, "", tokens_[3]);
  EXPECT_EQ(one.status, 200) << one.body;
  JsonDoc row;
  ASSERT_TRUE(row.Parse(one.body));
  EXPECT_EQ(row.Str({"id"}), vote_id);
  EXPECT_EQ(HttpCall(port(), "GET", "/api/v1/votes/nope", "", tokens_[3]).status, 404);
  for (RoundsPlayer* p : {&a, &b, &c}) {
    EXPECT_EQ(p->Call("match.leave", "{}").Str({"type"}), "match.left");
  }
}

TEST_F(RoundsTest, ApprovalReadyUpHiddenAndNoQuorum) {
  RoundsPlayer a, b;
  ASSERT_TRUE(a.Connect(port(), tokens_[0]));
  ASSERT_TRUE(b.Connect(port(), tokens_[1]));
  ASSERT_EQ(a.Call("match.find_or_create", R"({"mode":"voting2"})").Str({"type"}), "match.joined");
  ASSERT_EQ(b.Call("match.find_or_create", R"({"mode":"voting2"})").Str({"type"}), "match.joined");
  // ready_up: resolves as soon as both voted, long before the 60 s window.
  a.Input(R"({"vote":{"template":"mods","window_ms":60000,"method":"approval",)"
          R"("window_type":"ready_up","visibility":"hidden",)"
          R"("options":[{"id":"a","label":"A"},{"id":"b","label":"B"},{"id":"c","label":"C"}]}})");
  JsonDoc start;
  ASSERT_TRUE(a.WaitFor("match.vote_start", &start)) << start.text();
  EXPECT_EQ(start.Str({"payload", "method"}), "approval");
  const std::string vote_id = start.Str({"payload", "vote_id"}).value_or("");
  EXPECT_EQ(CastOption(a, vote_id, R"("a")"), "invalid_option");  // a string for approval
  EXPECT_EQ(CastOption(a, vote_id, R"(["a","a"])"), "invalid_option");
  EXPECT_EQ(CastOption(a, vote_id, R"(["a","x"])"), "invalid_option");
  EXPECT_EQ(CastOption(a, vote_id, R"(["a","b"])"), "ok");
  EXPECT_EQ(CastOption(b, vote_id, R"(["b"])"), "ok");
  JsonDoc result;
  ASSERT_TRUE(a.WaitFor("match.vote_result", &result)) << result.text();
  EXPECT_EQ(result.Str({"payload", "winner"}), "b");
  EXPECT_EQ(result.Raw({"payload", "counts"}), R"({"a":1,"b":2,"c":0})");
  // Hidden: no tally frame went out before the result.
  JsonDoc tally;
  EXPECT_FALSE(b.WaitFor("match.vote_tally", &tally, 200)) << tally.text();

  // Quorum not met: the winner is null (DECISIONS.md) and vote_resolved gets nil.
  a.Input(R"({"vote":{"template":"quorum","window_ms":300,"quorum":1.0,)"
          R"("options":[{"id":"x","label":"X"},{"id":"y","label":"Y"}]}})");
  ASSERT_TRUE(a.WaitFor("match.vote_start", &start)) << start.text();
  ASSERT_TRUE(a.WaitFor("match.vote_result", &result)) << result.text();
  EXPECT_EQ(result.Raw({"payload", "winner"}), "null");
  EXPECT_EQ(result.Int({"payload", "total_votes"}), 0);
  JsonDoc s;
  ASSERT_TRUE(a.WaitFor(
      "match.state",
      [](const JsonDoc& d) {
        return d.Has({"payload", "results", "1"});
      },
      &s));
  EXPECT_EQ(s.Str({"payload", "results", "1", "template"}), "quorum") << s.text();
  EXPECT_EQ(s.Str({"payload", "results", "1", "winner"}), "nil");
  EXPECT_EQ(s.Str({"payload", "results", "1", "status"}), "no_quorum");
  for (RoundsPlayer* p : {&a, &b}) {
    EXPECT_EQ(p->Call("match.leave", "{}").Str({"type"}), "match.left");
  }
}

TEST_F(RoundsTest, RankedChoiceWithAHybridWindow) {
  RoundsPlayer a, b, c;
  ASSERT_TRUE(a.Connect(port(), tokens_[0]));
  ASSERT_TRUE(b.Connect(port(), tokens_[1]));
  ASSERT_TRUE(c.Connect(port(), tokens_[3]));
  JsonDoc ja = a.Call("match.find_or_create", R"({"mode":"voting"})");
  ASSERT_EQ(ja.Str({"type"}), "match.joined") << ja.text();
  const std::string match_id = ja.Str({"payload", "match_id"}).value_or("");
  ASSERT_EQ(b.Call("match.find_or_create", R"({"mode":"voting"})").Str({"type"}), "match.joined");
  ASSERT_EQ(c.Call("match.join", R"({"match_id":")" + match_id + R"("})").Str({"type"}),
            "match.joined");
  JsonDoc s;
  ASSERT_TRUE(a.WaitFor("match.state", &s));
  // hybrid: resolves once all three voted (not before min_window_ms), not after 30 s.
  a.Input(R"({"vote":{"template":"rank","window_ms":30000,"method":"ranked",)"
          R"("window_type":"hybrid","min_window_ms":500,"tie_breaker":"first",)"
          R"("options":[{"id":"a","label":"A"},{"id":"b","label":"B"},{"id":"c","label":"C"}]}})");
  JsonDoc start;
  ASSERT_TRUE(c.WaitFor("match.vote_start", &start)) << start.text();
  EXPECT_EQ(start.Str({"payload", "method"}), "ranked");
  const std::string vote_id = start.Str({"payload", "vote_id"}).value_or("");
  EXPECT_EQ(CastOption(a, vote_id, R"("b")"), "invalid_option");  // a string for ranked
  EXPECT_EQ(CastOption(a, vote_id, R"(["b","a"])"), "ok");
  EXPECT_EQ(CastOption(b, vote_id, R"(["a","b"])"), "ok");
  EXPECT_EQ(CastOption(c, vote_id, R"(["c","a"])"), "ok");
  // First preferences a1 b1 c1: every remaining option tied, so the tie breaker ("first")
  // decides (the elimination rounds are unit-tested).
  JsonDoc result;
  ASSERT_TRUE(a.WaitFor("match.vote_result", &result)) << result.text();
  EXPECT_EQ(result.Str({"payload", "winner"}), "a");
  EXPECT_EQ(result.Raw({"payload", "counts"}), R"({"a":1,"b":1,"c":1})");
  EXPECT_EQ(result.Int({"payload", "total_votes"}), 3);
  for (RoundsPlayer* p : {&a, &b, &c}) {
    EXPECT_EQ(p->Call("match.leave", "{}").Str({"type"}), "match.left");
  }
}

auto Template(const std::string& name) {
  return [name](const JsonDoc& d) { return d.Str({"payload", "template"}) == name; };
}

std::string Veto(RoundsPlayer& p, const std::string& payload) {
  JsonDoc r = p.Call("vote.veto", payload);
  if (r.Str({"type"}) == "vote.veto_ok") return "ok";
  return r.Str({"payload", "reason"}).value_or(r.text());
}

TEST_F(RoundsTest, VetoWithEveryError) {
  RoundsPlayer a, b, c;
  ASSERT_TRUE(a.Connect(port(), tokens_[0]));
  ASSERT_TRUE(b.Connect(port(), tokens_[1]));
  ASSERT_TRUE(c.Connect(port(), tokens_[2]));
  EXPECT_EQ(Veto(c, R"({"vote_id":"x"})"), "not_in_match");
  ASSERT_EQ(a.Call("match.find_or_create", R"({"mode":"voting"})").Str({"type"}), "match.joined");
  EXPECT_EQ(Veto(a, R"({"vote_id":"x"})"), "match_not_started");
  ASSERT_EQ(b.Call("match.find_or_create", R"({"mode":"voting"})").Str({"type"}), "match.joined");
  const std::string options = R"("options":[{"id":"a","label":"A"},{"id":"b","label":"B"}])";
  a.Input(R"({"vote":{"template":"v1","window_ms":30000,)" + options + "}}");
  JsonDoc v1;
  ASSERT_TRUE(a.WaitFor("match.vote_start", Template("v1"), &v1)) << v1.text();
  const std::string id1 = v1.Str({"payload", "vote_id"}).value_or("");
  EXPECT_EQ(Veto(a, "{}"), "missing_field");
  EXPECT_EQ(Veto(a, R"({"vote_id":"nope"})"), "vote_not_found");
  EXPECT_EQ(Veto(a, R"({"vote_id":")" + id1 + R"("})"), "veto_disabled");

  a.Input(R"({"vote":{"template":"v2","window_ms":30000,"veto_enabled":true,)" + options + "}}");
  JsonDoc v2;
  ASSERT_TRUE(a.WaitFor("match.vote_start", Template("v2"), &v2)) << v2.text();
  const std::string id2 = v2.Str({"payload", "vote_id"}).value_or("");
  EXPECT_EQ(Veto(a, R"({"vote_id":")" + id2 + R"("})"), "ok");
  JsonDoc vetoed;
  ASSERT_TRUE(b.WaitFor("match.vote_vetoed", &vetoed)) << vetoed.text();
  EXPECT_EQ(vetoed.Str({"payload", "vote_id"}), id2);
  EXPECT_EQ(vetoed.Str({"payload", "vetoed_by"}), players_[0]);
  EXPECT_EQ(Veto(b, R"({"vote_id":")" + id2 + R"("})"), "vote_closed");
  EXPECT_EQ(CastOption(b, id2, R"("a")"), "vote_closed");

  // One token per player per match (--vote-veto-tokens 1): A has none left.
  a.Input(R"({"vote":{"template":"v3","window_ms":30000,"veto_enabled":true,)" + options + "}}");
  JsonDoc v3;
  ASSERT_TRUE(a.WaitFor("match.vote_start", Template("v3"), &v3)) << v3.text();
  const std::string id3 = v3.Str({"payload", "vote_id"}).value_or("");
  EXPECT_EQ(Veto(a, R"({"vote_id":")" + id3 + R"("})"), "no_veto_tokens");
  // A late joiner is not eligible.
  ASSERT_EQ(c.Call("match.find_or_create", R"({"mode":"voting"})").Str({"type"}), "match.joined");
  EXPECT_EQ(Veto(c, R"({"vote_id":")" + id3 + R"("})"), "not_eligible");
  for (RoundsPlayer* p : {&a, &b, &c}) {
    EXPECT_EQ(p->Call("match.leave", "{}").Str({"type"}), "match.left");
  }
}

TEST_F(RoundsTest, BotsVoteForARandomOption) {
  RoundsPlayer a;
  ASSERT_TRUE(a.Connect(port(), tokens_[2]));
  ASSERT_EQ(a.Call("match.find_or_create", R"({"mode":"botvote"})").Str({"type"}), "match.joined");
  JsonDoc s;
  ASSERT_TRUE(a.WaitFor(
      "match.state",
      [](const JsonDoc& d) {
        return d.Int({"payload", "bots"}) == 2;
      },
      &s))
      << s.text();
  // ready_up with a long window: it resolves once both bots voted (1-4 s each) and we did.
  a.Input(R"({"vote":{"template":"bots","window_ms":30000,"window_type":"ready_up",)"
          R"("options":[{"id":"a","label":"A"},{"id":"b","label":"B"}]}})");
  JsonDoc start;
  ASSERT_TRUE(a.WaitFor("match.vote_start", &start)) << start.text();
  const std::string vote_id = start.Str({"payload", "vote_id"}).value_or("");
  EXPECT_EQ(CastOption(a, vote_id, R"("a")"), "ok");
  JsonDoc result;
  ASSERT_TRUE(a.WaitFor("match.vote_result", &result, 10000)) << result.text();
  EXPECT_EQ(result.Int({"payload", "total_votes"}), 3);
  EXPECT_TRUE(result.Has({"payload", "winner"}));
  EXPECT_EQ(a.Call("match.leave", "{}").Str({"type"}), "match.left");
}

// Weighted (lua.md §6, docs/decisions.md "Votes: weighted and adaptive"): a player whose ballot
// lost the previous decided vote weighs 1.5 in the next weighted one.
TEST_F(RoundsTest, WeightedVoteFavoursThePlayerWhoLostTheLastVote) {
  RoundsPlayer a, b;
  ASSERT_TRUE(a.Connect(port(), tokens_[0]));
  ASSERT_TRUE(b.Connect(port(), tokens_[1]));
  ASSERT_EQ(a.Call("match.find_or_create", R"({"mode":"voting2"})").Str({"type"}), "match.joined");
  ASSERT_EQ(b.Call("match.find_or_create", R"({"mode":"voting2"})").Str({"type"}), "match.joined");
  // A 1-1 plurality tie that the "first" tie breaker gives to x: b lost.
  a.Input(R"({"vote":{"template":"w1","window_ms":30000,"window_type":"ready_up",)"
          R"("tie_breaker":"first","options":[{"id":"x","label":"X"},{"id":"y","label":"Y"}]}})");
  JsonDoc start;
  ASSERT_TRUE(a.WaitFor("match.vote_start", &start)) << start.text();
  std::string vote_id = start.Str({"payload", "vote_id"}).value_or("");
  EXPECT_EQ(CastOption(a, vote_id, R"("x")"), "ok");
  EXPECT_EQ(CastOption(b, vote_id, R"("y")"), "ok");
  JsonDoc result;
  ASSERT_TRUE(a.WaitFor("match.vote_result", &result)) << result.text();
  EXPECT_EQ(result.Str({"payload", "winner"}), "x");
  // The same ballots in a weighted vote: y wins 1.5 to 1.
  a.Input(R"({"vote":{"template":"w2","window_ms":30000,"window_type":"ready_up",)"
          R"("method":"weighted","tie_breaker":"first",)"
          R"("options":[{"id":"x","label":"X"},{"id":"y","label":"Y"}]}})");
  ASSERT_TRUE(a.WaitFor("match.vote_start", Template("w2"), &start)) << start.text();
  EXPECT_EQ(start.Str({"payload", "method"}), "weighted");
  vote_id = start.Str({"payload", "vote_id"}).value_or("");
  EXPECT_EQ(CastOption(a, vote_id, R"(["x"])"), "invalid_option");  // a string, as plurality
  EXPECT_EQ(CastOption(a, vote_id, R"("x")"), "ok");
  JsonDoc tally;
  ASSERT_TRUE(b.WaitFor("match.vote_tally", &tally)) << tally.text();
  EXPECT_EQ(tally.Raw({"payload", "tallies"}), R"({"x":1,"y":0})");
  EXPECT_EQ(CastOption(b, vote_id, R"("y")"), "ok");
  ASSERT_TRUE(a.WaitFor("match.vote_result", &result)) << result.text();
  EXPECT_EQ(result.Str({"payload", "winner"}), "y");
  EXPECT_EQ(result.Raw({"payload", "counts"}), R"({"x":1,"y":1.5})");
  EXPECT_EQ(result.Raw({"payload", "distribution"}), R"({"x":0.4,"y":0.6})");
  EXPECT_EQ(result.Int({"payload", "total_votes"}), 2);
  // Persisted like every vote (rest.md §3.11).
  JsonDoc row;
  for (int64_t deadline = RoundsNowMs() + kRoundsWaitMs; RoundsNowMs() < deadline;) {
    HttpResponse r = HttpCall(port(), "GET", "/api/v1/votes/" + vote_id, "", tokens_[0]);
    if (r.status == 200 && row.Parse(r.body)) break;
    usleep(20 * 1000);
  }
  EXPECT_EQ(row.Str({"method"}), "weighted") << row.text();
  for (RoundsPlayer* p : {&a, &b}) {
    EXPECT_EQ(p->Call("match.leave", "{}").Str({"type"}), "match.left");
  }
}

// Adaptive (docs/decisions.md "Votes: weighted and adaptive"): resolves as soon as the voters
// left cannot change the winner, long before its 60 s window; a later cast is vote_closed.
TEST_F(RoundsTest, AdaptiveWindowResolvesOnceTheWinnerIsCertain) {
  RoundsPlayer a, b, c;
  ASSERT_TRUE(a.Connect(port(), tokens_[0]));
  ASSERT_TRUE(b.Connect(port(), tokens_[1]));
  ASSERT_TRUE(c.Connect(port(), tokens_[3]));
  JsonDoc ja = a.Call("match.find_or_create", R"({"mode":"voting"})");
  ASSERT_EQ(ja.Str({"type"}), "match.joined") << ja.text();
  const std::string match_id = ja.Str({"payload", "match_id"}).value_or("");
  ASSERT_EQ(b.Call("match.find_or_create", R"({"mode":"voting"})").Str({"type"}), "match.joined");
  ASSERT_EQ(c.Call("match.join", R"({"match_id":")" + match_id + R"("})").Str({"type"}),
            "match.joined");
  JsonDoc s;
  ASSERT_TRUE(a.WaitFor("match.state", &s));
  a.Input(R"({"vote":{"template":"adapt","window_ms":60000,"window_type":"adaptive",)"
          R"("options":[{"id":"x","label":"X"},{"id":"y","label":"Y"}]}})");
  JsonDoc start;
  ASSERT_TRUE(c.WaitFor("match.vote_start", &start)) << start.text();
  const std::string vote_id = start.Str({"payload", "vote_id"}).value_or("");
  EXPECT_EQ(CastOption(a, vote_id, R"("x")"), "ok");
  JsonDoc result;
  EXPECT_FALSE(a.WaitFor("match.vote_result", &result, 200)) << result.text();  // 1-0, 2 left
  EXPECT_EQ(CastOption(b, vote_id, R"("x")"), "ok");  // 2-0 with one left: x is certain
  ASSERT_TRUE(c.WaitFor("match.vote_result", &result)) << result.text();
  EXPECT_EQ(result.Str({"payload", "winner"}), "x");
  EXPECT_EQ(result.Raw({"payload", "counts"}), R"({"x":2,"y":0})");
  EXPECT_EQ(CastOption(c, vote_id, R"("y")"), "vote_closed");
  for (RoundsPlayer* p : {&a, &b, &c}) {
    EXPECT_EQ(p->Call("match.leave", "{}").Str({"type"}), "match.left");
  }
}

}  // namespace
}  // namespace asobi::itest
