// EconomyService against a real PostgreSQL (rest.md §3.5, §5; docs/decisions.md "Wallet
// ledger", "Idempotent grants and debits"): grants and debits write one ledger row each, a
// balance never goes negative nor overflows, idempotency keys apply a change once (also when
// the retries race), bad input is refused before the database, and contended debits on one
// wallet from several connections succeed exactly as often as the balance allows.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "base/uuid.h"
#include "db/migrations.h"
#include "game/economy/economy_service.h"
#include "loop_thread.h"
#include "test_db.h"

namespace asobi::economy {
namespace {

using db::testing::QueryValue;
using db::testing::ScratchDatabase;

class LedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::make_unique<ScratchDatabase>();
    Status s = db::RunMigrations(db_->conninfo(), db::DefaultMigrationsDir());
    ASSERT_TRUE(s.ok()) << s.error().message;
    loop_.Sync([this] {
      conn_ = Connect();
      service_ = std::make_unique<EconomyService>(loop_.reactor(), *conn_);
    });
  }
  void TearDown() override {
    loop_.Sync([this] {
      service_.reset();
      conn_.reset();
    });
    loop_.Stop();
    db_.reset();
  }

  // Loop thread only.
  std::unique_ptr<db::PgConnection> Connect() {
    db::PgConnection::Options opts;
    opts.conninfo = db_->conninfo();
    auto conn = std::make_unique<db::PgConnection>(&loop_.reactor(), opts);
    conn->Start();
    return conn;
  }
  std::string Q(const std::string& sql) { return QueryValue(db_->conninfo(), sql); }
  std::string NewPlayer(const std::string& name) {
    std::string id = NewUuidV7();
    Q("INSERT INTO players (id, username, inserted_at, updated_at) VALUES ('" + id + "', '" + name +
      "', now(), now())");
    return id;
  }
  std::string Balance(const std::string& player, const std::string& currency) {
    return Q("SELECT balance FROM wallets WHERE player_id = '" + player + "' AND currency = '" +
             currency + "'");
  }
  // The sum of the wallet's ledger amounts.
  std::string LedgerSum(const std::string& player, const std::string& currency) {
    return Q(
        "SELECT coalesce(sum(t.amount), 0) FROM transactions t JOIN wallets w ON "
        "t.wallet_id = w.id WHERE w.player_id = '" +
        player + "' AND w.currency = '" + currency + "'");
  }
  std::string Rows(const std::string& player) {
    return Q(
        "SELECT count(*) FROM transactions t JOIN wallets w ON t.wallet_id = w.id WHERE "
        "w.player_id = '" +
        player + "'");
  }
  // Runs one grant/debit to completion and returns its result.
  Result<WalletChange> Run(bool grant, const std::string& player, const std::string& currency,
                           int64_t amount, const std::string& reason = "",
                           std::optional<std::string> key = std::nullopt) {
    std::optional<Result<WalletChange>> out =
        loop_.Await<Result<WalletChange>>([&](std::function<void(Result<WalletChange>)> done) {
          if (grant) {
            service_->Grant(player, currency, amount, reason, key, std::move(done));
          } else {
            service_->Debit(player, currency, amount, reason, key, std::move(done));
          }
        });
    return out ? std::move(*out) : Result<WalletChange>(MakeError("no_answer"));
  }

  std::unique_ptr<ScratchDatabase> db_;
  asobi::testing::LoopThread loop_;
  std::unique_ptr<db::PgConnection> conn_;   // loop thread
  std::unique_ptr<EconomyService> service_;  // loop thread
};

