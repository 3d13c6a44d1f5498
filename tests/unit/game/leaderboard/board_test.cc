// Board (game/leaderboard/board.h): the best/set/incr operators, clamping, ranks, windows and
// the dirty set a flush takes.
#include "game/leaderboard/board.h"

#include <gtest/gtest.h>

namespace asobi::leaderboard {
namespace {

TEST(BoardTest, OperatorsAndRanks) {
  Board b;
  EXPECT_EQ(b.Submit("a", 10, SubmitOp::kBest, 1).score, 10);
  EXPECT_EQ(b.Submit("a", 5, SubmitOp::kBest, 2).score, 10);
  EXPECT_EQ(b.Find("a")->updated_at_ms, 1);  // a best that does not beat changes nothing
  EXPECT_EQ(b.Submit("a", 5, SubmitOp::kSet, 3).score, 5);
  EXPECT_EQ(b.Submit("a", 4, SubmitOp::kIncr, 4).score, 9);
  EXPECT_EQ(b.Submit("b", 9, SubmitOp::kSet, 5).rank, 2);  // tie: "a" < "b"
  EXPECT_EQ(b.Submit("c", 100, SubmitOp::kSet, 6).rank, 1);
  EXPECT_EQ(b.Find("a")->rank, 2);
  EXPECT_FALSE(b.Find("zz").has_value());
  std::vector<RankedEntry> around = b.Around("a", 1);
  ASSERT_EQ(around.size(), 3u);
  EXPECT_EQ(around[0].player_id, "c");
  EXPECT_EQ(around[2].player_id, "b");
  EXPECT_TRUE(b.Around("zz", 3).empty());
  EXPECT_EQ(b.Top(2).size(), 2u);
  EXPECT_EQ(b.Top(10).size(), 3u);
}

TEST(BoardTest, ScoresClampAndIncrSaturates) {
  Board b;
  EXPECT_EQ(b.Submit("a", INT64_MAX, SubmitOp::kSet, 1).score, kMaxScore);
  EXPECT_EQ(b.Submit("a", kMaxScore, SubmitOp::kIncr, 2).score, kMaxScore);
  EXPECT_EQ(b.Submit("a", INT64_MIN, SubmitOp::kSet, 3).score, -kMaxScore);
  EXPECT_EQ(b.Submit("a", -kMaxScore, SubmitOp::kIncr, 4).score, -kMaxScore);
}

TEST(BoardTest, DirtyEntriesAreTakenOnceWithCurrentValues) {
  Board b;
  b.Load("stored", 50, 1);
  EXPECT_EQ(b.dirty_count(), 0u);  // hydrated rows are not dirty
  b.Submit("a", 1, SubmitOp::kSet, 1);
  b.Submit("b", 2, SubmitOp::kSet, 1);
  b.Submit("a", 3, SubmitOp::kSet, 2);
  std::vector<DirtyRow> first = b.TakeDirty(1);
  ASSERT_EQ(first.size(), 1u);
  std::vector<DirtyRow> rest = b.TakeDirty(10);
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_TRUE(b.TakeDirty(10).empty());
  for (const DirtyRow& r : {first[0], rest[0]}) {
    EXPECT_EQ(r.score, r.player_id == "a" ? 3 : 2);
  }
  b.MarkDirty(first);  // a failed write marks them again
  EXPECT_EQ(b.dirty_count(), 1u);
  EXPECT_TRUE(b.Remove(first[0].player_id));
  EXPECT_EQ(b.dirty_count(), 0u);
  EXPECT_EQ(b.Find("stored")->rank, 1);
}

}  // namespace
}  // namespace asobi::leaderboard
