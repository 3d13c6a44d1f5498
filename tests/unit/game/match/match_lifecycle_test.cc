// Match lifecycle (lua.md §3, §4, §7; websocket.md §5.3-§5.7) driven without sockets.
#include <gtest/gtest.h>

#include "match_test_util.h"

namespace asobi::match::test {
namespace {

constexpr char kProbe[] = R"(
match_size = 2
max_players = 3
function init(config)
  return { match_id = config.match_id, mode = config.mode, log = {}, tick = 0, players = {} }
end
function join(pid, state, ctx)
  if ctx.refuse then return nil, ctx.refuse end
  if ctx.nothing then return end
  if ctx.explode then error("join exploded") end
  if ctx.lock then game.match.set_joinable(false) end
  state.players[pid] = { x = 0 }
  table.insert(state.log, "join:" .. pid)
  return state
end
function leave(pid, state)
  state.players[pid] = nil
  table.insert(state.log, "leave:" .. pid)
  return state
end
function handle_input(pid, input, state)
  table.insert(state.log, "input:" .. pid .. ":" .. tostring(input.n))
  if input.finish then state.finish_next = true end
  return state
end
function tick(state)
  state.tick = state.tick + 1
  table.insert(state.log, "tick")
  if state.finish_next then
    state._finished = true
    state._result = { winner = "p1", note = "done" }
  end
  return state
end
function get_state(pid, state)
  return { tick = state.tick, you = pid, log = table.concat(state.log, ","),
           match_id = state.match_id, mode = state.mode }
end
)";

class MatchLifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override { Load(kProbe, ""); }
  void Load(const std::string& script, const std::string& extra_globals) {
    dir_.Write("config.lua", R"(return { probe = "probe.lua" })");
    dir_.Write("probe.lua", extra_globals + script);
    shards_.reset();
    shards_ = std::make_unique<FakeShards>(1, TestOptions(), LoadOrDie(dir_));
  }
  std::string Create() {
    auto id = shards_->Enter(0).Create("probe");
    EXPECT_TRUE(id.ok()) << (id.ok() ? "" : id.error().message);
    return id.ok() ? id.value() : "";
  }
  Match* Find(const std::string& id) { return shards_->Enter(0).Find(id); }
  void Input(const std::string& id, FakeClient& c, const std::string& json) {
    shards_->Enter(0).Input(id, c.player_id(), json, c.ref());
  }

  TempGameDir dir_;
  std::unique_ptr<FakeShards> shards_;
};

TEST_F(MatchLifecycleTest, WaitingUntilMinPlayersThenTicksEvery100Ms) {
  std::string id = Create();
  FakeClient& a = shards_->Connect(0, "p1");
  FakeClient& b = shards_->Connect(0, "p2");
  JoinOutcome j1 = JoinNow(*shards_, id, a);
  ASSERT_TRUE(j1.ok()) << j1.reason;
  Frame joined(j1.joined_json);
  EXPECT_EQ(joined.Str({"status"}), "waiting");
  EXPECT_EQ(joined.Num({"player_count"}), 1);
  EXPECT_EQ(joined.Num({"max_players"}), 3);
  EXPECT_EQ(joined.Str({"mode"}), "probe");
  EXPECT_EQ(Find(id)->status(), MatchStatus::kWaiting);
  shards_->Advance(1000);
  EXPECT_TRUE(a.OfType("match.state").empty()) << "no frames while waiting";

  ASSERT_TRUE(JoinNow(*shards_, id, b).ok());
  EXPECT_EQ(Find(id)->status(), MatchStatus::kRunning);
  shards_->Advance(1000);
  auto states = a.OfType("match.state");
  ASSERT_EQ(states.size(), 10u);
  Frame last(states.back());
  EXPECT_EQ(last.Num({"payload", "tick"}), 10);
  EXPECT_EQ(last.Str({"payload", "you"}), "p1");
  EXPECT_EQ(last.Str({"payload", "match_id"}), id);
  EXPECT_EQ(last.Str({"payload", "mode"}), "probe");
  EXPECT_EQ(Frame(b.Last("match.state")).Str({"payload", "you"}), "p2");
}

TEST_F(MatchLifecycleTest, InputsRunFifoBeforeTick) {
  std::string id = Create();
  FakeClient& a = shards_->Connect(0, "p1");
  FakeClient& b = shards_->Connect(0, "p2");
  JoinNow(*shards_, id, a);
  JoinNow(*shards_, id, b);
  shards_->Advance(100);
  Input(id, a, R"({"n":1})");
  Input(id, b, R"({"n":2})");
  Input(id, a, R"({"n":3})");
  shards_->Advance(100);
  std::string log = Frame(a.Last("match.state")).Str({"payload", "log"});
  EXPECT_NE(log.find("tick,input:p1:1,input:p2:2,input:p1:3,tick"), std::string::npos) << log;
}

