// Lua matches end to end against the real server, no database (websocket.md §5, §9.2; lua.md
// §1-§4, §7, §16): two players quick-play the demo mode, move, leave; error reasons; a hot
// reload while two clients play, also of a required module; runaway inputs quarantine their
// match while another match plays on (issue 10, docs/decisions.md "Lua runaway scripts").
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "http_call.h"
#include "itest_checks.h"
#include "json_doc.h"
#include "server_harness.h"
#include "ws_client.h"

namespace asobi::itest {
namespace {

constexpr int kWaitMs = 5000;  // bounds a misbehaving server only

constexpr char kToken1[] = "match-token-1";
constexpr char kPlayer1[] = "0190b000-0000-7000-8000-000000000001";
constexpr char kToken2[] = "match-token-2";
constexpr char kPlayer2[] = "0190b000-0000-7000-8000-000000000002";
constexpr char kToken3[] = "match-token-3";
constexpr char kPlayer3[] = "0190b000-0000-7000-8000-000000000003";

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& content) {
  // Write then rename, the way editors save (one inotify event, never a half file).
  std::string tmp = path + ".tmp";
  std::ofstream(tmp, std::ios::trunc) << content;
  rename(tmp.c_str(), path.c_str());
}

// The reload mode: per-player view with a `version` the test changes.
std::string ReloadScript(int version) {
  std::string s = R"(
match_size = 2
quick_play = true
function init() return { tick = 0 } end
function join(p, s) return s end
function leave(p, s) return s end
function handle_input(p, i, s) return s end
function tick(s) s.tick = s.tick + 1 return s end
function get_state(p, s) return { tick = s.tick, version = )";
  s.append(std::to_string(version)).append(" } end\n");
  return s;
}

// A solo mode whose handle_input can loop forever ({loop = true}) or run a backtracking
// pattern that would take hours inside string.find ({bomb = true}).
constexpr char kRunawayScript[] = R"(
match_size = 1
max_players = 1
quick_play = true
function init() return { n = 0 } end
function join(p, s) return s end
function leave(p, s) return s end
function handle_input(p, input, s)
  if input.bomb then s.found = string.find(string.rep("a", 40), string.rep("a*", 40) .. "b") end
  if input.loop then while true do end end
  return s
end
function tick(s) s.n = s.n + 1 return s end
function get_state(p, s) return { n = s.n } end
)";

// A mode whose view comes from a required module (lib/ver.lua).
constexpr char kModuleScript[] = R"(
match_size = 1
max_players = 1
quick_play = true
local ver = require("lib.ver")
function init() return {} end
function join(p, s) return s end
function leave(p, s) return s end
function handle_input(p, i, s) return s end
function tick(s) return s end
function get_state(p, s) return { ver = ver.n } end
)";

// One WebSocket player that keeps pushes it skipped while waiting for a reply.
class Player {
 public:
  ::testing::AssertionResult Connect(uint16_t port, const char* token) {
    if (auto r = ws_.Open(port); !r) return r;
    JsonDoc reply = Call("session.connect", std::string(R"({"token":")") + token + "\"}");
    if (reply.Str({"type"}).value_or("") != "session.connected") {
      return ::testing::AssertionFailure() << "session.connect: " << reply.text();
    }
    return ::testing::AssertionSuccess();
  }
  JsonDoc Call(const std::string& type, const std::string& payload_json) {
    std::string cid = std::to_string(++cid_);
    Send(R"({"type":")" + type + R"(","cid":")" + cid + R"(","payload":)" + payload_json + "}");
    int64_t deadline = NowMs() + kWaitMs;
    while (NowMs() < deadline) {
      JsonDoc d;
      if (!ws_.RecvJson(&d, int(deadline - NowMs()))) break;
      if (d.Str({"cid"}).value_or("") == cid) return d;
      backlog_.push_back(std::move(d));
    }
    ADD_FAILURE() << "no reply to " << type;
    return JsonDoc();
  }
  void Send(const std::string& json) { ASSERT_TRUE(ws_.SendText(json)); }
  // The next push of `type` for which `pred` holds (older frames are dropped).
  template <typename Pred>
  bool WaitFor(const std::string& type, Pred pred, JsonDoc* out, int timeout_ms = kWaitMs) {
    int64_t deadline = NowMs() + timeout_ms;
    for (;;) {
      while (!backlog_.empty()) {
        JsonDoc d = std::move(backlog_.front());
        backlog_.pop_front();
        if (d.Str({"type"}).value_or("") == type && pred(d)) {
          *out = std::move(d);
          return true;
        }
      }
      int64_t left = deadline - NowMs();
      if (left <= 0) return false;
      JsonDoc d;
      if (!ws_.RecvJson(&d, int(left))) return false;
      backlog_.push_back(std::move(d));
    }
  }
  bool WaitFor(const std::string& type, JsonDoc* out, int timeout_ms = kWaitMs) {
    return WaitFor(
        type, [](const JsonDoc&) { return true; }, out, timeout_ms);
  }
  WsClient& ws() { return ws_; }