TEST_F(LedgerTest, GrantAndDebitWriteOneLedgerRowEach) {
  std::string p = NewPlayer("ledger_a");
  Result<WalletChange> g = Run(true, p, "gold", 100, "quest");
  ASSERT_TRUE(g.ok()) << g.error().reason;
  EXPECT_EQ(g->balance, 100);
  EXPECT_EQ(g->amount, 100);
  EXPECT_FALSE(g->replayed);
  EXPECT_TRUE(IsCanonicalUuid(g->transaction_id));
  Result<WalletChange> d = Run(false, p, "gold", 30);
  ASSERT_TRUE(d.ok()) << d.error().reason;
  EXPECT_EQ(d->balance, 70);
  EXPECT_EQ(d->amount, -30);
  EXPECT_EQ(Balance(p, "gold"), "70");
  EXPECT_EQ(LedgerSum(p, "gold"), "70");
  EXPECT_EQ(Q("SELECT string_agg(amount || '/' || balance_after || '/' || reason, ',' ORDER BY "
              "inserted_at, id) FROM transactions"),
            "100/100/quest,-30/70/purchase");
  // Default grant reason (lua.md §9).
  ASSERT_TRUE(Run(true, p, "gold", 1).ok());
  EXPECT_EQ(Q("SELECT reason FROM transactions WHERE amount = 1"), "admin_grant");
}

TEST_F(LedgerTest, DebitBeyondTheBalanceWritesNothing) {
  std::string p = NewPlayer("ledger_b");
  ASSERT_TRUE(Run(true, p, "gold", 5).ok());
  Result<WalletChange> d = Run(false, p, "gold", 6);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().reason, "insufficient_funds");
  EXPECT_EQ(Balance(p, "gold"), "5");
  EXPECT_EQ(Rows(p), "1");
  // A debit on a wallet that never existed: refused too (the wallet is created empty).
  Result<WalletChange> none = Run(false, p, "gems", 1);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().reason, "insufficient_funds");
  EXPECT_EQ(Balance(p, "gems"), "0");
  // Exactly the balance is allowed and leaves 0.
  Result<WalletChange> all = Run(false, p, "gold", 5);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->balance, 0);
}

TEST_F(LedgerTest, BalanceNeverPassesIntMax) {
  std::string p = NewPlayer("ledger_c");
  ASSERT_TRUE(Run(true, p, "gold", kMaxAmount).ok());
  Result<WalletChange> over = Run(true, p, "gold", 1);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().reason, "balance_overflow");
  EXPECT_EQ(Balance(p, "gold"), "2147483647");
  EXPECT_EQ(Rows(p), "1");
}

TEST_F(LedgerTest, BadInputIsRefusedWithoutWriting) {
  std::string p = NewPlayer("ledger_d");
  for (int64_t bad : {int64_t{0}, int64_t{-1}, kMaxAmount + 1, int64_t{1} << 53}) {
    Result<WalletChange> g = Run(true, p, "gold", bad);
    ASSERT_FALSE(g.ok()) << bad;
    EXPECT_EQ(g.error().reason, "invalid_amount") << bad;
    Result<WalletChange> d = Run(false, p, "gold", bad);
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_EQ(d.error().reason, "invalid_amount") << bad;
  }
  EXPECT_EQ(Run(true, p, "", 1).error().reason, "invalid_currency");
  EXPECT_EQ(Run(true, p, std::string(256, 'c'), 1).error().reason, "invalid_currency");
  EXPECT_EQ(Run(true, p, std::string("go\0ld", 5), 1).error().reason, "invalid_currency");
  EXPECT_EQ(Run(true, p, "\xff\xfe", 1).error().reason, "invalid_currency");
  EXPECT_EQ(Run(true, p, "gold", 1, std::string(256, 'r')).error().reason, "invalid_reason");
  EXPECT_EQ(Run(true, p, "gold", 1, "", std::string()).error().reason, "invalid_idempotency_key");
  EXPECT_EQ(Run(true, "bot_alice_0a1b2c", "gold", 1).error().reason, "player_not_found");
  // A well-formed id of nobody: the wallet's foreign key refuses it.
  EXPECT_EQ(Run(true, NewUuidV7(), "gold", 1).error().reason, "player_not_found");
  EXPECT_EQ(Q("SELECT count(*) FROM wallets"), "0");
  EXPECT_EQ(Q("SELECT count(*) FROM transactions"), "0");
  // A 255-byte currency is fine (VARCHAR(255)).
  EXPECT_TRUE(Run(true, p, std::string(255, 'c'), 1).ok());
}