// Player ids are interned per roster seat (MatchScript::RememberPlayer); seats freed by a leave
// are reused by later players, so every callback must still see its own caller's id.
TEST_F(MatchLifecycleTest, PlayerIdsStayRightAcrossLeavesAndRejoins) {
  std::string id = Create();
  FakeClient& a = shards_->Connect(0, "p1");
  FakeClient& b = shards_->Connect(0, "p2");
  JoinNow(*shards_, id, a);
  JoinNow(*shards_, id, b);
  shards_->Advance(100);
  shards_->Enter(0).Leave(id, "p1");
  FakeClient& c = shards_->Connect(0, "p3-with-a-longer-id-than-sso-holds");
  ASSERT_TRUE(JoinNow(*shards_, id, c).ok());
  Input(id, b, R"({"n":1})");
  Input(id, c, R"({"n":2})");
  shards_->Advance(100);
  std::string log = Frame(b.Last("match.state")).Str({"payload", "log"});
  EXPECT_NE(log.find("leave:p1,join:p3-with-a-longer-id-than-sso-holds,input:p2:1,"
                     "input:p3-with-a-longer-id-than-sso-holds:2,tick"),
            std::string::npos)
      << log;
  EXPECT_EQ(Frame(b.Last("match.state")).Str({"payload", "you"}), "p2");
  EXPECT_EQ(Frame(c.Last("match.state")).Str({"payload", "you"}),
            "p3-with-a-longer-id-than-sso-holds");
}

TEST_F(MatchLifecycleTest, InputsWhileWaitingOrFromStrangersAreDropped) {
  std::string id = Create();
  FakeClient& a = shards_->Connect(0, "p1");
  FakeClient& b = shards_->Connect(0, "p2");
  JoinNow(*shards_, id, a);
  Input(id, a, R"({"n":1})");  // waiting
  JoinNow(*shards_, id, b);
  FakeClient& c = shards_->Connect(0, "stranger");
  Input(id, c, R"({"n":9})");
  shards_->Advance(100);
  std::string log = Frame(a.Last("match.state")).Str({"payload", "log"});
  EXPECT_EQ(log, "join:p1,join:p2,tick");
  EXPECT_EQ(shards_->node().metrics().inputs_dropped.load(), 2u);
}

TEST_F(MatchLifecycleTest, FinishedSendsResultToEveryMemberThenDestroys) {
  std::string id = Create();
  FakeClient& a = shards_->Connect(0, "p1");
  FakeClient& b = shards_->Connect(0, "p2");
  JoinNow(*shards_, id, a);
  JoinNow(*shards_, id, b);
  shards_->Advance(100);
  size_t states = a.OfType("match.state").size();
  Input(id, b, R"({"n":1,"finish":true})");
  shards_->Advance(100);
  EXPECT_EQ(a.OfType("match.state").size(), states) << "no state frame on the finishing tick";
  for (FakeClient* c : {&a, &b}) {
    Frame f(c->Last("match.finished"));
    ASSERT_TRUE(f.ok()) << c->player_id();
    EXPECT_EQ(f.Str({"payload", "match_id"}), id);
    EXPECT_EQ(f.Str({"payload", "result", "winner"}), "p1");
    EXPECT_EQ(f.Str({"payload", "result", "note"}), "done");
  }
  EXPECT_EQ(Find(id)->status(), MatchStatus::kFinished);
  FakeClient& late = shards_->Connect(0, "p3");
  EXPECT_EQ(JoinNow(*shards_, id, late).reason, "not_in_match");
  shards_->Advance(1000);
  EXPECT_TRUE(a.OfType("match.state").size() == states);
  shards_->Advance(5000);
  EXPECT_EQ(Find(id), nullptr);
  EXPECT_EQ(shards_->node().live_matches(), 0);
  EXPECT_EQ(shards_->node().metrics().matches_finished.load(), 1u);
}

