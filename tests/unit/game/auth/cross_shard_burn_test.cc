// Burning access tokens reaches every shard even when a mailbox is full (issue 10, defect 11:
// evictions used to be dropped on a full mailbox, leaving revoked tokens cached there).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "db/pg_connection.h"
#include "game/auth/account_service.h"
#include "reactor/worker_pool.h"

namespace asobi {
namespace {

template <typename Pred>
bool Eventually(Pred pred) {
  for (int i = 0; i < 10000 && !pred(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return pred();
}

TEST(CrossShardBurnTest, EvictionAndSocketRevocationSurviveAFullMailbox) {
  ShardSet::Options so;
  so.shards = 2;
  so.pin_threads = false;
  so.mailbox_capacity = 4;
  ShardSet set(so);
  WorkerPool workers(1, 0, 4);
  // Per shard: a connection that never connects (nothing here needs the database) and the
  // accounts service; shard 1 has a cached token and a socket bound to it.
  struct PerShard {
    std::unique_ptr<db::PgConnection> db;
    std::unique_ptr<AccountService> accounts;
    std::vector<ClientRef> revoked;
  };
  PerShard per[2];
  std::atomic<int> started{0};
  set.Start([&](Shard& s) {
    PerShard& p = per[s.id()];
    p.db = std::make_unique<db::PgConnection>(&s.reactor(), db::PgConnection::Options{});
    p.accounts = std::make_unique<AccountService>(s, *p.db, workers);
    p.accounts->SetSocketRevoker([&p](const ClientRef& ref) { p.revoked.push_back(ref); });
    if (s.id() == 1) {
      p.accounts->cache().Put("hash-1", "player-1", INT64_MAX / 2, p.accounts->cache().epoch(), 0);
      p.accounts->BindSocket(ClientRef{1, 7, 1}, "hash-1");
    }
    ++started;
  });
  ASSERT_TRUE(Eventually([&] { return started.load() == 2; }));

  // Shard 1 is busy (blocked) while shard 0 fills their mailbox, then burns the token.
  std::atomic<bool> release{false}, blocked{false}, burned{false};
  std::atomic<int> accepted{0};
  set.shard(0).PostFromAnyThread([&] {
    set.shard(1).PostFromAnyThread([&] {
      blocked = true;
      while (!release.load()) std::this_thread::yield();
    });
  });
  ASSERT_TRUE(Eventually([&] { return blocked.load(); }));
  set.shard(0).PostFromAnyThread([&] {
    while (set.shard(0).SubmitTo(1, [] {})) ++accepted;  // until the mailbox is full
    per[0].accounts->BurnAccessTokensEverywhere({"hash-1"});
    burned = true;
  });
  ASSERT_TRUE(Eventually([&] { return burned.load(); }));
  EXPECT_EQ(accepted.load(), 4);
  EXPECT_GE(set.shard(0).metrics().mailbox_overflow_posts.load(), 1u);
  release = true;

  std::atomic<bool> checked{false}, cached{true};
  std::atomic<size_t> revoked{0};
  set.shard(1).PostFromAnyThread([&] {
    // Posted after the burn reached the overflow queue, so it runs after it.
    cached = per[1].accounts->cache().Find("hash-1", 1).has_value();
    revoked = per[1].revoked.size();
    checked = true;
  });
  ASSERT_TRUE(Eventually([&] { return checked.load(); }));
  EXPECT_FALSE(cached.load());
  EXPECT_EQ(revoked.load(), 1u);

  // Free each shard's services on its own thread.
  std::atomic<int> freed{0};
  for (int i = 0; i < 2; ++i) {
    set.shard(i).PostFromAnyThread([&, i] {
      per[i].accounts.reset();
      per[i].db.reset();
      ++freed;
    });
  }
  ASSERT_TRUE(Eventually([&] { return freed.load() == 2; }));
  set.Stop();
  set.Join();
}

}  // namespace
}  // namespace asobi
