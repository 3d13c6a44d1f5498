// WorkerPool bounds: queue size, queue wait (deadline), cancellation, and shutdown.
#include "reactor/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace asobi {
namespace {

// Waits (bounded, for hangs only) until `pred` holds; true when it did.
template <typename Pred>
bool Eventually(Pred pred) {
  for (int i = 0; i < 20000 && !pred(); ++i) std::this_thread::yield();
  for (int i = 0; i < 5000 && !pred(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return pred();
}

class WorkerPoolBoundsTest : public ::testing::Test {
 protected:
  WorkerPoolBoundsTest() {
    ShardSet::Options opts;
    opts.shards = 1;
    opts.pin_threads = false;
    set_ = std::make_unique<ShardSet>(opts);
    set_->Start([](Shard&) {});
  }
  ~WorkerPoolBoundsTest() override {
    set_->Stop();
    set_->Join();
  }
  Shard& shard() { return set_->shard(0); }

  // Submits a job that occupies a worker until release_ is set.
  void Block(WorkerPool& pool) {
    ASSERT_TRUE(pool.Submit(shard(), [this] {
      started_ = true;
      while (!release_.load()) std::this_thread::yield();
    }));
    ASSERT_TRUE(Eventually([&] { return started_.load(); }));
  }

  std::unique_ptr<ShardSet> set_;
  std::atomic<bool> started_{false};
  std::atomic<bool> release_{false};
};

TEST_F(WorkerPoolBoundsTest, JobThatWaitedPastItsDeadlineIsSkippedWithoutRunning) {
  std::atomic<int64_t> now_ms{1000};
  WorkerPool::Options o;
  o.threads = 1;
  o.nice = 0;
  o.queue_wait_max_ms = 500;
  o.clock_ms = [&] { return now_ms.load(); };
  WorkerPool pool(o);
  Block(pool);
  std::atomic<int> ran{0}, done{0}, skipped{0};
  std::atomic<bool> skipped_on_shard{false};
  auto submit = [&] {
    return pool.Run<int>(
        shard(),
        [&] {
          ++ran;
          return 1;
        },
        [&](int) { ++done; },
        [&] {
          skipped_on_shard = Shard::Current() == &shard();
          ++skipped;
        });
  };
  ASSERT_TRUE(submit());  // waits 501 ms: skipped
  now_ms += 501;
  ASSERT_TRUE(submit());  // queued at the new time: runs
  release_ = true;
  ASSERT_TRUE(Eventually([&] { return skipped.load() == 1 && done.load() == 1; }));
  EXPECT_EQ(ran.load(), 1);
  EXPECT_TRUE(skipped_on_shard.load());
  EXPECT_EQ(pool.stats().expired.load(), 1u);
  EXPECT_EQ(pool.stats().run.load(), 2u);  // the blocker and one job
}

TEST_F(WorkerPoolBoundsTest, JobWhoseClientWentAwayIsSkipped) {
  WorkerPool pool(1, 0, 16);
  Block(pool);
  auto gone = std::make_shared<std::atomic<bool>>(false);
  std::atomic<int> ran{0}, skipped{0};
  ASSERT_TRUE(pool.Run<int>(
      shard(),
      [&] {
        ++ran;
        return 0;
      },
      [](int) {}, [&] { ++skipped; }, gone));
  gone->store(true);
  release_ = true;
  ASSERT_TRUE(Eventually([&] { return skipped.load() == 1; }));
  EXPECT_EQ(ran.load(), 0);
  EXPECT_EQ(pool.stats().cancelled.load(), 1u);
}

TEST_F(WorkerPoolBoundsTest, ShutdownSkipsQueuedJobsRunsUnskippableOnesAndRefusesNewOnes) {
  WorkerPool pool(1, 0, 16);
  Block(pool);
  std::atomic<int> ran{0}, done{0}, skipped{0};
  ASSERT_TRUE(pool.Run<int>(
      shard(),
      [&] {
        ++ran;
        return 0;
      },
      [&](int) { ++done; }, [&] { ++skipped; }));
  std::atomic<bool> plain_ran{false};
  ASSERT_TRUE(pool.Submit(shard(), [&] { plain_ran = true; }));
  std::thread stopper([&] { pool.Shutdown(); });
  // The skippable job is answered as soon as Shutdown starts, while the blocker still runs.
  ASSERT_TRUE(Eventually([&] { return skipped.load() == 1; }));
  EXPECT_FALSE(pool.Submit(shard(), [] {}));
  release_ = true;
  stopper.join();
  EXPECT_TRUE(plain_ran.load());  // a job without a skip path still ran
  EXPECT_EQ(ran.load(), 0);
  EXPECT_EQ(done.load(), 0);
  EXPECT_EQ(pool.stats().shutdown.load(), 1u);
  EXPECT_GE(pool.stats().refused.load(), 1u);
}

TEST_F(WorkerPoolBoundsTest, FullQueueRefusesAndCounts) {
  WorkerPool pool(1, 0, 2);
  Block(pool);
  EXPECT_TRUE(pool.Submit(shard(), [] {}));
  EXPECT_TRUE(pool.Submit(shard(), [] {}));
  EXPECT_FALSE(pool.Submit(shard(), [] {}));
  EXPECT_EQ(pool.stats().refused.load(), 1u);
  release_ = true;
}

}  // namespace
}  // namespace asobi