TEST_F(MatchLifecycleTest, EmptyRosterDestroysSilently) {
  std::string id = Create();
  FakeClient& a = shards_->Connect(0, "p1");
  FakeClient& b = shards_->Connect(0, "p2");
  JoinNow(*shards_, id, a);
  JoinNow(*shards_, id, b);
  shards_->Advance(100);
  shards_->Enter(0).Leave(id, "p1");
  shards_->Advance(100);
  EXPECT_NE(Frame(b.Last("match.state")).Str({"payload", "log"}).find("leave:p1"),
            std::string::npos);
  ASSERT_NE(Find(id), nullptr);
  shards_->Enter(0).Leave(id, "p2");
  shards_->Advance(0);
  EXPECT_EQ(Find(id), nullptr);
  EXPECT_TRUE(b.OfType("match.finished").empty());
  EXPECT_TRUE(shards_->node().directory().size() == 0);
}

TEST_F(MatchLifecycleTest, DisconnectOfTheLastSocketLeaves) {
  std::string id = Create();
  FakeClient& a = shards_->Connect(0, "p1");
  FakeClient& a2 = shards_->Connect(0, "p1");
  FakeClient& b = shards_->Connect(0, "p2");
  JoinNow(*shards_, id, a);
  JoinNow(*shards_, id, a2);  // second socket of the same player attaches
  JoinNow(*shards_, id, b);
  EXPECT_EQ(Find(id)->player_count(), 2);
  shards_->Enter(0).Detach(id, "p1", a.ref(), true);
  EXPECT_EQ(Find(id)->player_count(), 2);
  shards_->Enter(0).Detach(id, "p1", a2.ref(), true);
  EXPECT_EQ(Find(id)->player_count(), 1);
}

TEST_F(MatchLifecycleTest, ReconnectGraceKeepsTheSeatAndReattachesTheNewSocket) {
  Load(kProbe, "reconnect_grace_ms = 1000\n");
  std::string id = Create();
  FakeClient& a = shards_->Connect(0, "p1");
  FakeClient& b = shards_->Connect(0, "p2");
  JoinNow(*shards_, id, a);
  JoinNow(*shards_, id, b);
  shards_->Advance(100);
  shards_->Enter(0).Detach(id, "p1", a.ref(), true);
  shards_->Disconnect(a);
  shards_->Advance(500);
  EXPECT_EQ(Find(id)->player_count(), 2) << "the seat is kept during the grace";
  EXPECT_EQ(shards_->node().ReconnectableMatchOf("p1"), id);
  EXPECT_EQ(Frame(b.Last("match.state")).Str({"payload", "log"}).find("leave:p1"),
            std::string::npos);

  FakeClient& a2 = shards_->Connect(0, "p1");
  shards_->Enter(0).Reattach(id, "p1", a2.ref());
  shards_->Advance(100);
  EXPECT_EQ(shards_->node().ReconnectableMatchOf("p1"), "");
  ASSERT_FALSE(a2.OfType("match.state").empty()) << "the new socket gets the state again";
  EXPECT_TRUE(a2.OfType("match.joined").empty()) << "re-attached silently";
  EXPECT_EQ(Frame(a2.Last("match.state")).Str({"payload", "you"}), "p1");
  Input(id, a2, R"({"n":7})");
  shards_->Advance(100);
  EXPECT_NE(Frame(b.Last("match.state")).Str({"payload", "log"}).find("input:p1:7"),
            std::string::npos)
      << "inputs from the new socket reach the match";
  shards_->Advance(2000);
  EXPECT_EQ(Find(id)->player_count(), 2) << "a reconnected player never expires";
}

TEST_F(MatchLifecycleTest, ReconnectGraceExpiryRunsLeave) {
  Load(kProbe, "reconnect_grace_ms = 300\n");
  std::string id = Create();
  FakeClient& a = shards_->Connect(0, "p1");
  FakeClient& b = shards_->Connect(0, "p2");
  JoinNow(*shards_, id, a);
  JoinNow(*shards_, id, b);
  shards_->Advance(100);
  shards_->Enter(0).Detach(id, "p1", a.ref(), true);
  shards_->Advance(200);
  EXPECT_EQ(Find(id)->player_count(), 2);
  shards_->Advance(300);
  EXPECT_EQ(Find(id)->player_count(), 1);
  EXPECT_NE(Frame(b.Last("match.state")).Str({"payload", "log"}).find("leave:p1"),
            std::string::npos);
  EXPECT_EQ(shards_->node().ReconnectableMatchOf("p1"), "");
  FakeClient& late = shards_->Connect(0, "p1");
  shards_->Enter(0).Reattach(id, "p1", late.ref());
  shards_->Advance(100);
  EXPECT_TRUE(late.OfType("match.state").empty()) << "no seat after the grace";
}

