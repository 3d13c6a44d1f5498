// Binary refusal and repair (websocket.md §11.3): keyframe after a refused delta, text-only
// after a refused keyframe, retries backing off from 60 s, doubling, capped at 1 h.
#include "game/world/wire/binary_wire_repair.h"

#include <gtest/gtest.h>

namespace asobi::world {
namespace {

using Plan = BinaryWireRepair::Plan;

TEST(BinaryWireRepairTest, HealthyZoneSendsDeltas) {
  BinaryWireRepair r;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(r.Next(i), Plan::kDelta);
    r.Report(Plan::kDelta, true, i);
  }
  EXPECT_FALSE(r.text_only());
}

TEST(BinaryWireRepairTest, RefusedDeltaIsFollowedByAKeyframeThenDeltasAgain) {
  BinaryWireRepair r;
  r.Report(Plan::kDelta, false, 100);
  EXPECT_EQ(r.Next(101), Plan::kKeyframe);
  EXPECT_EQ(r.Next(5'000'000), Plan::kKeyframe);  // owed until a frame carries it
  r.Report(Plan::kKeyframe, true, 150);
  EXPECT_EQ(r.Next(151), Plan::kDelta);
  EXPECT_FALSE(r.text_only());
}

TEST(BinaryWireRepairTest, RefusedKeyframeDropsToTextAndRetriesWithBackoff) {
  BinaryWireRepair r;
  int64_t t = 1000;
  r.Report(Plan::kDelta, false, t);
  r.Report(Plan::kKeyframe, false, t);
  EXPECT_TRUE(r.text_only());
  EXPECT_EQ(r.Next(t + 59'999), Plan::kTextOnly);
  EXPECT_EQ(r.Next(t + 60'000), Plan::kKeyframe);
  // Each failed retry doubles the wait: 120 s, 240 s, ... up to 1 h.
  int64_t want = 60'000;
  for (int i = 0; i < 8; ++i) {
    t = r.retry_at_ms();
    ASSERT_EQ(r.Next(t), Plan::kKeyframe);
    r.Report(Plan::kKeyframe, false, t);
    want = std::min<int64_t>(want * 2, 3'600'000);
    EXPECT_EQ(r.retry_at_ms() - t, want) << i;
    EXPECT_EQ(r.Next(t + want - 1), Plan::kTextOnly);
  }
  EXPECT_EQ(want, 3'600'000);
  // A successful retry is a keyframe and makes the zone healthy with a fresh backoff.
  t = r.retry_at_ms();
  r.Report(Plan::kKeyframe, true, t);
  EXPECT_FALSE(r.text_only());
  EXPECT_EQ(r.Next(t), Plan::kDelta);
  EXPECT_EQ(r.backoff_ms(), 60'000);
  r.Report(Plan::kDelta, false, t);
  r.Report(Plan::kKeyframe, false, t);
  EXPECT_EQ(r.retry_at_ms() - t, 60'000);
}

TEST(BinaryWireRepairTest, TextOnlyPlanHasNoOutcome) {
  BinaryWireRepair r;
  r.Report(Plan::kDelta, false, 0);
  r.Report(Plan::kKeyframe, false, 0);
  r.Report(Plan::kTextOnly, true, 10);
  EXPECT_TRUE(r.text_only());
  EXPECT_EQ(r.Next(10), Plan::kTextOnly);
}

TEST(BinaryWireRepairTest, RetryIntervalsAreConfigurable) {
  BinaryWireRepair r(BinaryWireRepair::Options{10, 25});
  r.Report(Plan::kDelta, false, 0);
  r.Report(Plan::kKeyframe, false, 0);
  EXPECT_EQ(r.retry_at_ms(), 10);
  r.Report(Plan::kKeyframe, false, 10);
  EXPECT_EQ(r.retry_at_ms(), 30);
  r.Report(Plan::kKeyframe, false, 30);
  EXPECT_EQ(r.retry_at_ms(), 55);  // capped at 25
}

}  // namespace
}  // namespace asobi::world