 private:
  WsClient ws_;
  std::deque<JsonDoc> backlog_;
  int cid_ = 0;
};

class MatchTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/asobi_match_itest_XXXXXX";
    game_dir_ = new std::string(mkdtemp(tmpl));
    const char* root = std::getenv("ASOBI_SOURCE_ROOT");
    std::string demo = ReadFile(std::string(root ? root : ".") + "/lua/demo/match.lua");
    mkdir((*game_dir_ + "/demo").c_str(), 0755);
    WriteFile(*game_dir_ + "/demo/match.lua", demo);
    WriteFile(*game_dir_ + "/quick.lua", demo + "\nquick_play = true\nlisted = true\n");
    WriteFile(*game_dir_ + "/picky.lua", R"(
match_size = 2
quick_play = true
function init() return {} end
function join(p, s, ctx) if ctx.team ~= "red" then return nil, "red team only" end return s end
function leave(p, s) return s end
function handle_input(p, i, s) return s end
function tick(s) return s end
function get_state(p, s) return {} end
)");
    WriteFile(*game_dir_ + "/reload.lua", ReloadScript(1));
    WriteFile(*game_dir_ + "/solo.lua",
              demo + "\nmatch_size = 1\nmax_players = 1\nquick_play = true\n");
    WriteFile(*game_dir_ + "/runaway.lua", kRunawayScript);
    mkdir((*game_dir_ + "/lib").c_str(), 0755);
    WriteFile(*game_dir_ + "/lib/ver.lua", "return { n = 1 }");
    WriteFile(*game_dir_ + "/module.lua", kModuleScript);
    WriteFile(*game_dir_ + "/config.lua", R"(return { demo = "demo/match.lua",
      quick = "quick.lua", picky = "picky.lua", reload = "reload.lua", solo = "solo.lua",
      runaway = "runaway.lua", module = "module.lua" })");
    server_ = new ServerProcess();
    ServerOptions o;
    o.flags = {"--game-dir", *game_dir_, "--ws-connect-limit", "100000"};
    o.dev_tokens = {{kToken1, kPlayer1}, {kToken2, kPlayer2}, {kToken3, kPlayer3}};
    started_ = new ::testing::AssertionResult(server_->Start(o));
  }
  static void TearDownTestSuite() {
    EXPECT_TRUE(server_->Stop());
    delete server_;
    delete started_;
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
};

ServerProcess* MatchTest::server_ = nullptr;
::testing::AssertionResult* MatchTest::started_ = nullptr;
std::string* MatchTest::game_dir_ = nullptr;

std::optional<double> Num(const JsonDoc& d, JsonPath path) {
  auto v = d.At(path);
  if (!v || !v->is_number()) return std::nullopt;
  return v->get_double().value();
}

