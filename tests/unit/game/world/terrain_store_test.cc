// TerrainStore (terrain_store.h): cache, shared generations on the worker pool, and every
// bound: cached chunks (LRU), generations in flight, waiters per chunk, a full pool queue, a
// pool that shuts down, and a store destroyed while a generation is queued.
#include "game/world/terrain/terrain_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <optional>
#include <thread>
#include <vector>

namespace asobi::world::terrain {
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

std::shared_ptr<const TerrainProvider> Make(std::string_view module) {
  auto r = CreateTerrainProvider(module, "", 42);
  EXPECT_TRUE(r.ok());
  return r.value();
}

// What one GetChunk answered.
struct Answer {
  std::atomic<bool> done{false};
  bool ok = false;
  std::string reason;
  TerrainChunk chunk;
};

class TerrainStoreTest : public ::testing::Test {
 protected:
  TerrainStoreTest() {
    ShardSet::Options opts;
    opts.shards = 1;
    opts.pin_threads = false;
    set_ = std::make_unique<ShardSet>(opts);
    set_->Start([](Shard&) {});
  }
  ~TerrainStoreTest() override {
    release_ = true;
    OnShard([this] { store_.reset(); });
    if (pool_) pool_->Shutdown();
    set_->Stop();
    set_->Join();
  }

  Shard& shard() { return set_->shard(0); }

  // Runs `fn` on the shard thread and waits for it.
  template <typename Fn>
  void OnShard(Fn fn) {
    std::promise<void> ran;
    shard().PostFromAnyThread([&] {
      fn();
      ran.set_value();
    });
    ran.get_future().get();
  }

  void Create(std::string_view module, TerrainStore::Options o, bool with_pool = true,
              size_t queue_max = 64) {
    if (with_pool) pool_ = std::make_unique<WorkerPool>(1, 0, queue_max);
    OnShard(
        [&] { store_ = std::make_unique<TerrainStore>(Make(module), shard(), pool_.get(), o); });
  }

  // Occupies the pool's only worker until release_ is set.
  void BlockPool() {
    ASSERT_TRUE(pool_->Submit(shard(), [this] {
      blocked_ = true;
      while (!release_.load()) std::this_thread::yield();
    }));
    ASSERT_TRUE(Eventually([&] { return blocked_.load(); }));
  }

  void Get(ChunkCoords at, Answer* a) {
    OnShard([&] {
      store_->GetChunk(at, [a](Result<TerrainChunk> r) {
        a->ok = r.ok();
        if (r.ok()) a->chunk = r.value();
        if (!r.ok()) a->reason = r.error().reason;
        a->done = true;
      });
    });
  }

  TerrainStore::Stats Stats() {
    TerrainStore::Stats s;
    OnShard([&] { s = store_->stats(); });
    return s;
  }
  bool Cached(ChunkCoords at) {
    bool c = false;
    OnShard([&] { c = store_->Find(at) != nullptr; });
    return c;
  }