TEST_F(MatchLifecycleTest, MovingToAnotherMatchNeverKeepsASeat) {
  Load(kProbe, "reconnect_grace_ms = 5000\n");
  std::string id = Create();
  FakeClient& a = shards_->Connect(0, "p1");
  FakeClient& b = shards_->Connect(0, "p2");
  JoinNow(*shards_, id, a);
  JoinNow(*shards_, id, b);
  shards_->Advance(100);
  shards_->Enter(0).Detach(id, "p1", a.ref(), false);
  EXPECT_EQ(Find(id)->player_count(), 1);
  EXPECT_EQ(shards_->node().ReconnectableMatchOf("p1"), "");
}

TEST_F(MatchLifecycleTest, TickPhasesAreSpreadOverThePeriod) {
  MatchService& svc = shards_->Enter(0);
  std::vector<int> uses(100, 0);
  for (int i = 0; i < 200; ++i) ++uses[size_t(svc.TakeTickPhase())];
  for (int u : uses) EXPECT_EQ(u, 2);
  svc.ReleaseTickPhase(42);
  EXPECT_EQ(svc.TakeTickPhase(), 42) << "a released slot is the least used again";
}

TEST_F(MatchLifecycleTest, MatchesStartedTogetherTickInDifferentMilliseconds) {
  MatchOptions o = TestOptions();
  o.spread_tick_phases = true;
  shards_ = std::make_unique<FakeShards>(1, o, LoadOrDie(dir_));
  std::string m1 = Create(), m2 = Create();
  FakeClient& a = shards_->Connect(0, "p1");
  FakeClient& c = shards_->Connect(0, "p3");
  JoinNow(*shards_, m1, a);
  JoinNow(*shards_, m1, shards_->Connect(0, "p2"));
  JoinNow(*shards_, m2, c);
  JoinNow(*shards_, m2, shards_->Connect(0, "p4"));
  int first_a = -1, first_c = -1;
  for (int ms = 1; ms <= 200; ++ms) {
    shards_->Advance(1);
    if (first_a < 0 && !a.OfType("match.state").empty()) first_a = ms;
    if (first_c < 0 && !c.OfType("match.state").empty()) first_c = ms;
  }
  EXPECT_GT(first_a, 0);
  EXPECT_GT(first_c, 0);
  EXPECT_LE(first_a, 100) << "the first tick comes within one period";
  EXPECT_LE(first_c, 100);
  EXPECT_NE(first_a, first_c) << "two matches started in the same ms tick in different slots";
  size_t states = a.OfType("match.state").size();
  EXPECT_TRUE(states == 2 || states == 3) << states << " states in 200 ms: still every 100 ms";
}

TEST_F(MatchLifecycleTest, WaitingTimeoutDestroysWithoutFrames) {
  std::string id = Create();
  FakeClient& a = shards_->Connect(0, "p1");
  JoinNow(*shards_, id, a);
  shards_->Advance(59000);
  ASSERT_NE(Find(id), nullptr);
  shards_->Advance(1001);
  EXPECT_EQ(Find(id), nullptr);
  EXPECT_TRUE(a.OfType("match.finished").empty());
  EXPECT_EQ(shards_->node().live_matches(), 0);
}

TEST_F(MatchLifecycleTest, JoinErrors) {
  std::string id = Create();
  FakeClient& a = shards_->Connect(0, "p1");
  EXPECT_EQ(JoinNow(*shards_, "no-such-match", a).reason, "match_not_found");
  JoinOutcome r = JoinNow(*shards_, id, a, R"({"refuse":"team is full"})");
  EXPECT_EQ(r.reason, "join_refused");
  EXPECT_EQ(Frame(r.details_json).Str({"refused_reason"}), "team is full");
  r = JoinNow(*shards_, id, a, R"({"refuse":"bad\u0001reason"})");
  EXPECT_EQ(r.reason, "join_refused");
  EXPECT_TRUE(r.details_json.empty()) << "non-printable reasons are dropped";
  EXPECT_EQ(JoinNow(*shards_, id, a, R"({"nothing":true})").reason, "join_refused");
  EXPECT_EQ(JoinNow(*shards_, id, a, R"({"explode":true})").reason, "internal");
  EXPECT_EQ(Find(id)->player_count(), 0);
  for (const char* p : {"p1", "p2", "p3"}) {
    EXPECT_TRUE(JoinNow(*shards_, id, shards_->Connect(0, p)).ok()) << p;
  }
  FakeClient& d = shards_->Connect(0, "p4");
  EXPECT_EQ(JoinNow(*shards_, id, d).reason, "match_full");
}