TEST_F(MatchTest, TwoPlayersQuickPlayTheDemoMoveAndLeave) {
  Player a, b;
  ASSERT_TRUE(a.Connect(port(), kToken1));
  ASSERT_TRUE(b.Connect(port(), kToken2));
  JsonDoc ja = a.Call("match.find_or_create", R"({"mode":"quick"})");
  ASSERT_EQ(ja.Str({"type"}), "match.joined") << ja.text();
  EXPECT_EQ(ja.Str({"payload", "mode"}), "quick");
  EXPECT_EQ(ja.Str({"payload", "status"}), "waiting");
  EXPECT_EQ(ja.Int({"payload", "max_players"}), 2);
  EXPECT_TRUE(ja.Has({"payload", "listed"}));
  EXPECT_TRUE(ja.Has({"payload", "joinable"}));
  JsonDoc jb = b.Call("match.find_or_create", R"({"mode":"quick"})");
  ASSERT_EQ(jb.Str({"type"}), "match.joined") << jb.text();
  EXPECT_EQ(jb.Str({"payload", "match_id"}), ja.Str({"payload", "match_id"}));
  EXPECT_EQ(jb.Int({"payload", "player_count"}), 2);
  EXPECT_EQ(jb.Str({"payload", "status"}), "running");

  JsonDoc s0;
  ASSERT_TRUE(a.WaitFor("match.state", &s0));
  auto x0 = Num(s0, {"payload", "players", kPlayer1, "x"});
  ASSERT_TRUE(x0.has_value()) << s0.text();
  EXPECT_TRUE(Num(s0, {"payload", "players", kPlayer2, "x"}).has_value());
  EXPECT_EQ(s0.Str({"payload", "you"}), kPlayer1);
  EXPECT_FALSE(s0.Has({"cid"}));

  a.Send(R"({"type":"match.input","payload":{"move_x":1}})");
  const double start = std::min(*x0, 700.0);
  JsonDoc moved;
  EXPECT_TRUE(a.WaitFor(
      "match.state",
      [&](const JsonDoc& d) {
        auto x = Num(d, {"payload", "players", kPlayer1, "x"});
        return x && *x > start + 10;
      },
      &moved, 1500))
      << "x did not advance by more than 10 within a second";
  JsonDoc other;
  EXPECT_TRUE(b.WaitFor(
      "match.state",
      [&](const JsonDoc& d) {
        auto x = Num(d, {"payload", "players", kPlayer1, "x"});
        return x && *x > start + 10;
      },
      &other));

  JsonDoc left = a.Call("match.leave", "{}");
  EXPECT_EQ(left.Str({"type"}), "match.left");
  EXPECT_EQ(left.Raw({"payload"}), R"({"success":true})");
  JsonDoc without;
  EXPECT_TRUE(b.WaitFor(
      "match.state",
      [&](const JsonDoc& d) {
        return !d.Has({"payload", "players", kPlayer1});
      },
      &without));
  // Leaving when not in a match still answers success.
  EXPECT_EQ(a.Call("match.leave", "{}").Str({"type"}), "match.left");
}

// Quick play creates a new match whenever none has room; with more live matches than shards
// every creation must still land on a running shard (least-loaded placement).
TEST_F(MatchTest, QuickPlayCreatesMoreMatchesThanShards) {
  Player a, b, c;
  ASSERT_TRUE(a.Connect(port(), kToken1));
  ASSERT_TRUE(b.Connect(port(), kToken2));
  ASSERT_TRUE(c.Connect(port(), kToken3));
  std::set<std::string> ids;
  for (Player* p : {&a, &b, &c}) {
    JsonDoc j = p->Call("match.find_or_create", R"({"mode":"solo"})");
    ASSERT_EQ(j.Str({"type"}), "match.joined") << j.text();
    EXPECT_EQ(j.Str({"payload", "status"}), "running");
    ids.insert(j.Str({"payload", "match_id"}).value_or(""));
  }
  EXPECT_EQ(ids.size(), 3u) << "each solo player gets a match of their own";
  for (Player* p : {&a, &b, &c}) {
    JsonDoc s;
    EXPECT_TRUE(p->WaitFor("match.state", &s));
    EXPECT_EQ(p->Call("match.leave", "{}").Str({"type"}), "match.left");
  }
}

