// PostgreSQL stalled and cut off mid-purchase (issue 12 "Bad input"): purchases run in a loop
// while another session locks player_items (the purchase statement waits for it, then times
// out on the server), the server's sessions are then terminated under the waiting purchases,
// and the lock is released. Every request gets a success or an error envelope, and the
// database never holds a debit without its item or an item without its debit: items ==
// purchase ledger rows, and the ledger sums to the balance.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http_call.h"
#include "http_client.h"
#include "itest_checks.h"
#include "json_doc.h"
#include "pg_test_db.h"
#include "server_harness.h"

namespace asobi::itest {
namespace {

constexpr int kWaitMs = 30000;           // bounds a wait for a state change only
constexpr int kClientTimeoutMs = 20000;  // far above every server-side deadline
constexpr char kListing[] = "0190b000-0000-7000-8000-00000000b001";

// Purchases in a loop on a few threads until stopped; counts the answers by kind.
class PurchaseTraffic {
 public:
  PurchaseTraffic(uint16_t port, std::string token) {
    for (int t = 0; t < 3; ++t) {
      threads_.emplace_back([this, port, token] {
        while (!stop_.load()) {
          HttpResponse r = HttpCall(port, "POST", "/api/v1/store/purchase",
                                    std::string(R"({"listing_id":")") + kListing + "\"}", token,
                                    kClientTimeoutMs);
          std::lock_guard<std::mutex> lock(mu_);
          if (r.status == 200) {
            JsonDoc d;
            if (d.Parse(r.body) && d.Raw({"success"}) == "true" && d.Has({"item", "id"})) {
              ++ok_;
            } else {
              bad_.push_back(r.body);
            }
          } else if (IsErrorEnvelope(r, 500, "economy.purchase_failed") ||
                     IsErrorEnvelope(r, 503, "not_ready")) {
            ++failed_;
          } else {
            bad_.push_back(std::to_string(r.status) + " " + r.body);
          }
        }
      });
    }
  }
  ~PurchaseTraffic() { Stop(); }
  void Stop() {
    stop_.store(true);
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  int ok() {
    std::lock_guard<std::mutex> lock(mu_);
    return ok_;
  }
  int failed() {
    std::lock_guard<std::mutex> lock(mu_);
    return failed_;
  }
  std::vector<std::string> bad() {
    std::lock_guard<std::mutex> lock(mu_);
    return bad_;
  }
  // Waits until `pred()` holds (bounded by kWaitMs).
  template <typename Pred>
  bool WaitUntil(Pred pred) {
    for (int waited = 0; waited < kWaitMs; waited += 20) {
      if (pred()) return true;
      usleep(20 * 1000);
    }
    return false;
  }

 private:
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  int ok_ = 0;
  int failed_ = 0;
  std::vector<std::string> bad_;
};

TEST(EconomyStallTest, StalledAndLostDatabaseNeverSplitsAPurchase) {
  TestDatabase db;
  ASSERT_TRUE(db.ok()) << db.error();
  ServerProcess server;
  ServerOptions opts;
  opts.flags = db.ServerFlags();
  opts.flags.insert(opts.flags.end(), {"--rate-limits", "register=1000/1000,api=100000/1000",
                                       "--db-timeout-ms", "1000"});
  ASSERT_TRUE(server.Start(opts));
  uint16_t port = server.port();
  for (int i = 0; i < 400 && HttpCall(port, "GET", "/ready").status != 200; ++i) usleep(50000);
  ASSERT_EQ(HttpCall(port, "GET", "/ready").status, 200) << server.log();

  HttpResponse reg = HttpCall(port, "POST", "/api/v1/auth/register",
                              R"({"username":"stall_buyer","password":"password123"})");
  ASSERT_EQ(reg.status, 200) << reg.body;
  JsonDoc rd;
  ASSERT_TRUE(rd.Parse(reg.body));
  const std::string player = rd.Str({"player_id"}).value_or("");
  const std::string token = rd.Str({"access_token"}).value_or("");
  ASSERT_TRUE(
      db.Query("INSERT INTO item_defs (id, slug, name, category, inserted_at, "
               "updated_at) VALUES ('0190b000-0000-7000-8000-00000000c001', 'gem', "
               "'Gem', 'loot', now(), now())"));
  ASSERT_TRUE(db.Query(std::string("INSERT INTO store_listings (id, item_def_id, currency, "
                                   "price) VALUES ('") +
                       kListing + "', '0190b000-0000-7000-8000-00000000c001', 'gold', 10)"));
  ASSERT_TRUE(
      db.Query("WITH w AS (INSERT INTO wallets (id, player_id, currency, balance, "
               "inserted_at, updated_at) VALUES (gen_random_uuid(), '" +
               player +
               "', 'gold', 1000000, now(), now()) RETURNING id) INSERT INTO "
               "transactions (id, wallet_id, amount, balance_after, reason, "
               "inserted_at) SELECT gen_random_uuid(), id, 1000000, 1000000, 'seed', "
               "now() FROM w"));

  PurchaseTraffic traffic(port, token);
  ASSERT_TRUE(traffic.WaitUntil([&] { return traffic.ok() >= 5; })) << server.log();

  // Stall: purchases wait for the lock until the server-side lock timeout ends them.
  ASSERT_TRUE(db.Query("BEGIN"));
  ASSERT_TRUE(db.Query("LOCK TABLE player_items IN ACCESS EXCLUSIVE MODE"));
  const int failed_before = traffic.failed();
  EXPECT_TRUE(traffic.WaitUntil([&] { return traffic.failed() >= failed_before + 3; }));
  // Cut the server's sessions while purchases wait: their outcome is unknown to the server.
  ASSERT_TRUE(
      db.Query("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
               "datname = current_database() AND pid <> pg_backend_pid()"));
  EXPECT_TRUE(traffic.WaitUntil([&] { return traffic.failed() >= failed_before + 6; }));
  ASSERT_TRUE(db.Query("ROLLBACK"));

  // Recovery: purchases succeed again.
  const int ok_before = traffic.ok();
  EXPECT_TRUE(traffic.WaitUntil([&] { return traffic.ok() >= ok_before + 5; })) << server.log();
  traffic.Stop();
  EXPECT_TRUE(traffic.bad().empty()) << traffic.bad().front();

  auto q = [&](const std::string& sql) { return db.Query(sql).value_or("<error>"); };
  const std::string items =
      q("SELECT count(*) FROM player_items WHERE player_id = '" + player + "'");
  const std::string debits =
      q("SELECT count(*) FROM transactions WHERE reason = 'purchase' AND amount = -10");
  EXPECT_EQ(items, debits);
  EXPECT_EQ(q("SELECT balance FROM wallets WHERE player_id = '" + player + "'"),
            std::to_string(1000000 - 10 * std::stoi(items)));
  EXPECT_EQ(q("SELECT sum(amount) FROM transactions"),
            q("SELECT balance FROM wallets WHERE player_id = '" + player + "'"));
  // Every acknowledged purchase is there (a purchase whose answer was an error may be too,
  // when the connection broke after it committed).
  EXPECT_GE(std::stoi(items), traffic.ok());
  EXPECT_LE(std::stoi(items), traffic.ok() + traffic.failed());
  std::printf("purchases: %d acknowledged, %d failed, %s items\n", traffic.ok(), traffic.failed(),
              items.c_str());
  EXPECT_TRUE(server.Stop());
}

}  // namespace
}  // namespace asobi::itest