TEST_F(MatchLifecycleTest, SetJoinableFalseLocksTheMatch) {
  std::string id = Create();
  EXPECT_TRUE(JoinNow(*shards_, id, shards_->Connect(0, "p1"), R"({"lock":true})").ok());
  EXPECT_EQ(JoinNow(*shards_, id, shards_->Connect(0, "p2")).reason, "match_locked");
  EXPECT_FALSE(Find(id)->Listing().joinable);
}

TEST_F(MatchLifecycleTest, JoinRateLimitIsTenPerMinutePerPlayer) {
  std::string id = Create();
  FakeClient& a = shards_->Connect(0, "p1");
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(JoinNow(*shards_, id, a, R"({"refuse":"no"})").reason, "join_refused");
  }
  EXPECT_EQ(JoinNow(*shards_, id, a).reason, "join_rate_limited");
  EXPECT_EQ(JoinNow(*shards_, "unknown", a).reason, "match_not_found") << "lookup first";
  shards_->Advance(60001);
  id = Create();
  EXPECT_TRUE(JoinNow(*shards_, id, a).ok());
}

TEST_F(MatchLifecycleTest, CtxErrorComesAfterRateLimitAndLookup) {
  std::string id = Create();
  JoinRequest req;
  req.match_id = id;
  req.player_id = "p1";
  req.ctx_error = "join_ctx_too_many_keys";
  std::string reason;
  shards_->Enter(0).Join(req, [&](JoinOutcome o) { reason = o.reason; });
  EXPECT_EQ(reason, "join_ctx_too_many_keys");
  req.match_id = "nope";
  shards_->Enter(0).Join(req, [&](JoinOutcome o) { reason = o.reason; });
  EXPECT_EQ(reason, "match_not_found");
}

TEST_F(MatchLifecycleTest, SharedStrategySendsIdenticalBytes) {
  Load(R"(
match_size = 2
state_strategy = "shared"
function init() return { n = 0 } end
function join(p, s) return s end
function leave(p, s) return s end
function handle_input(p, i, s) return s end
function tick(s) s.n = s.n + 1 return s end
function get_state(s) return { n = s.n, shared = true } end
)",
       "");
  std::string id = Create();
  FakeClient& a = shards_->Connect(0, "p1");
  FakeClient& b = shards_->Connect(0, "p2");
  JoinNow(*shards_, id, a);
  JoinNow(*shards_, id, b);
  shards_->Advance(300);
  ASSERT_EQ(a.OfType("match.state").size(), 3u);
  EXPECT_EQ(a.OfType("match.state"), b.OfType("match.state"));
  Frame last(a.Last("match.state"));
  EXPECT_EQ(last.Num({"payload", "n"}), 3);
  EXPECT_TRUE(last.At({"payload", "shared"}).has_value());
}

TEST_F(MatchLifecycleTest, ListingsShowListedMatchesOnly) {
  std::string id = Create();
  EXPECT_TRUE(shards_->node().directory().List({}).empty()) << "matches default to unlisted";
  Load(kProbe, "listed = true\n");
  id = Create();
  JoinNow(*shards_, id, shards_->Connect(0, "p1"));
  auto list = shards_->node().directory().List({});
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].player_count, 1);
  EXPECT_EQ(list[0].max_players, 3);
  ListFilter f;
  f.mode = "other";
  EXPECT_TRUE(shards_->node().directory().List(f).empty());
  f = {};
  f.joinable = false;
  EXPECT_TRUE(shards_->node().directory().List(f).empty());
}

TEST_F(MatchLifecycleTest, CreateErrors) {
  EXPECT_EQ(shards_->Enter(0).Create("nope").error().reason, "not_found");
  MatchOptions o = TestOptions();
  o.match_max = 1;
  shards_ = std::make_unique<FakeShards>(1, o, LoadOrDie(dir_));
  EXPECT_TRUE(shards_->Enter(0).Create("probe").ok());
  EXPECT_EQ(shards_->Enter(0).Create("probe").error().reason, "match_capacity_reached");
}

TEST_F(MatchLifecycleTest, InitFailureMeansNoMatch) {
  Load("match_size = 1\nfunction init() error('no init for you') end\n", "");
  auto r = shards_->Enter(0).Create("probe");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, "script_failed");
  EXPECT_NE(r.error().message.find("no init for you"), std::string::npos);
  EXPECT_EQ(shards_->node().live_matches(), 0);
  Load("match_size = 1\nfunction init() return 5 end\n", "");
  EXPECT_FALSE(shards_->Enter(0).Create("probe").ok());
}

}  // namespace
}  // namespace asobi::match::test