TEST_F(MatchTest, ErrorReasons) {
  Player a, c;
  ASSERT_TRUE(a.Connect(port(), kToken3));
  JsonDoc r = a.Call("match.join", R"({"match_id":"0190b000-0000-7000-8000-0000000000ff"})");
  EXPECT_TRUE(IsWsError(r, "match_not_found", "match.not_found", r.Raw({"cid"}))) << r.text();
  r = a.Call("match.join", "{}");
  EXPECT_TRUE(IsWsError(r, "missing_field", "missing_field", r.Raw({"cid"}))) << r.text();
  r = a.Call("match.find_or_create", R"({"mode":"nope"})");
  EXPECT_TRUE(IsWsError(r, "not_found", "ws.request_failed", r.Raw({"cid"}))) << r.text();
  EXPECT_EQ(r.Str({"payload", "error", "details", "reason"}), "not_found");
  r = a.Call("match.find_or_create", R"({"mode":"demo"})");
  EXPECT_TRUE(IsWsError(r, "quick_play_disabled", "ws.request_failed", r.Raw({"cid"}))) << r.text();
  r = a.Call("match.find_or_create", R"({"mode":"picky","ctx":{"team":"blue"}})");
  EXPECT_TRUE(IsWsError(r, "join_refused", "match.join_refused", r.Raw({"cid"}))) << r.text();
  EXPECT_EQ(r.Str({"payload", "error", "details", "refused_reason"}), "red team only");
  r = a.Call("match.find_or_create", R"({"mode":"picky","ctx":{"team":["red"]}})");
  EXPECT_TRUE(IsWsError(r, "invalid_join_ctx_value", "ws.request_failed", r.Raw({"cid"})))
      << r.text();
  r = a.Call("match.input", "[1,2]");
  EXPECT_TRUE(IsWsError(r, "invalid_payload", "invalid_payload", r.Raw({"cid"}))) << r.text();
  r = a.Call("match.list", R"({"mode":5})");
  EXPECT_TRUE(IsWsError(r, "invalid_mode_filter", "ws.request_failed", r.Raw({"cid"}))) << r.text();
  r = a.Call("match.list", R"({"mode":"quick"})");
  EXPECT_EQ(r.Str({"type"}), "match.list") << r.text();
  EXPECT_TRUE(r.At({"payload", "matches"})->is_array());
  // Not in a match: the input is dropped with a hint (no cid, extra type).
  a.Send(R"({"type":"match.input","payload":{"move_x":1}})");
  JsonDoc hint;
  ASSERT_TRUE(a.WaitFor("error", &hint));
  EXPECT_TRUE(IsWsError(hint, "not_in_match", "match.not_in_match", std::nullopt)) << hint.text();
  EXPECT_EQ(hint.Str({"payload", "type"}), "match.input");
  // Before session.connect: unauthenticated (DECISIONS.md wire 2).
  ASSERT_TRUE(c.ws().Open(port()));
  JsonDoc u;
  ASSERT_TRUE(c.ws().Request(R"({"type":"match.list","cid":"u","payload":{}})", &u));
  EXPECT_TRUE(IsWsError(u, "unauthenticated", "unauthenticated", R"("u")")) << u.text();
}

TEST_F(MatchTest, HotReloadReachesARunningMatchWithoutDisconnects) {
  Player a, b;
  ASSERT_TRUE(a.Connect(port(), kToken1));
  ASSERT_TRUE(b.Connect(port(), kToken2));
  JsonDoc ja = a.Call("match.find_or_create", R"({"mode":"reload"})");
  ASSERT_EQ(ja.Str({"type"}), "match.joined") << ja.text();
  JsonDoc jb = b.Call("match.find_or_create", R"({"mode":"reload"})");
  ASSERT_EQ(jb.Str({"payload", "match_id"}), ja.Str({"payload", "match_id"}));
  JsonDoc s1;
  ASSERT_TRUE(a.WaitFor("match.state", &s1));
  EXPECT_EQ(Num(s1, {"payload", "version"}), 1);
  const double tick_before = Num(s1, {"payload", "tick"}).value_or(0);

  WriteFile(*game_dir_ + "/reload.lua", ReloadScript(2));
  auto is_v2 = [](const JsonDoc& d) { return Num(d, {"payload", "version"}) == 2.0; };
  JsonDoc a2, b2;
  ASSERT_TRUE(a.WaitFor("match.state", is_v2, &a2, 10000)) << "no new behaviour after reload";
  ASSERT_TRUE(b.WaitFor("match.state", is_v2, &b2, 10000));
  EXPECT_GT(Num(a2, {"payload", "tick"}).value_or(0), tick_before) << "state kept";
  EXPECT_TRUE(server_->WaitForLog("lua hot reload", 1000));

  // A broken edit keeps the running code; both sockets stay connected.
  WriteFile(*game_dir_ + "/reload.lua", "function get_state(p, s) return {");
  EXPECT_TRUE(server_->WaitForLog("lua hot reload failed", 10000));
  JsonDoc still;
  ASSERT_TRUE(a.WaitFor("match.state", &still));
  EXPECT_EQ(Num(still, {"payload", "version"}), 2);
  EXPECT_EQ(a.Call("session.heartbeat", "{}").Str({"type"}), "session.heartbeat");
  EXPECT_EQ(b.Call("session.heartbeat", "{}").Str({"type"}), "session.heartbeat");
  WriteFile(*game_dir_ + "/reload.lua", ReloadScript(1));
}