  std::unique_ptr<ShardSet> set_;
  std::unique_ptr<WorkerPool> pool_;
  std::unique_ptr<TerrainStore> store_;
  std::atomic<bool> blocked_{false}, release_{false};
};

TEST_F(TerrainStoreTest, SlowProviderGeneratesOnThePoolThenServesFromTheCache) {
  Create("perlin", {});
  Answer a, b;
  Get({1, 2}, &a);
  ASSERT_TRUE(Eventually([&] { return a.done.load(); }));
  ASSERT_TRUE(a.ok);
  EXPECT_EQ(a.chunk.at, (ChunkCoords{1, 2}));
  Result<TileGrid> tiles = DecodeChunk(a.chunk.bytes.view());
  ASSERT_TRUE(tiles.ok());
  TileGrid direct;
  Make("perlin")->Generate({1, 2}, &direct);
  EXPECT_TRUE(*tiles == direct);
  EXPECT_FALSE(a.chunk.frame.empty());
  Get({1, 2}, &b);
  EXPECT_TRUE(b.done.load());  // answered at once from the cache
  EXPECT_EQ(b.chunk.bytes.data(), a.chunk.bytes.data());
  TerrainStore::Stats s = Stats();
  EXPECT_EQ(s.generated, 1u);
  EXPECT_EQ(s.hits, 1u);
}

TEST_F(TerrainStoreTest, RequestsForAChunkInFlightShareOneGeneration) {
  Create("perlin", {});
  BlockPool();
  Answer a, b;
  Get({0, 0}, &a);
  Get({0, 0}, &b);
  EXPECT_FALSE(a.done.load());
  release_ = true;
  ASSERT_TRUE(Eventually([&] { return a.done.load() && b.done.load(); }));
  ASSERT_TRUE(a.ok && b.ok);
  EXPECT_EQ(a.chunk.bytes.data(), b.chunk.bytes.data());
  EXPECT_EQ(Stats().generated, 1u);
}

TEST_F(TerrainStoreTest, CheapProviderAnswersInlineWithoutThePool) {
  Create("flat", {});
  BlockPool();  // a pool job could not run now
  Answer a;
  Get({9, 9}, &a);
  EXPECT_TRUE(a.done.load());
  EXPECT_TRUE(a.ok);
}

TEST_F(TerrainStoreTest, WithoutAPoolEverythingIsInline) {
  Create("perlin", {}, /*with_pool=*/false);
  Answer a;
  Get({3, 3}, &a);
  EXPECT_TRUE(a.done.load());
  EXPECT_TRUE(a.ok);
}

TEST_F(TerrainStoreTest, LeastRecentlyUsedChunkIsDroppedPastMaxChunks) {
  TerrainStore::Options o;
  o.max_chunks = 2;
  Create("flat", o);
  Answer a, b, a2, c;
  Get({0, 0}, &a);
  Get({1, 0}, &b);
  Get({0, 0}, &a2);  // (0,0) is now the most recently used
  Get({2, 0}, &c);   // drops (1,0)
  EXPECT_TRUE(Cached({0, 0}));
  EXPECT_FALSE(Cached({1, 0}));
  EXPECT_TRUE(Cached({2, 0}));
  EXPECT_EQ(Stats().evicted, 1u);
  Answer b2;
  Get({1, 0}, &b2);  // regenerated, same bytes
  ASSERT_TRUE(b2.ok);
  EXPECT_EQ(b2.chunk.bytes.view(), b.chunk.bytes.view());
}

TEST_F(TerrainStoreTest, TooManyGenerationsInFlightIsBusy) {
  TerrainStore::Options o;
  o.max_pending = 1;
  Create("perlin", o);
  BlockPool();
  Answer a, b, a2;
  Get({0, 0}, &a);
  Get({0, 1}, &b);
  ASSERT_TRUE(b.done.load());
  EXPECT_FALSE(b.ok);
  EXPECT_EQ(b.reason, "terrain_busy");
  Get({0, 0}, &a2);  // joining the one in flight is fine
  EXPECT_FALSE(a2.done.load());
  release_ = true;
  ASSERT_TRUE(Eventually([&] { return a.done.load() && a2.done.load(); }));
  EXPECT_TRUE(a.ok && a2.ok);
  EXPECT_EQ(Stats().busy, 1u);
}

TEST_F(TerrainStoreTest, TooManyWaitersForOneChunkIsBusy) {
  TerrainStore::Options o;
  o.max_waiters = 2;
  Create("perlin", o);
  BlockPool();
  Answer a, b, c;
  Get({0, 0}, &a);
  Get({0, 0}, &b);
  Get({0, 0}, &c);
  ASSERT_TRUE(c.done.load());
  EXPECT_EQ(c.reason, "terrain_busy");
  release_ = true;
  ASSERT_TRUE(Eventually([&] { return a.done.load() && b.done.load(); }));
  EXPECT_TRUE(a.ok && b.ok);
}

TEST_F(TerrainStoreTest, FullWorkerQueueIsBusy) {
  Create("perlin", {}, true, /*queue_max=*/1);
  BlockPool();
  Answer a, b;
  Get({0, 0}, &a);  // takes the one queue place
  Get({5, 5}, &b);
  ASSERT_TRUE(b.done.load());
  EXPECT_EQ(b.reason, "terrain_busy");
  release_ = true;
  ASSERT_TRUE(Eventually([&] { return a.done.load(); }));
  EXPECT_TRUE(a.ok);
}

TEST_F(TerrainStoreTest, GenerationDroppedByPoolShutdownAnswersUnavailable) {
  Create("perlin", {});
  BlockPool();
  Answer a;
  Get({0, 0}, &a);
  std::thread stopper([this] { pool_->Shutdown(); });
  ASSERT_TRUE(Eventually([&] { return a.done.load(); }));
  EXPECT_FALSE(a.ok);
  EXPECT_EQ(a.reason, "terrain_unavailable");
  release_ = true;
  stopper.join();
  EXPECT_EQ(Stats().failed, 1u);
  EXPECT_EQ(pool_->stats().shutdown.load(), 1u);
}

TEST_F(TerrainStoreTest, DestroyedStoreCancelsItsGenerationAndCallsNobody) {
  Create("perlin", {});
  BlockPool();
  Answer a;
  Get({0, 0}, &a);
  OnShard([&] { store_.reset(); });
  release_ = true;
  ASSERT_TRUE(Eventually([&] { return pool_->stats().cancelled.load() == 1; }));
  pool_->Shutdown();  // joins the worker: its posts to the shard are queued before ours
  OnShard([] {});     // so the skipped task has run on the shard by now
  EXPECT_FALSE(a.done.load());
  EXPECT_EQ(pool_->stats().run.load(), 1u);  // only the blocker ran
}

TEST_F(TerrainStoreTest, GetChunkNowGeneratesInlineAndALaterPoolResultIsNotDuplicated) {
  Create("perlin", {});
  BlockPool();
  Answer a;
  Get({4, 4}, &a);  // queued behind the blocker
  std::optional<Result<TerrainChunk>> now;
  OnShard([&] { now.emplace(store_->GetChunkNow({4, 4})); });
  ASSERT_TRUE(now->ok());
  release_ = true;
  ASSERT_TRUE(Eventually([&] { return a.done.load(); }));
  EXPECT_TRUE(a.ok);
  EXPECT_EQ(a.chunk.bytes.view(), now->value().bytes.view());
  size_t cached = 0;
  OnShard([&] { cached = store_->cached(); });
  EXPECT_EQ(cached, 1u);
}

TEST_F(TerrainStoreTest, PreloadStartsWhatIsMissingWithinTheBounds) {
  TerrainStore::Options o;
  o.max_pending = 2;
  Create("perlin", o);
  std::vector<ChunkCoords> list = {{0, 0}, {0, 1}, {0, 2}, {0, 3}};
  size_t started = 0;
  OnShard([&] { started = store_->Preload(list); });
  EXPECT_EQ(started, 2u);  // max_pending
  ASSERT_TRUE(Eventually([&] { return Cached({0, 0}) && Cached({0, 1}); }));
  OnShard([&] { started = store_->Preload(list); });
  EXPECT_EQ(started, 2u);  // the two still missing
  ASSERT_TRUE(Eventually([&] { return Cached({0, 2}) && Cached({0, 3}); }));
  OnShard([&] { started = store_->Preload(list); });
  EXPECT_EQ(started, 0u);
  Answer a;
  Get({0, 3}, &a);
  EXPECT_TRUE(a.done.load() && a.ok);
}

}  // namespace
}  // namespace asobi::world::terrain
