// PhaseClock (lua.md §5) and Vote (lua.md §6, websocket.md §7) as plain data: clocks, start
// conditions, info blocks, casts, tallies and resolution.
#include <gtest/gtest.h>

#include "game/match/match_phases.h"
#include "game/match/match_vote.h"

namespace asobi::match {
namespace {

PhaseDef Phase(const char* name, int64_t duration, PhaseStart start = PhaseStart::kPrevEnded,
               int64_t value = 0) {
  PhaseDef d;
  d.name = name;
  d.has_duration = duration >= 0;
  d.duration_ms = duration < 0 ? 0 : duration;
  d.start = start;
  d.start_value = value;
  return d;
}

std::string Names(const std::vector<PhaseEvent>& ev) {
  std::string s;
  for (const PhaseEvent& e : ev) s += (e.started ? "+" : "-") + e.name + " ";
  return s;
}

TEST(PhaseClock, PrevEndedTimerPlayersAndAllReady) {
  PhaseClock c;
  c.Reset({Phase("a", 200), Phase("b", 100, PhaseStart::kTimer, 300),
           Phase("c", -1, PhaseStart::kPlayers, 3)});
  std::vector<PhaseEvent> ev;
  c.Begin(&ev);
  EXPECT_EQ(Names(ev), "+a ");
  EXPECT_EQ(c.InfoJson(),
            R"({"status":"active","phase":"a","remaining_ms":200,"start_condition":"prev_ended",)"
            R"("config":{}})");
  ev.clear();
  c.Advance(100, 1, false, &ev);
  EXPECT_EQ(Names(ev), "");
  c.Advance(100, 1, false, &ev);
  EXPECT_EQ(Names(ev), "-a ");
  EXPECT_EQ(c.InfoJson(), R"({"status":"waiting","phase":"b","remaining_ms":null,)"
                          R"("start_condition":{"type":"timer","value":300}})");
  ev.clear();
  c.Advance(100, 1, false, &ev);
  c.Advance(100, 1, false, &ev);
  EXPECT_EQ(Names(ev), "");
  c.Advance(100, 1, false, &ev);
  EXPECT_EQ(Names(ev), "+b ");
  ev.clear();
  c.Advance(100, 1, false, &ev);  // b (100 ms) ends; c waits for 3 players
  EXPECT_EQ(Names(ev), "-b ");
  ev.clear();
  c.OnRoster(2, &ev);
  EXPECT_EQ(Names(ev), "");
  c.OnRoster(3, &ev);
  EXPECT_EQ(Names(ev), "+c ");
  EXPECT_FALSE(c.complete());
  for (int i = 0; i < 100; ++i) c.Advance(100, 3, false, &ev);  // no duration: never ends
  EXPECT_FALSE(c.complete());
}

TEST(PhaseClock, ZeroDurationEndsOnTheFirstTickAndCompletes) {
  PhaseClock c;
  c.Reset({Phase("ready", 0, PhaseStart::kAllReady)});
  std::vector<PhaseEvent> ev;
  c.Begin(&ev);
  EXPECT_TRUE(ev.empty());
  c.Advance(100, 2, false, &ev);
  EXPECT_TRUE(ev.empty());
  c.Advance(100, 2, true, &ev);
  EXPECT_EQ(Names(ev), "+ready ");
  EXPECT_FALSE(c.complete());
  c.Advance(100, 2, true, &ev);
  EXPECT_EQ(Names(ev), "+ready -ready ");
  EXPECT_TRUE(c.complete());
  EXPECT_EQ(c.InfoJson(),
            R"({"status":"complete","phase":null,"remaining_ms":null,"start_condition":null})");
}

TEST(PhaseClock, NoPhasesHasNoInfo) {
  PhaseClock c;
  std::vector<PhaseEvent> ev;
  c.Begin(&ev);
  c.Advance(100, 1, true, &ev);
  EXPECT_TRUE(ev.empty());
  EXPECT_FALSE(c.complete());
  EXPECT_EQ(c.InfoJson(), "");
}

uint32_t Last(uint32_t n) { return n - 1; }

simdjson::dom::element Json(simdjson::dom::parser& p, const char* text) {
  return p.parse(std::string(text)).value();
}

TEST(Vote, ConfigErrors) {
  EXPECT_EQ(ParseVoteConfig("{}").error().reason, "invalid_options");
  EXPECT_EQ(ParseVoteConfig(R"({"options":[]})").error().reason, "invalid_options");
  EXPECT_EQ(ParseVoteConfig(R"({"options":[{"label":"x"}]})").error().reason, "invalid_options");
  EXPECT_EQ(ParseVoteConfig(R"({"options":[{"id":"a"},{"id":"a"}]})").error().reason,
            "invalid_options");
  EXPECT_EQ(ParseVoteConfig(R"({"options":[{"id":"a"}],"method":"borda"})").error().reason,
            "unsupported_method");
  EXPECT_EQ(ParseVoteConfig(R"({"options":[{"id":"a"}],"window_type":"lazy"})").error().reason,
            "unsupported_window_type");
  EXPECT_TRUE(ParseVoteConfig(R"({"options":[{"id":"a"}],"method":"weighted"})").ok());
  EXPECT_TRUE(ParseVoteConfig(R"({"options":[{"id":"a"}],"window_type":"adaptive"})").ok());
  EXPECT_EQ(
      ParseVoteConfig(R"({"options":[{"id":"a"}],"template":")" + std::string(256, 't') + R"("})")
          .error()
          .reason,
      "invalid_template");
  auto ok = ParseVoteConfig(R"({"options":[{"id":"a"}],"window_ms":-5,"quorum":7})");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok.value().window_ms, 15000);
  EXPECT_EQ(ok.value().quorum, 0.0);
  EXPECT_FALSE(ok.value().vote_id.empty());
}

TEST(Vote, TieBreakersSupermajorityAndQuorum) {
  simdjson::dom::parser p;
  auto cfg = ParseVoteConfig(R"({"options":[{"id":"a"},{"id":"b"}],"tie_breaker":"first"})");
  Vote first(cfg.value(), {"x", "y"}, 0);
  EXPECT_EQ(first.Cast("x", Json(p, R"("b")")), "");
  EXPECT_EQ(first.Cast("y", Json(p, R"("a")")), "");
  EXPECT_EQ(first.Resolve(&Last).winner, "a");  // tie: the first option in order

  cfg = ParseVoteConfig(R"({"options":[{"id":"a"},{"id":"b"}]})");
  Vote random(cfg.value(), {"x", "y"}, 0);
  EXPECT_EQ(random.Resolve(&Last).winner, "b");  // zero ballots: the tie breaker picks

  cfg = ParseVoteConfig(
      R"({"options":[{"id":"a"},{"id":"b"}],"require_supermajority":true,"supermajority":0.6})");
  Vote super(cfg.value(), {"x", "y", "z"}, 0);
  super.Cast("x", Json(p, R"("a")"));
  super.Cast("y", Json(p, R"("b")"));
  super.Cast("z", Json(p, R"("a")"));
  VoteResult r = super.Resolve(&Last);
  EXPECT_EQ(r.winner, "a");  // 2/3 >= 0.6
  EXPECT_EQ(r.status, "decided");

  cfg = ParseVoteConfig(
      R"({"options":[{"id":"a"},{"id":"b"}],"require_supermajority":true,"supermajority":0.75})");
  Vote none(cfg.value(), {"x", "y", "z"}, 0);
  none.Cast("x", Json(p, R"("a")"));
  none.Cast("y", Json(p, R"("b")"));
  none.Cast("z", Json(p, R"("a")"));
  r = none.Resolve(&Last);
  EXPECT_FALSE(r.winner.has_value());
  EXPECT_EQ(r.status, "no_consensus");
  EXPECT_NE(none.ResultJson(r).find(R"("winner":null)"), std::string::npos);

  cfg = ParseVoteConfig(R"({"options":[{"id":"a"}],"quorum":0.5})");
  Vote quorum(cfg.value(), {"x", "y", "z"}, 0);
  quorum.Cast("x", Json(p, R"("a")"));
  r = quorum.Resolve(&Last);
  EXPECT_EQ(r.status, "no_quorum");
  EXPECT_NEAR(r.turnout, 1.0 / 3, 1e-9);
}

TEST(Vote, CastRules) {
  simdjson::dom::parser p;
  auto cfg = ParseVoteConfig(R"({"options":[{"id":"a"},{"id":"b"}],"max_revotes":1})");
  Vote v(cfg.value(), {"x"}, 0);
  EXPECT_EQ(v.Cast("nobody", Json(p, R"("a")")), "not_eligible");
  EXPECT_EQ(v.Cast("x", Json(p, "5")), "invalid_option");
  EXPECT_EQ(v.Cast("x", Json(p, R"(["a"])")), "invalid_option");
  EXPECT_EQ(v.Cast("x", Json(p, R"("a")")), "");
  EXPECT_TRUE(v.AllVoted());
  EXPECT_EQ(v.Cast("x", Json(p, R"("b")")), "");
  EXPECT_EQ(v.Cast("x", Json(p, R"("a")")), "rate_limited");
  EXPECT_EQ(v.VotesCastJson(), R"({"x":"b"})");
  EXPECT_NE(v.TallyJson(50).find(R"("tallies":{"a":0,"b":1})"), std::string::npos);
}

TEST(Vote, RankedChoiceRunsOff) {
  simdjson::dom::parser p;
  auto cfg = ParseVoteConfig(R"({"options":[{"id":"a"},{"id":"b"},{"id":"c"}],"method":"ranked"})");
  Vote v(cfg.value(), {"1", "2", "3", "4", "5"}, 0);
  EXPECT_EQ(v.Cast("1", Json(p, R"("a")")), "invalid_option");  // a string for ranked
  EXPECT_EQ(v.Cast("1", Json(p, "[]")), "invalid_option");
  EXPECT_EQ(v.Cast("1", Json(p, R"(["a","b"])")), "");
  EXPECT_EQ(v.Cast("2", Json(p, R"(["a","c"])")), "");
  EXPECT_EQ(v.Cast("3", Json(p, R"(["b","c"])")), "");
  EXPECT_EQ(v.Cast("4", Json(p, R"(["c","b"])")), "");
  EXPECT_EQ(v.Cast("5", Json(p, R"(["c","b"])")), "");
  // First preferences a2 b1 c2: no majority, b is out; its ballot moves to c: c wins 3-2.
  EXPECT_NE(v.TallyJson(0).find(R"("tallies":{"a":2,"b":1,"c":2})"), std::string::npos);
  VoteResult r = v.Resolve(&Last);
  EXPECT_EQ(r.winner, "c");
  EXPECT_EQ(v.CountsJson(r.counts), R"({"a":2,"b":0,"c":3})");
  EXPECT_EQ(v.VotesCastJson().find(R"("1":["a","b"])") != std::string::npos, true);
}

TEST(Vote, DefaultVotesAndDelegation) {
  simdjson::dom::parser p;
  auto cfg = ParseVoteConfig(
      R"({"options":[{"id":"a"},{"id":"b"}],"default_votes":{"y":"b","z":"b","w":["b"]},)"
      R"("delegation":{"z":"x"}})");
  Vote v(cfg.value(), {"x", "y", "z", "w"}, 0);
  EXPECT_EQ(v.Cast("x", Json(p, R"("a")")), "");
  VoteResult r = v.Resolve(&Last);
  // z follows x (delegation wins over its default), y gets its default, w's default is
  // invalid for plurality (a list) and is ignored.
  EXPECT_EQ(v.CountsJson(r.counts), R"({"a":2,"b":1})");
  EXPECT_EQ(r.total_votes, 3);
  EXPECT_EQ(r.winner, "a");
}

TEST(Vote, WeightedCountsFrustrationWeights) {
  simdjson::dom::parser p;
  EXPECT_EQ(FrustrationWeight(0), 1.0);
  EXPECT_EQ(FrustrationWeight(1), 1.5);
  EXPECT_EQ(FrustrationWeight(9), 3.0);  // capped at 4 losses
  auto cfg = ParseVoteConfig(R"({"options":[{"id":"a"},{"id":"b"}],"method":"weighted"})");
  Vote v(cfg.value(), {"x", "y", "z"}, 0);
  v.SetWeights({{"z", FrustrationWeight(3)}});                    // z lost 3 in a row: 2.5
  EXPECT_EQ(v.Cast("x", Json(p, R"(["a"])")), "invalid_option");  // a string, as plurality
  EXPECT_EQ(v.Cast("x", Json(p, R"("a")")), "");
  EXPECT_EQ(v.Cast("y", Json(p, R"("a")")), "");
  EXPECT_EQ(v.Cast("z", Json(p, R"("b")")), "");
  EXPECT_NE(v.TallyJson(0).find(R"("tallies":{"a":2,"b":2.5})"), std::string::npos);
  VoteResult r = v.Resolve(&Last);
  EXPECT_EQ(r.winner, "b");  // 2.5 beats 2: two ballots lose to one frustrated voter
  EXPECT_EQ(r.total_votes, 3);
  EXPECT_EQ(v.CountsJson(r.counts), R"({"a":2,"b":2.5})");
  EXPECT_EQ(v.DistributionJson(r.counts, r.counted),
            R"({"a":0.4444444444444444,"b":0.5555555555555556})");
  EXPECT_EQ(v.VotesCastJson(), R"({"x":"a","y":"a","z":"b"})");
  auto outcomes = v.BallotOutcomes(r);
  ASSERT_EQ(outcomes.size(), 3u);
  EXPECT_FALSE(outcomes[0].second);
  EXPECT_TRUE(outcomes[2].second);
}

TEST(Vote, AdaptiveIsDecidedOnceTheRestCannotChangeIt) {
  simdjson::dom::parser p;
  auto cfg = ParseVoteConfig(R"({"options":[{"id":"a"},{"id":"b"}],"window_type":"adaptive"})");
  Vote v(cfg.value(), {"1", "2", "3", "4", "5"}, 0);
  EXPECT_FALSE(v.Decided());
  EXPECT_EQ(v.Cast("1", Json(p, R"("a")")), "");
  EXPECT_EQ(v.Cast("2", Json(p, R"("a")")), "");
  EXPECT_FALSE(v.Decided());  // a 2, b 0, three left: b could still win
  EXPECT_EQ(v.Cast("3", Json(p, R"("a")")), "");
  EXPECT_TRUE(v.Decided());  // a 3, b 0, two left: a wins whatever they do

  // A quorum not met yet, or a supermajority not certain: not decided.
  auto quorum = ParseVoteConfig(R"({"options":[{"id":"a"},{"id":"b"}],"quorum":0.8})");
  Vote q(quorum.value(), {"1", "2", "3", "4", "5"}, 0);
  for (const char* who : {"1", "2", "3"}) EXPECT_EQ(q.Cast(who, Json(p, R"("a")")), "");
  EXPECT_FALSE(q.Decided());
  EXPECT_EQ(q.Cast("4", Json(p, R"("a")")), "");
  EXPECT_TRUE(q.Decided());
  auto super = ParseVoteConfig(
      R"({"options":[{"id":"a"},{"id":"b"}],"require_supermajority":true,"supermajority":0.9})");
  Vote s(super.value(), {"1", "2", "3", "4", "5"}, 0);
  for (const char* who : {"1", "2", "3", "4"}) EXPECT_EQ(s.Cast(who, Json(p, R"("a")")), "");
  EXPECT_FALSE(s.Decided());  // 4/5 = 0.8 < 0.9 if the last votes b
  EXPECT_EQ(s.Cast("5", Json(p, R"("a")")), "");
  EXPECT_TRUE(s.Decided());

  // Ranked: only once everyone voted.
  auto ranked = ParseVoteConfig(R"({"options":[{"id":"a"},{"id":"b"}],"method":"ranked"})");
  Vote rk(ranked.value(), {"1", "2"}, 0);
  EXPECT_EQ(rk.Cast("1", Json(p, R"(["a"])")), "");
  EXPECT_FALSE(rk.Decided());
  EXPECT_EQ(rk.Cast("2", Json(p, R"(["a"])")), "");
  EXPECT_TRUE(rk.Decided());
}

}  // namespace
}  // namespace asobi::match
