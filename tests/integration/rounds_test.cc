// Game rounds end to end against the real server and PostgreSQL (issue 13): the bots API
// (lua.md §9 game.bots.add/remove, §10) and phases (§5, with game.match.ready).
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
      badphases = "badphases.lua", nophases = "nophases.lua" })");
    started_ = new ::testing::AssertionResult(::testing::AssertionFailure() << "no database");
    server_ = new ServerProcess();
    db_ = new TestDatabase();
    ASSERT_TRUE(db_->ok()) << db_->error();
    ServerOptions o;
    o.flags = db_->ServerFlags();
    o.flags.insert(o.flags.end(), {"--game-dir", *game_dir_, "--rate-limits",
                                   "register=1000/1000,auth=1000/1000"});
    *started_ = server_->Start(o);
    if (!*started_) return;
    for (int i = 0; i < 200 && HttpCall(server_->port(), "GET", "/ready").status != 200; ++i) {
      usleep(50 * 1000);
    }
    for (int i = 0; i < 2; ++i) {
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
  static std::string players_[2];
  static std::string tokens_[2];
};

TestDatabase* RoundsTest::db_ = nullptr;
std::string RoundsTest::players_[2];
std::string RoundsTest::tokens_[2];
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

}  // namespace
}  // namespace asobi::itest