TEST_F(LedgerTest, IdempotencyKeyAppliesAGrantOnce) {
  std::string p = NewPlayer("ledger_e");
  Result<WalletChange> first = Run(true, p, "gold", 50, "reward", "tournament:t1:" + p);
  ASSERT_TRUE(first.ok()) << first.error().reason;
  ASSERT_TRUE(Run(true, p, "gold", 7).ok());
  Result<WalletChange> again = Run(true, p, "gold", 50, "reward", "tournament:t1:" + p);
  ASSERT_TRUE(again.ok()) << again.error().reason;
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->balance, 50);  // the original outcome, not today's balance
  EXPECT_EQ(again->transaction_id, first->transaction_id);
  EXPECT_EQ(Balance(p, "gold"), "57");
  EXPECT_EQ(Rows(p), "2");
  // The same key for another amount or reason is a conflict, not a second credit.
  EXPECT_EQ(Run(true, p, "gold", 51, "reward", "tournament:t1:" + p).error().reason,
            "idempotency_conflict");
  EXPECT_EQ(Run(false, p, "gold", 50, "reward", "tournament:t1:" + p).error().reason,
            "idempotency_conflict");
  EXPECT_EQ(Run(true, p, "gold", 50, "other", "tournament:t1:" + p).error().reason,
            "idempotency_conflict");
  // Keys are per wallet: the same key on another currency is another change.
  EXPECT_FALSE(Run(true, p, "gems", 50, "reward", "tournament:t1:" + p)->replayed);
  EXPECT_EQ(Balance(p, "gold"), "57");
  EXPECT_EQ(LedgerSum(p, "gold"), "57");
}

TEST_F(LedgerTest, FailedKeyedDebitCanBeRetried) {
  std::string p = NewPlayer("ledger_f");
  EXPECT_EQ(Run(false, p, "gold", 10, "", "buy-1").error().reason, "insufficient_funds");
  ASSERT_TRUE(Run(true, p, "gold", 10).ok());
  Result<WalletChange> retry = Run(false, p, "gold", 10, "", "buy-1");
  ASSERT_TRUE(retry.ok());
  EXPECT_FALSE(retry->replayed);
  Result<WalletChange> replay = Run(false, p, "gold", 10, "", "buy-1");
  ASSERT_TRUE(replay.ok());
  EXPECT_TRUE(replay->replayed);
  EXPECT_EQ(Balance(p, "gold"), "0");
}

// Retries racing each other: the same keyed grant issued 20 times at once on each of three
// connections (one batch per connection, batches overlapping in PostgreSQL).
TEST_F(LedgerTest, RacingRetriesCreditOnce) {
  std::string p = NewPlayer("ledger_g");
  int applied = 0, replayed = 0;
  std::vector<std::unique_ptr<db::PgConnection>> conns;
  std::vector<std::unique_ptr<EconomyService>> services;
  loop_.Await<bool>([&](std::function<void(bool)> all) {
    for (int i = 0; i < 3; ++i) {
      conns.push_back(Connect());
      services.push_back(std::make_unique<EconomyService>(loop_.reactor(), *conns.back()));
    }
    auto answered = std::make_shared<int>(0);
    for (auto& s : services) {
      for (int i = 0; i < 20; ++i) {
        s->Grant(p, "gold", 25, "daily", std::string("daily:2026-03-30"),
                 [&, answered, all](Result<WalletChange> r) {
                   EXPECT_TRUE(r.ok()) << r.error().reason;
                   if (r.ok()) {
                     EXPECT_EQ(r->balance, 25);
                     ++(r->replayed ? replayed : applied);
                   }
                   if (++*answered == 60) all(true);
                 });
      }
    }
  });
  loop_.Sync([&] {
    services.clear();
    conns.clear();
  });
  EXPECT_EQ(applied, 1);
  EXPECT_EQ(replayed, 59);
  EXPECT_EQ(Balance(p, "gold"), "25");
  EXPECT_EQ(Rows(p), "1");
}

