// BlockLists (src/game/social/block_lists.h) on one thread with a loader the test completes by
// hand: checks wait while a list loads and get their verdicts when it arrives; the
// kBlockChecksWaitingMax + 1st waiting check answers kUnknown at once (the DM then asks the
// database); changes reported while loading are replayed on the loaded list; going offline
// or a failed load answers the waiting checks kUnknown; erasure drops a player from lists.
#include "game/social/block_lists.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace asobi::social {
namespace {

const std::string kP = "01890000-0000-7000-8000-000000000001";  // recipient
const std::string kA = "01890000-0000-7000-8000-00000000000a";
const std::string kB = "01890000-0000-7000-8000-00000000000b";

class BlockListsTest : public ::testing::Test {
 protected:
  BlockLists lists_{nullptr, [this](const std::string& id, BlockLists::LoadDone done) {
                      loads_.push_back(id);
                      pending_.push_back(std::move(done));
                    }};
  std::vector<std::string> loads_;
  std::vector<BlockLists::LoadDone> pending_;
};

TEST_F(BlockListsTest, UnknownWhenNotOnlineAndNoListForNonUuids) {
  std::optional<BlockVerdict> v;
  lists_.Check(kP, kA, [&](BlockVerdict r) { v = r; });
  EXPECT_EQ(v, BlockVerdict::kUnknown);
  lists_.OnOnline("dev-player");
  EXPECT_TRUE(loads_.empty());
  EXPECT_FALSE(lists_.Holds("dev-player"));
}

TEST_F(BlockListsTest, ChecksWaitForTheLoadAndTheBoundAnswersUnknown) {
  lists_.OnOnline(kP);
  ASSERT_EQ(loads_, std::vector<std::string>{kP});
  std::vector<BlockVerdict> got;
  for (size_t i = 0; i < kBlockChecksWaitingMax; ++i) {
    lists_.Check(kP, i % 2 == 0 ? kA : kB, [&](BlockVerdict r) { got.push_back(r); });
  }
  EXPECT_TRUE(got.empty());
  // One past the bound: answered at once, kUnknown.
  std::optional<BlockVerdict> over;
  lists_.Check(kP, kA, [&](BlockVerdict r) { over = r; });
  EXPECT_EQ(over, BlockVerdict::kUnknown);
  EXPECT_TRUE(got.empty());
  pending_[0](std::vector<std::string>{kA});
  ASSERT_EQ(got.size(), kBlockChecksWaitingMax);
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i], i % 2 == 0 ? BlockVerdict::kBlocked : BlockVerdict::kAllowed) << i;
  }
  // Loaded: answered inside the call.
  std::optional<BlockVerdict> v;
  lists_.Check(kP, kB, [&](BlockVerdict r) { v = r; });
  EXPECT_EQ(v, BlockVerdict::kAllowed);
}

TEST_F(BlockListsTest, ChangesWhileLoadingAreReplayedAndLaterOnesApply) {
  lists_.OnOnline(kP);
  lists_.Apply(kP, kB, true);   // blocked B while the list loads
  lists_.Apply(kP, kA, false);  // unblocked A (the load still shows A)
  pending_[0](std::vector<std::string>{kA});
  std::optional<BlockVerdict> a, b;
  lists_.Check(kP, kA, [&](BlockVerdict r) { a = r; });
  lists_.Check(kP, kB, [&](BlockVerdict r) { b = r; });
  EXPECT_EQ(a, BlockVerdict::kAllowed);
  EXPECT_EQ(b, BlockVerdict::kBlocked);
  lists_.Apply(kP, kA, true);
  lists_.Apply(kP, kB, false);
  lists_.Check(kP, kA, [&](BlockVerdict r) { a = r; });
  lists_.Check(kP, kB, [&](BlockVerdict r) { b = r; });
  EXPECT_EQ(a, BlockVerdict::kBlocked);
  EXPECT_EQ(b, BlockVerdict::kAllowed);
  lists_.Forget(kA);  // A erased
  lists_.Check(kP, kA, [&](BlockVerdict r) { a = r; });
  EXPECT_EQ(a, BlockVerdict::kAllowed);
  lists_.Apply("01890000-0000-7000-8000-0000000000ff", kA, true);  // not held: ignored
  EXPECT_FALSE(lists_.Holds("01890000-0000-7000-8000-0000000000ff"));
}

TEST_F(BlockListsTest, OfflineOrFailedLoadAnswersWaitingChecksUnknown) {
  lists_.OnOnline(kP);
  std::optional<BlockVerdict> v;
  lists_.Check(kP, kA, [&](BlockVerdict r) { v = r; });
  lists_.OnOffline(kP);
  EXPECT_EQ(v, BlockVerdict::kUnknown);
  EXPECT_FALSE(lists_.Holds(kP));
  pending_[0](std::vector<std::string>{kA});  // the stale load is ignored
  EXPECT_FALSE(lists_.Holds(kP));
  // Online again: a new load; this one fails.
  lists_.OnOnline(kP);
  ASSERT_EQ(pending_.size(), 2u);
  v.reset();
  lists_.Check(kP, kA, [&](BlockVerdict r) { v = r; });
  EXPECT_FALSE(v.has_value());
  pending_[1](std::nullopt);
  EXPECT_EQ(v, BlockVerdict::kUnknown);
  EXPECT_FALSE(lists_.Holds(kP));  // later checks go to the database
}

}  // namespace
}  // namespace asobi::social