// A changed required module reaches a running match: the watcher re-reads the directory
// (require never reads the disk on a shard) before the match reloads.
TEST_F(MatchTest, HotReloadOfARequiredModuleReachesARunningMatch) {
  Player a;
  ASSERT_TRUE(a.Connect(port(), kToken3));
  JsonDoc joined = a.Call("match.find_or_create", R"({"mode":"module"})");
  ASSERT_EQ(joined.Str({"type"}), "match.joined") << joined.text();
  JsonDoc s1;
  ASSERT_TRUE(a.WaitFor("match.state", &s1));
  EXPECT_EQ(Num(s1, {"payload", "ver"}), 1);
  WriteFile(*game_dir_ + "/lib/ver.lua", "return { n = 2 }");
  JsonDoc s2;
  ASSERT_TRUE(a.WaitFor(
      "match.state",
      [](const JsonDoc& d) {
        return Num(d, {"payload", "ver"}) == 2.0;
      },
      &s2, 10000))
      << "the edited module never reached the match";
  EXPECT_EQ(a.Call("match.leave", "{}").Str({"type"}), "match.left");
}

// Runaway inputs (each stopped at the 50 ms input budget) end their match with
// script_failure after 3 overruns; another match keeps ticking and both sockets stay usable.
void ExpectRunawayQuarantined(uint16_t port, ServerProcess* server, const char* input) {
  Player a, b;
  ASSERT_TRUE(a.Connect(port, kToken1));
  ASSERT_TRUE(b.Connect(port, kToken2));
  JsonDoc ja = a.Call("match.find_or_create", R"({"mode":"runaway"})");
  ASSERT_EQ(ja.Str({"type"}), "match.joined") << ja.text();
  const std::string id = ja.Str({"payload", "match_id"}).value_or("");
  JsonDoc jb = b.Call("match.find_or_create", R"({"mode":"solo"})");
  ASSERT_EQ(jb.Str({"type"}), "match.joined") << jb.text();
  JsonDoc state;
  ASSERT_TRUE(a.WaitFor("match.state", &state));
  for (int i = 0; i < 3; ++i) {
    a.Send(std::string(R"({"type":"match.input","payload":)") + input + "}");
  }
  JsonDoc fin;
  ASSERT_TRUE(a.WaitFor(
      "match.finished",
      [&](const JsonDoc& d) {
        return d.Str({"payload", "match_id"}).value_or("") == id;
      },
      &fin))
      << "the runaway match was not ended";
  EXPECT_EQ(fin.Str({"payload", "result", "status"}), "script_failure") << fin.text();
  EXPECT_TRUE(server->WaitForLog("lua script quarantined", kWaitMs));
  // Each overrun is counted on /metrics as a handle_input timeout.
  HttpResponse metrics = HttpCall(port, "GET", "/metrics");
  const std::string key =
      "asobi_lua_callback_failures_total{script=\"match\",callback=\"handle_input\","
      "kind=\"timeout\"} ";
  size_t at = metrics.body.find(key);
  ASSERT_NE(at, std::string::npos) << metrics.body;
  EXPECT_GE(std::strtoll(metrics.body.c_str() + at + key.size(), nullptr, 10), 1);
  // The other match plays on.
  JsonDoc b1, b2;
  ASSERT_TRUE(b.WaitFor("match.state", &b1));
  ASSERT_TRUE(b.WaitFor("match.state", &b2));
  EXPECT_EQ(a.Call("session.heartbeat", "{}").Str({"type"}), "session.heartbeat");
  EXPECT_EQ(b.Call("match.leave", "{}").Str({"type"}), "match.left");
}

TEST_F(MatchTest, LoopingInputsQuarantineTheirMatchWhileAnotherPlaysOn) {
  ExpectRunawayQuarantined(port(), server_, R"({"loop":true})");
}

#ifdef ASOBI_LUAJIT_CPOLL
// Defect 7 end to end: without asobi-cpoll.patch each bomb holds its shard for hours.
TEST_F(MatchTest, PatternBombInputsQuarantineTheirMatchWhileAnotherPlaysOn) {
  ExpectRunawayQuarantined(port(), server_, R"({"bomb":true})");
}
#endif

}  // namespace
}  // namespace asobi::itest