// The wallet contention figure: 1,000 concurrent debits of 1 on a wallet holding 500,
// spread over four connections: exactly 500 succeed, 500 get insufficient_funds, the balance
// ends at 0 and the ledger sums to it.
TEST_F(LedgerTest, ConcurrentDebitsNeverOverdraw) {
  std::string p = NewPlayer("ledger_h");
  ASSERT_TRUE(Run(true, p, "gold", 500).ok());
  int ok = 0, short_of_funds = 0, other = 0;
  std::vector<std::unique_ptr<db::PgConnection>> conns;
  std::vector<std::unique_ptr<EconomyService>> services;
  loop_.Await<bool>([&](std::function<void(bool)> all) {
    for (int i = 0; i < 4; ++i) {
      conns.push_back(Connect());
      services.push_back(std::make_unique<EconomyService>(loop_.reactor(), *conns.back()));
    }
    for (int i = 0; i < 1000; ++i) {
      services[size_t(i % 4)]->Debit(p, "gold", 1, "", std::nullopt,
                                     [&, all](Result<WalletChange> r) {
                                       if (r.ok()) {
                                         ++ok;
                                       } else if (r.error().reason == "insufficient_funds") {
                                         ++short_of_funds;
                                       } else {
                                         ++other;
                                       }
                                       if (ok + short_of_funds + other == 1000) all(true);
                                     });
    }
  });
  loop_.Sync([&] {
    services.clear();
    conns.clear();
  });
  EXPECT_EQ(ok, 500);
  EXPECT_EQ(short_of_funds, 500);
  EXPECT_EQ(other, 0);
  EXPECT_EQ(Balance(p, "gold"), "0");
  EXPECT_EQ(LedgerSum(p, "gold"), "0");
  EXPECT_EQ(Rows(p), "501");
  // Every ledger row's balance_after is its predecessor's plus its amount (the grant first,
  // then one debit per balance from 499 down to 0).
  EXPECT_EQ(Q("SELECT count(*) FROM (SELECT balance_after, amount, lag(balance_after, 1, 0) OVER "
              "(ORDER BY balance_after DESC) AS prev FROM transactions) s WHERE "
              "balance_after <> prev + amount"),
            "0");
}

// Group commit (write_queue.h): writes submitted while a batch is in flight go out together
// as ONE next batch; past the waiting bound they fail at once with not_ready.
TEST_F(LedgerTest, WritesWaitingForABatchGoOutTogetherAndAreBounded) {
  std::vector<std::string> players;
  for (int i = 0; i < 40; ++i) players.push_back(NewPlayer("group_" + std::to_string(i)));
  std::unique_ptr<EconomyService> small;
  int ok = 0, not_ready = 0, other = 0;
  uint64_t batches = 0, syncs_before = 0, syncs_after = 0;
  loop_.Sync([&] { syncs_before = conn_->stats().syncs_sent; });
  loop_.Await<bool>([&](std::function<void(bool)> all) {
    small = std::make_unique<EconomyService>(loop_.reactor(), *conn_, WriteQueue::Options{30});
    auto answered = std::make_shared<int>(0);
    for (const std::string& p : players) {
      small->Grant(p, "gold", 5, "", std::nullopt, [&, answered, all](Result<WalletChange> r) {
        if (r.ok()) {
          ++ok;
        } else if (r.error().reason == "not_ready") {
          ++not_ready;
        } else {
          ++other;
        }
        if (++*answered == 40) all(true);
      });
    }
  });
  loop_.Sync([&] {
    batches = small->writes().batches();
    syncs_after = conn_->stats().syncs_sent;
    small.reset();
  });
  // One issued at once, 30 waiting (the bound), 9 refused without touching the database.
  EXPECT_EQ(ok, 31);
  EXPECT_EQ(not_ready, 9);
  EXPECT_EQ(other, 0);
  EXPECT_EQ(batches, 2u);
  // The 30 waiting units shared one sync (one commit), beside the first unit's and the
  // statements' first-use prepares.
  EXPECT_LE(syncs_after - syncs_before, 2u + 3u);
  EXPECT_EQ(Q("SELECT count(*) FROM wallets WHERE balance = 5"), "31");
}

}  // namespace
}  // namespace asobi::economy
