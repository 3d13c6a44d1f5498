// TimerWheel: never early, at most a tick late, O(1) re-arm/cancel, entries that arm, cancel
// or destroy entries from their callbacks, long delays beyond one revolution.
#include "reactor/timer_wheel.h"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <vector>

namespace asobi {
namespace {

class FnTimer final : public WheelTimer {
 public:
  std::function<void()> fn;
  int fired = 0;

 protected:
  void OnExpire() override {
    ++fired;
    if (fn) fn();
  }
};

constexpr int64_t kStart = 1'000'000'037;  // not a multiple of the tick

TEST(TimerWheelTest, FiresAtTheFirstTickAfterItsTimeNeverBefore) {
  TimerWheel w(kStart);
  FnTimer t;
  w.Arm(&t, kStart + 250);
  EXPECT_TRUE(t.armed());
  w.Advance(kStart + 249);
  EXPECT_EQ(t.fired, 0);
  const int64_t next = w.NextDueMs();
  EXPECT_GE(next, kStart + 250);
  EXPECT_LT(next, kStart + 250 + TimerWheel::kTickMs);
  w.Advance(next - 1);
  EXPECT_EQ(t.fired, 0);
  w.Advance(next);
  EXPECT_EQ(t.fired, 1);
  EXPECT_FALSE(t.armed());
  EXPECT_EQ(w.armed_count(), 0u);
  EXPECT_EQ(w.NextDueMs(), -1);
}

TEST(TimerWheelTest, ReArmMovesTheEntryAndCancelRemovesIt) {
  TimerWheel w(kStart);
  FnTimer a, b;
  w.Arm(&a, kStart + 100);
  w.Arm(&a, kStart + 5000);  // re-arm: only the new time counts
  w.Arm(&b, kStart + 100);
  b.Cancel();
  b.Cancel();  // idempotent
  EXPECT_EQ(w.armed_count(), 1u);
  w.Advance(kStart + 4900);
  EXPECT_EQ(a.fired, 0);
  EXPECT_EQ(b.fired, 0);
  w.Advance(kStart + 5100);
  EXPECT_EQ(a.fired, 1);
  EXPECT_EQ(b.fired, 0);
}

TEST(TimerWheelTest, PastTimesFireAtTheNextTick) {
  TimerWheel w(kStart);
  FnTimer t;
  w.Arm(&t, kStart - 10000);
  w.Advance(kStart);
  EXPECT_EQ(t.fired, 0);  // same tick as "now": not yet
  w.Advance(kStart + TimerWheel::kTickMs);
  EXPECT_EQ(t.fired, 1);
}

TEST(TimerWheelTest, DelaysBeyondOneRevolutionWaitForTheirRevolution) {
  TimerWheel w(kStart);
  const int64_t span = int64_t(TimerWheel::kBuckets) * TimerWheel::kTickMs;
  FnTimer t;
  w.Arm(&t, kStart + 3 * span + 500);
  for (int64_t now = kStart; now < kStart + 3 * span + 500; now += 700) {
    w.Advance(now);
    ASSERT_EQ(t.fired, 0) << now - kStart;
  }
  w.Advance(kStart + 3 * span + 700);
  EXPECT_EQ(t.fired, 1);
}

TEST(TimerWheelTest, ALongJumpFiresEverythingDueExactlyOnce) {
  TimerWheel w(kStart);
  std::vector<FnTimer> ts(500);
  for (size_t i = 0; i < ts.size(); ++i) w.Arm(&ts[i], kStart + int64_t(i) * 997);
  FnTimer late;
  w.Arm(&late, kStart + 10'000'000);
  w.Advance(kStart + 500 * 997 + 100);
  for (const FnTimer& t : ts) EXPECT_EQ(t.fired, 1);
  EXPECT_EQ(late.fired, 0);
  EXPECT_EQ(w.armed_count(), 1u);
}

TEST(TimerWheelTest, CallbacksMayArmCancelAndDestroyEntriesOfTheSameBucket) {
  const int64_t t0 = 1'000'000'000;  // tick-aligned
  TimerWheel w(t0);
  FnTimer first, rearmed;
  auto victim = std::make_unique<FnTimer>();
  auto cancelled = std::make_unique<FnTimer>();
  w.Arm(&first, t0 + 100);
  w.Arm(&rearmed, t0 + 100);
  w.Arm(victim.get(), t0 + 100);
  w.Arm(cancelled.get(), t0 + 100);
  first.fn = [&] {
    if (first.fired > 1) return;
    victim.reset();           // destroyed while armed in the bucket being visited
    cancelled->Cancel();      // cancelled while queued behind us
    w.Arm(&first, t0 + 300);  // re-arms itself
  };
  rearmed.fn = [&] {  // once, at a past time: the next tick, not now
    if (rearmed.fired == 1) w.Arm(&rearmed, t0);
  };
  w.Advance(t0 + 100);
  EXPECT_EQ(first.fired, 1);
  EXPECT_EQ(rearmed.fired, 1);
  EXPECT_EQ(cancelled->fired, 0);
  EXPECT_EQ(w.armed_count(), 2u);
  w.Advance(t0 + 200);
  EXPECT_EQ(rearmed.fired, 2);
  w.Advance(t0 + 400);
  EXPECT_EQ(first.fired, 2);
  EXPECT_EQ(w.armed_count(), 0u);
}

TEST(TimerWheelTest, DestroyingTheWheelDisarmsItsEntries) {
  FnTimer t;
  {
    TimerWheel w(kStart);
    w.Arm(&t, kStart + 100);
  }
  EXPECT_FALSE(t.armed());
}

}  // namespace
}  // namespace asobi
