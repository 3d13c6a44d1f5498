// Suspending host calls (lua.md §9 "Synchronous persistence", DECISIONS.md Lua 2): each
// callback runs in a coroutine; a suspending call yields; the match is busy meanwhile (inputs
// queue, due ticks are skipped and counted, joins wait); the reply resumes the callback.
#include <gtest/gtest.h>
#include <unistd.h>

#include "match_test_util.h"

namespace asobi::match::test {
namespace {

constexpr char kSuspender[] = R"(
match_size = 1
max_players = 2
function init() return { n = 0 } end
function join(p, s, ctx)
  if ctx.slow then s.join_reply = game.test.suspend(100).ok and "ok" or "bad" end
  return s
end
function leave(p, s) return s end
function handle_input(p, i, s)
  if i.suspend then s.suspend_ms = i.suspend end
  if i.suspend_here then
    local r = game.test.suspend(i.suspend_here)
    s.input_reply = r.ok and "ok" or r.error
  end
  s.last = i.n
  return s
end
function tick(s)
  s.n = s.n + 1
  if s.suspend_ms then
    local ms = s.suspend_ms
    s.suspend_ms = nil
    local ok, r = pcall(game.test.suspend, ms)  -- yields across pcall
    s.reply = ok and (r.ok and "ok" or r.error) or ("raised: " .. tostring(r))
  end
  return s
end
function get_state(p, s)
  return { n = s.n, reply = s.reply, last = s.last, input_reply = s.input_reply,
           join_reply = s.join_reply }
end
)";

class MatchSuspendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.Write("match.lua", kSuspender);
    shards_ = std::make_unique<FakeShards>(1, TestOptions(), LoadOrDie(dir_));
    id_ = shards_->Enter(0).Create("default").value();
    a_ = &shards_->Connect(0, "p1");
    ASSERT_TRUE(JoinNow(*shards_, id_, *a_).ok());
    shards_->Advance(100);  // tick 1
  }
  void Input(const std::string& json) { shards_->Enter(0).Input(id_, "p1", json, a_->ref()); }
  Frame Last() { return Frame(a_->Last("match.state")); }
  Match* M() { return shards_->Enter(0).Find(id_); }

  TempGameDir dir_;
  std::unique_ptr<FakeShards> shards_;
  std::string id_;
  FakeClient* a_ = nullptr;
};

TEST_F(MatchSuspendTest, TickSuspendsSkipsDueTicksAndResumes) {
  Input(R"({"suspend":250,"n":1})");
  shards_->Advance(100);  // tick 2 suspends
  EXPECT_TRUE(M()->busy());
  size_t frames = a_->OfType("match.state").size();
  Input(R"({"n":2})");    // queued while busy
  shards_->Advance(200);  // ticks due at +100, +200 are skipped
  EXPECT_TRUE(M()->busy());
  EXPECT_EQ(a_->OfType("match.state").size(), frames);
  EXPECT_EQ(shards_->node().metrics().ticks_skipped_busy.load(), 2u);
  shards_->Advance(50);  // the reply arrives: tick 2 finishes and broadcasts
  EXPECT_FALSE(M()->busy());
  Frame f = Last();
  EXPECT_EQ(f.Str({"payload", "reply"}), "ok");
  EXPECT_EQ(f.Num({"payload", "n"}), 2);
  EXPECT_EQ(f.Num({"payload", "last"}), 1);
  shards_->Advance(100);  // the next tick applies the queued input
  EXPECT_EQ(Last().Num({"payload", "last"}), 2);
  EXPECT_EQ(Last().Num({"payload", "n"}), 3);
}

TEST_F(MatchSuspendTest, ReplyAfterTwoSecondsIsATimeout) {
  Input(R"({"suspend":5000})");
  shards_->Advance(100);
  shards_->Advance(2000);
  EXPECT_FALSE(M()->busy());
  EXPECT_EQ(Last().Str({"payload", "reply"}), "timeout");
  shards_->Advance(3000);  // the late reply is dropped
  EXPECT_EQ(M()->status(), MatchStatus::kRunning);
}

TEST_F(MatchSuspendTest, SuspendedTimeDoesNotCountAgainstTheBudget) {
  Input(R"({"suspend":100})");
  shards_->Advance(100);
  ASSERT_TRUE(M()->busy());
  usleep(700 * 1000);  // longer than tick's 500 ms budget, while suspended
  shards_->Advance(100);
  EXPECT_EQ(Last().Str({"payload", "reply"}), "ok");
  EXPECT_EQ(shards_->node().metrics().callback_errors.load(), 0u);
}

TEST_F(MatchSuspendTest, InputSuspendsAndLaterInputsWaitTheirTurn) {
  Input(R"({"suspend_here":150,"n":1})");
  Input(R"({"n":2})");
  shards_->Advance(100);
  EXPECT_TRUE(M()->busy());
  shards_->Advance(150);
  EXPECT_FALSE(M()->busy());
  Frame f = Last();
  EXPECT_EQ(f.Str({"payload", "input_reply"}), "ok");
  EXPECT_EQ(f.Num({"payload", "last"}), 2) << "FIFO: the second input ran after the first";
}

TEST_F(MatchSuspendTest, JoinWaitsForTheSuspendedCallback) {
  Input(R"({"suspend":300})");
  shards_->Advance(100);
  ASSERT_TRUE(M()->busy());
  FakeClient& b = shards_->Connect(0, "p2");
  JoinRequest req;
  req.match_id = id_;
  req.player_id = "p2";
  req.clients = {b.ref()};
  req.ctx_json = R"({"slow":true})";
  std::string reason = "pending";
  shards_->Enter(0).Join(req, [&](JoinOutcome o) { reason = o.reason; });
  EXPECT_EQ(reason, "pending");
  shards_->Advance(300);  // tick resumes, then the join runs and suspends in its turn
  EXPECT_EQ(reason, "pending");
  shards_->Advance(100);
  EXPECT_EQ(reason, "");
  EXPECT_EQ(M()->player_count(), 2);
  shards_->Advance(100);
  EXPECT_EQ(Frame(b.Last("match.state")).Str({"payload", "join_reply"}), "ok");
}

}  // namespace
}  // namespace asobi::match::test
