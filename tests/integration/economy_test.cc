// The economy against the real server and PostgreSQL (rest.md §3.5, §5; lua.md §9 Economy;
// docs/decisions.md "Wallet ledger", "Idempotent grants and debits"): game.economy.* from a
// match script (suspending calls), every REST route and error row of §3.5, bad amounts and
// quantities, purchases racing for one wallet, a database stalled mid-purchase, and erasure.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http_call.h"
#include "http_client.h"
#include "itest_checks.h"
#include "itest_clock.h"
#include "itest_suite.h"
#include "json_canon.h"
#include "json_doc.h"
#include "lua_player.h"
#include "pg_test_db.h"
#include "server_harness.h"
#include "server_suite.h"
#include "ws_client.h"

namespace asobi::itest {
namespace {

// A solo mode that runs one game.economy call per input and sends the result back to the
// player as {cid, result} (game.send -> module.message).
const std::string kEconScript = SoloLuaMode(R"(local function run(p, i)
  local e = game.economy
  local who = i.player or p
  if i.op == "grant" then return e.grant(who, i.currency, i.amount, i.reason, i.key) end
  if i.op == "debit" then return e.debit(who, i.currency, i.amount, i.reason, i.key) end
  if i.op == "grant_opts" then
    return e.grant(who, i.currency, i.amount, i.reason, { idempotency_key = i.key })
  end
  if i.op == "grant_nan" then return e.grant(who, i.currency, 0 / 0) end
  if i.op == "grant_inf" then return e.grant(who, i.currency, math.huge) end
  if i.op == "grant_short" then return e.grant(who, i.currency) end
  if i.op == "grant_bad_key" then return e.grant(who, i.currency, 1, nil, 42) end
  if i.op == "balance" then return e.balance(who) end
  if i.op == "purchase" then return e.purchase(who, i.listing) end
  return { error = "unknown op" }
end
)");

// A script result (already canonical) equals `expected` up to object key order.
#define EXPECT_RESULT(actual, expected) EXPECT_EQ(actual, Canon(expected))

class EconomyTest : public ServerSuite<EconomyTest> {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    ASSERT_TRUE(db_->ok()) << db_->error();
    dir_ = new std::string(MakeGameDir(
        "/tmp/asobi_economy_itest_XXXXXX",
        {{"econ.lua", kEconScript}, {"config.lua", R"(return { econ = "econ.lua" })"}}));
    server_ = new ServerProcess();
    ServerOptions o;
    o.flags = db_->ServerFlags();
    o.flags.insert(o.flags.end(), {"--game-dir", *dir_, "--rate-limits",
                                   "register=1000/1000,auth=1000/1000,api=100000/1000",
                                   "--ws-rate-limit", "1000"});
    ASSERT_TRUE(StartReady(server_, o));
    // A catalog: a sword for 30 gold, a shield for 500 gold, an inactive potion, a gem deal.
    Q("INSERT INTO item_defs (id, slug, name, category, inserted_at, updated_at) VALUES "
      "('0190b000-0000-7000-8000-00000000d001', 'sword', 'Sword', 'weapon', now(), now()), "
      "('0190b000-0000-7000-8000-00000000d002', 'potion', 'Potion', 'consumable', now(), now())");
    Q("INSERT INTO store_listings (id, item_def_id, currency, price, active, metadata) VALUES "
      "('" +
      std::string(kSword) +
      "', '0190b000-0000-7000-8000-00000000d001', 'gold', 30, true, "
      "'{\"featured\":true}'), "
      "('" +
      std::string(kShield) +
      "', '0190b000-0000-7000-8000-00000000d001', 'gold', 500, "
      "true, '{}'), "
      "('" +
      std::string(kPotion) +
      "', '0190b000-0000-7000-8000-00000000d002', 'gold', 5, false, "
      "'{}'), "
      "('" +
      std::string(kGemDeal) +
      "', '0190b000-0000-7000-8000-00000000d002', 'gems', 2, "
      "true, '{}')");
  }

  static std::string Q(const std::string& sql) {
    std::optional<std::string> v = db_->Query(sql);
    EXPECT_TRUE(v.has_value()) << sql << ": " << db_->error();
    return v.value_or("<error>");
  }
  // Gives `player` `amount` of `currency` straight in the database (wallet + ledger row).
  static void Fund(const std::string& player, const std::string& currency, int amount) {
    const std::string n = std::to_string(amount);
    Q("WITH w AS (INSERT INTO wallets (id, player_id, currency, balance, inserted_at, updated_at) "
      "VALUES (gen_random_uuid(), '" +
      player + "', '" + currency + "', " + n +
      ", now(), now()) ON CONFLICT (player_id, currency) DO UPDATE SET balance = "
      "wallets.balance + " +
      n +
      " RETURNING id, balance) "
      "INSERT INTO transactions (id, wallet_id, amount, balance_after, reason, inserted_at) "
      "SELECT gen_random_uuid(), id, " +
      n + ", balance, 'seed', now() FROM w");
  }
  static std::string Balance(const std::string& player, const std::string& currency) {
    return Q("SELECT balance FROM wallets WHERE player_id = '" + player + "' AND currency = '" +
             currency + "'");
  }
  static std::string LedgerSum(const std::string& player, const std::string& currency) {
    return Q(
        "SELECT coalesce(sum(t.amount), 0) FROM transactions t JOIN wallets w ON "
        "t.wallet_id = w.id WHERE w.player_id = '" +
        player + "' AND w.currency = '" + currency + "'");
  }

  static constexpr const char* kSword = "0190b000-0000-7000-8000-00000000a001";
  static constexpr const char* kShield = "0190b000-0000-7000-8000-00000000a002";
  static constexpr const char* kPotion = "0190b000-0000-7000-8000-00000000a003";
  static constexpr const char* kGemDeal = "0190b000-0000-7000-8000-00000000a004";
};

TEST_F(EconomyTest, LuaGrantDebitBalanceAndTheLedgerOverRest) {
  auto [id, token] = Register("econ_lua_a");
  LuaPlayer p("econ");
  ASSERT_TRUE(p.Join(server_->port(), token));
  EXPECT_RESULT(p.Run(R"("op":"balance")"), R"({"ok":[]})");
  EXPECT_RESULT(p.Run(R"("op":"grant","currency":"coins","amount":100,"reason":"quest")"),
                R"({"ok":{"player_id":")" + id + R"(","currency":"coins","balance":100}})");
  // lua.md §9: the amount is truncated toward zero.
  EXPECT_RESULT(p.Run(R"("op":"debit","currency":"coins","amount":30.9)"),
                R"({"ok":{"player_id":")" + id + R"(","currency":"coins","balance":70}})");
  EXPECT_RESULT(p.Run(R"("op":"debit","currency":"coins","amount":71)"),
                R"({"error":"insufficient_funds"})");
  EXPECT_RESULT(p.Run(R"("op":"grant","currency":"gems","amount":3)"),
                R"({"ok":{"player_id":")" + id + R"(","currency":"gems","balance":3}})");
  EXPECT_RESULT(p.Run(R"("op":"balance")"),
                R"({"ok":[{"currency":"coins","balance":70},{"currency":"gems","balance":3}]})");

  JsonDoc wallets = Json(Call("GET", "/api/v1/wallets", "", token));
  EXPECT_EQ(wallets.text(),
            R"({"wallets":[{"currency":"coins","balance":70},{"currency":"gems","balance":3}]})");
  JsonDoc hist = Json(Call("GET", "/api/v1/wallets/coins/history", "", token));
  ASSERT_EQ(hist.At({"transactions"})->get_array().size(), 2u) << hist.text();
  EXPECT_EQ(hist.Int({"transactions", "0", "amount"}), -30);
  EXPECT_EQ(hist.Int({"transactions", "0", "balance_after"}), 70);
  EXPECT_EQ(hist.Str({"transactions", "0", "reason"}), "purchase");
  EXPECT_EQ(hist.Int({"transactions", "1", "amount"}), 100);
  EXPECT_EQ(hist.Str({"transactions", "1", "reason"}), "quest");
  EXPECT_EQ(hist.Raw({"transactions", "1", "reference_type"}), "null");
  EXPECT_EQ(hist.Raw({"transactions", "1", "metadata"}), "{}");
  EXPECT_EQ(hist.Str({"transactions", "1", "inserted_at"}).value_or("").size(), 24u);
  EXPECT_EQ(Json(Call("GET", "/api/v1/wallets/coins/history?limit=1", "", token))
                .At({"transactions"})
                ->get_array()
                .size(),
            1u);
  EXPECT_EQ(Balance(id, "coins"), "70");
  EXPECT_EQ(LedgerSum(id, "coins"), "70");
}

TEST_F(EconomyTest, LuaRefusesBadAmountsAndArgumentsWithoutRaising) {
  auto [id, token] = Register("econ_lua_b");
  LuaPlayer p("econ");
  ASSERT_TRUE(p.Join(server_->port(), token));
  for (const char* amount : {"0", "-5", "0.5", "-0.5", "9007199254740993", "1e300", "2147483648"}) {
    EXPECT_RESULT(p.Run(std::string(R"("op":"grant","currency":"coins","amount":)") + amount),
                  R"({"error":"invalid_amount"})")
        << amount;
    EXPECT_RESULT(p.Run(std::string(R"("op":"debit","currency":"coins","amount":)") + amount),
                  R"({"error":"invalid_amount"})")
        << amount;
  }
  EXPECT_RESULT(p.Run(R"("op":"grant_nan","currency":"coins")"), R"({"error":"invalid_amount"})");
  EXPECT_RESULT(p.Run(R"("op":"grant_inf","currency":"coins")"), R"({"error":"invalid_amount"})");
  const std::string usage =
      R"x({"error":"game.economy.grant requires (player_id, currency, amount[, reason[, idempotency_key]])"})x";
  EXPECT_RESULT(p.Run(R"("op":"grant","currency":"coins","amount":"5")"), usage);
  EXPECT_RESULT(p.Run(R"("op":"grant","amount":5)"), usage);
  EXPECT_RESULT(p.Run(R"("op":"grant_short","currency":"coins")"), usage);
  EXPECT_RESULT(p.Run(R"("op":"grant_bad_key","currency":"coins")"), usage);
  EXPECT_RESULT(p.Run(R"("op":"grant","currency":"","amount":5)"),
                R"({"error":"invalid_currency"})");
  // Bot ids and unknown players are not players.
  EXPECT_RESULT(p.Run(R"("op":"grant","player":"bot_x_0a0b0c","currency":"coins","amount":5)"),
                R"({"error":"player_not_found"})");
  EXPECT_RESULT(p.Run(R"("op":"grant","player":"0190b000-0000-7000-8000-0000000000ff",)"
                      R"("currency":"coins","amount":5)"),
                R"({"error":"player_not_found"})");
  // The largest amount is fine once; past INT's range the grant is refused.
  EXPECT_RESULT(p.Run(R"("op":"grant","currency":"coins","amount":2147483647)"),
                R"({"ok":{"player_id":")" + id + R"(","currency":"coins","balance":2147483647}})");
  EXPECT_RESULT(p.Run(R"("op":"grant","currency":"coins","amount":1)"),
                R"({"error":"balance_overflow"})");
  EXPECT_EQ(Q("SELECT count(*) FROM transactions t JOIN wallets w ON t.wallet_id = w.id WHERE "
              "w.player_id = '" +
              id + "'"),
            "1");
}

TEST_F(EconomyTest, LuaIdempotencyKeyCreditsOnce) {
  auto [id, token] = Register("econ_lua_c");
  LuaPlayer p("econ");
  ASSERT_TRUE(p.Join(server_->port(), token));
  const std::string applied =
      R"({"ok":{"player_id":")" + id + R"(","currency":"coins","balance":40}})";
  const std::string replayed =
      R"({"ok":{"player_id":")" + id + R"(","currency":"coins","balance":40,"replayed":true}})";
  EXPECT_RESULT(p.Run(R"("op":"grant","currency":"coins","amount":40,"reason":"r","key":"k1")"),
                applied);
  EXPECT_RESULT(p.Run(R"("op":"grant","currency":"coins","amount":40,"reason":"r","key":"k1")"),
                replayed);
  EXPECT_RESULT(
      p.Run(R"("op":"grant_opts","currency":"coins","amount":40,"reason":"r","key":"k1")"),
      replayed);
  EXPECT_RESULT(p.Run(R"("op":"grant","currency":"coins","amount":41,"reason":"r","key":"k1")"),
                R"({"error":"idempotency_conflict"})");
  EXPECT_RESULT(p.Run(R"("op":"debit","currency":"coins","amount":10,"key":"d1")"),
                R"({"ok":{"player_id":")" + id + R"(","currency":"coins","balance":30}})");
  EXPECT_RESULT(
      p.Run(R"("op":"debit","currency":"coins","amount":10,"key":"d1")"),
      R"({"ok":{"player_id":")" + id + R"(","currency":"coins","balance":30,"replayed":true}})");
  EXPECT_EQ(Balance(id, "coins"), "30");
  EXPECT_EQ(LedgerSum(id, "coins"), "30");
}

TEST_F(EconomyTest, LuaPurchase) {
  auto [id, token] = Register("econ_lua_d");
  LuaPlayer p("econ");
  ASSERT_TRUE(p.Join(server_->port(), token));
  EXPECT_RESULT(p.Run(std::string(R"("op":"purchase","listing":")") + kSword + "\""),
                R"({"error":"insufficient_funds"})");
  Fund(id, "gold", 50);
  std::string item = p.Run(std::string(R"("op":"purchase","listing":")") + kSword + "\"");
  JsonDoc d;
  ASSERT_TRUE(d.Parse(item)) << item;
  EXPECT_EQ(d.Str({"ok", "item_def_id"}), "0190b000-0000-7000-8000-00000000d001");
  EXPECT_EQ(d.Str({"ok", "player_id"}), id);
  EXPECT_EQ(d.Int({"ok", "quantity"}), 1);
  EXPECT_TRUE(d.Has({"ok", "acquired_at"}));
  // lua.md §9: internal fields are removed from returned rows.
  EXPECT_FALSE(d.Has({"ok", "id"}));
  EXPECT_FALSE(d.Has({"ok", "updated_at"}));
  EXPECT_RESULT(p.Run(std::string(R"("op":"purchase","listing":")") + kPotion + "\""),
                R"({"error":"listing_inactive"})");
  EXPECT_RESULT(p.Run(R"("op":"purchase","listing":"0190b000-0000-7000-8000-00000000a0ff")"),
                R"({"error":"listing_not_found"})");
  EXPECT_RESULT(p.Run(R"("op":"purchase","listing":"sword")"), R"({"error":"listing_not_found"})");
  EXPECT_EQ(Balance(id, "gold"), "20");
  EXPECT_EQ(LedgerSum(id, "gold"), "20");
  EXPECT_EQ(Q("SELECT count(*) FROM player_items WHERE player_id = '" + id + "'"), "1");
}

TEST_F(EconomyTest, StoreListsActiveListings) {
  auto [id, token] = Register("econ_store");
  EXPECT_TRUE(IsErrorEnvelope(Call("GET", "/api/v1/store"), 401, "unauthenticated"));
  JsonDoc all = Json(Call("GET", "/api/v1/store", "", token));
  ASSERT_EQ(all.At({"listings"})->get_array().size(), 3u) << all.text();
  EXPECT_EQ(all.Str({"listings", "0", "id"}), kSword);
  EXPECT_EQ(all.Str({"listings", "0", "item_def_id"}), "0190b000-0000-7000-8000-00000000d001");
  EXPECT_EQ(all.Str({"listings", "0", "currency"}), "gold");
  EXPECT_EQ(all.Int({"listings", "0", "price"}), 30);
  EXPECT_EQ(all.Raw({"listings", "0", "active"}), "true");
  EXPECT_EQ(all.Raw({"listings", "0", "valid_from"}), "null");
  EXPECT_EQ(all.Raw({"listings", "0", "valid_until"}), "null");
  EXPECT_EQ(all.Raw({"listings", "0", "metadata"}), R"({"featured":true})");
  EXPECT_EQ(all.text().find(kPotion), std::string::npos);
  JsonDoc gems = Json(Call("GET", "/api/v1/store?currency=gems", "", token));
  ASSERT_EQ(gems.At({"listings"})->get_array().size(), 1u) << gems.text();
  EXPECT_EQ(gems.Str({"listings", "0", "id"}), kGemDeal);
  EXPECT_EQ(Json(Call("GET", "/api/v1/store?currency=none", "", token)).text(),
            R"({"listings":[]})");
}

TEST_F(EconomyTest, PurchaseOverRestAndEveryErrorRow) {
  auto [id, token] = Register("econ_buy");
  const std::string sword = std::string(R"({"listing_id":")") + kSword + "\"}";
  EXPECT_TRUE(
      IsErrorEnvelope(Call("POST", "/api/v1/store/purchase", sword), 401, "unauthenticated"));
  EXPECT_TRUE(IsErrorEnvelope(Call("POST", "/api/v1/store/purchase", sword, token), 402,
                              "economy.insufficient_funds"));
  Fund(id, "gold", 100);
  HttpResponse ok = Call("POST", "/api/v1/store/purchase",
                         std::string(R"({"listing_id":")") + kSword + R"(","quantity":5})", token);
  ASSERT_EQ(ok.status, 200) << ok.body;
  JsonDoc d = Json(ok);
  EXPECT_EQ(d.Raw({"success"}), "true");
  const std::string item_id = d.Str({"item", "id"}).value_or("");
  EXPECT_EQ(item_id.size(), 36u);
  EXPECT_EQ(d.Str({"item", "player_id"}), id);
  EXPECT_EQ(d.Int({"item", "quantity"}), 1);  // quantity is ignored (rest.md §6 note 5)
  EXPECT_EQ(d.Raw({"item", "metadata"}), "{}");
  EXPECT_EQ(d.Str({"item", "acquired_at"}).value_or("").back(), 'Z');
  EXPECT_EQ(Balance(id, "gold"), "70");
  EXPECT_EQ(Q("SELECT reason || '/' || reference_type || '/' || reference_id || '/' || amount "
              "FROM transactions WHERE reason = 'purchase' AND wallet_id = (SELECT id FROM "
              "wallets WHERE player_id = '" +
              id + "' AND currency = 'gold')"),
            std::string("purchase/store_listing/") + kSword + "/-30");

  EXPECT_TRUE(IsErrorEnvelope(Call("POST", "/api/v1/store/purchase",
                                   std::string(R"({"listing_id":")") + kShield + "\"}", token),
                              402, "economy.insufficient_funds"));
  EXPECT_TRUE(IsErrorEnvelope(Call("POST", "/api/v1/store/purchase",
                                   std::string(R"({"listing_id":")") + kPotion + "\"}", token),
                              400, "economy.listing_inactive"));
  HttpResponse unknown = Call("POST", "/api/v1/store/purchase",
                              R"({"listing_id":"0190b000-0000-7000-8000-00000000a0ff"})", token);
  EXPECT_TRUE(IsErrorEnvelope(unknown, 500, "economy.purchase_failed"));
  EXPECT_EQ(Json(unknown).Str({"error", "details", "reason"}), "listing_not_found");
  EXPECT_TRUE(
      IsErrorEnvelope(Call("POST", "/api/v1/store/purchase", R"({"listing_id":"sword"})", token),
                      500, "economy.purchase_failed"));
  EXPECT_TRUE(
      IsErrorEnvelope(Call("POST", "/api/v1/store/purchase", "{}", token), 400, "missing_field"));
  EXPECT_TRUE(IsErrorEnvelope(Call("POST", "/api/v1/store/purchase", R"({"listing_id":7})", token),
                              400, "invalid_payload"));
  EXPECT_TRUE(IsErrorEnvelope(Call("POST", "/api/v1/store/purchase", "{not json", token), 400,
                              "invalid_json"));
  // Nothing but the one purchase was written.
  EXPECT_EQ(Balance(id, "gold"), "70");
  EXPECT_EQ(LedgerSum(id, "gold"), "70");
  EXPECT_EQ(Q("SELECT count(*) FROM player_items WHERE player_id = '" + id + "'"), "1");

  JsonDoc inv = Json(Call("GET", "/api/v1/inventory", "", token));
  ASSERT_EQ(inv.At({"items"})->get_array().size(), 1u) << inv.text();
  EXPECT_EQ(inv.Str({"items", "0", "id"}), item_id);
  EXPECT_EQ(inv.Str({"items", "0", "item_def_id"}), "0190b000-0000-7000-8000-00000000d001");
}

TEST_F(EconomyTest, InventoryNewestFirstWithLimit) {
  auto [id, token] = Register("econ_inv");
  Fund(id, "gold", 1000);
  std::vector<std::string> bought;
  for (int i = 0; i < 3; ++i) {
    JsonDoc d = Json(Call("POST", "/api/v1/store/purchase",
                          std::string(R"({"listing_id":")") + kSword + "\"}", token));
    bought.push_back(d.Str({"item", "id"}).value_or(""));
  }
  JsonDoc inv = Json(Call("GET", "/api/v1/inventory", "", token));
  ASSERT_EQ(inv.At({"items"})->get_array().size(), 3u);
  EXPECT_EQ(inv.Str({"items", "0", "id"}), bought[2]);
  EXPECT_EQ(inv.Str({"items", "2", "id"}), bought[0]);
  JsonDoc one = Json(Call("GET", "/api/v1/inventory?limit=1", "", token));
  ASSERT_EQ(one.At({"items"})->get_array().size(), 1u);
  EXPECT_EQ(one.Str({"items", "0", "id"}), bought[2]);
  // limit is clamped (1-200), a bad value falls back to the default (rest.md §1.1).
  EXPECT_EQ(
      Json(Call("GET", "/api/v1/inventory?limit=0", "", token)).At({"items"})->get_array().size(),
      1u);
  EXPECT_EQ(
      Json(Call("GET", "/api/v1/inventory?limit=x", "", token)).At({"items"})->get_array().size(),
      3u);
  auto [other_id, other_token] = Register("econ_inv_other");
  EXPECT_EQ(Json(Call("GET", "/api/v1/inventory", "", other_token)).text(), R"({"items":[]})");
}

TEST_F(EconomyTest, ConsumeAndEveryErrorRow) {
  auto [id, token] = Register("econ_consume");
  auto [other_id, other_token] = Register("econ_consume_other");
  Fund(id, "gold", 100);
  JsonDoc bought = Json(Call("POST", "/api/v1/store/purchase",
                             std::string(R"({"listing_id":")") + kSword + "\"}", token));
  const std::string item = bought.Str({"item", "id"}).value_or("");
  Q("UPDATE player_items SET quantity = 5 WHERE id = '" + item + "'");
  auto consume = [&](const std::string& quantity_json, const std::string& who) {
    return Call("POST", "/api/v1/inventory/consume",
                R"({"item_id":")" + item + R"(","quantity":)" + quantity_json + "}", who);
  };
  for (const char* bad :
       {"0", "-1", "1.5", "2.0", "\"1\"", "1000001", "9007199254740993", "1e3", "null", "true"}) {
    EXPECT_TRUE(IsErrorEnvelope(consume(bad, token), 400, "inventory.invalid_quantity")) << bad;
  }
  EXPECT_TRUE(IsErrorEnvelope(
      Call("POST", "/api/v1/inventory/consume", R"({"item_id":")" + item + "\"}", token), 400,
      "inventory.invalid_quantity"));
  EXPECT_TRUE(IsErrorEnvelope(Call("POST", "/api/v1/inventory/consume", R"({"quantity":1})", token),
                              400, "missing_field"));
  EXPECT_TRUE(IsErrorEnvelope(consume("1", other_token), 403, "forbidden"));
  EXPECT_TRUE(IsErrorEnvelope(consume("6", token), 400, "inventory.insufficient_quantity"));
  HttpResponse two = consume("2", token);
  ASSERT_EQ(two.status, 200) << two.body;
  EXPECT_EQ(two.body, R"({"success":true,"remaining_quantity":3})");
  HttpResponse rest = consume("3", token);
  ASSERT_EQ(rest.status, 200) << rest.body;
  EXPECT_EQ(rest.body, R"({"success":true,"remaining_quantity":0})");
  EXPECT_EQ(Q("SELECT count(*) FROM player_items WHERE id = '" + item + "'"), "0");
  EXPECT_TRUE(IsErrorEnvelope(consume("1", token), 404, "inventory.item_not_found"));
  EXPECT_TRUE(IsErrorEnvelope(
      Call("POST", "/api/v1/inventory/consume", R"({"item_id":"nope","quantity":1})", token), 404,
      "inventory.item_not_found"));
  EXPECT_TRUE(
      IsErrorEnvelope(Call("POST", "/api/v1/inventory/consume", "{}"), 401, "unauthenticated"));
}

TEST_F(EconomyTest, HistoryOfAnUnknownCurrencyCreatesAnEmptyWallet) {
  auto [id, token] = Register("econ_hist");
  EXPECT_EQ(Json(Call("GET", "/api/v1/wallets", "", token)).text(), R"({"wallets":[]})");
  EXPECT_EQ(Json(Call("GET", "/api/v1/wallets/tickets/history", "", token)).text(),
            R"({"transactions":[]})");
  // rest.md §3.5: the upstream side effect.
  EXPECT_EQ(Json(Call("GET", "/api/v1/wallets", "", token)).text(),
            R"({"wallets":[{"currency":"tickets","balance":0}]})");
  EXPECT_TRUE(IsErrorEnvelope(Call("GET", "/api/v1/wallets"), 401, "unauthenticated"));
}

// Purchases racing for one wallet: 50 at once against a balance that pays for 20.
TEST_F(EconomyTest, RacingPurchasesNeverOverdrawAndKeepTheLedgerExact) {
  auto [id, token] = Register("econ_race");
  Fund(id, "gold", 600);
  // Each committed purchase is one ledger row on /metrics; refused ones are not.
  auto ledger_rows = [&] {
    std::string body = Call("GET", "/metrics").body;
    std::string key = "\nasobi_ledger_transactions_total ";
    size_t at = body.find(key);
    return at == std::string::npos ? -1 : std::strtoll(body.c_str() + at + key.size(), nullptr, 10);
  };
  const int64_t rows_before = ledger_rows();
  ASSERT_GE(rows_before, 0);
  std::atomic<int> ok{0}, short_of_funds{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 10; ++t) {
    threads.emplace_back([&, token = token] {
      for (int i = 0; i < 5; ++i) {
        HttpResponse r = Call("POST", "/api/v1/store/purchase",
                              std::string(R"({"listing_id":")") + kSword + "\"}", token);
        if (r.status == 200) {
          ++ok;
        } else if (r.status == 402) {
          ++short_of_funds;
        } else {
          ++other;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 20);
  EXPECT_EQ(short_of_funds.load(), 30);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(Balance(id, "gold"), "0");
  EXPECT_EQ(LedgerSum(id, "gold"), "0");
  EXPECT_EQ(Q("SELECT count(*) FROM player_items WHERE player_id = '" + id + "'"), "20");
  EXPECT_EQ(ledger_rows() - rows_before, 20);
}

TEST_F(EconomyTest, ErasureRemovesWalletsLedgerAndItemsAndKeepsIapClaims) {
  auto [id, token] = Register("econ_erase");
  Fund(id, "gold", 100);
  ASSERT_EQ(Call("POST", "/api/v1/store/purchase",
                 std::string(R"({"listing_id":")") + kSword + "\"}", token)
                .status,
            200);
  Q("INSERT INTO iap_transactions (id, player_id, provider, transaction_id, inserted_at) VALUES "
    "(gen_random_uuid(), '" +
    id + "', 'apple', 'erase-tx-1', now())");
  HttpResponse erased =
      Call("POST", "/api/v1/players/me/erase", R"({"password":"password123"})", token);
  ASSERT_EQ(erased.status, 200) << erased.body;
  EXPECT_EQ(Q("SELECT count(*) FROM wallets WHERE player_id = '" + id + "'"), "0");
  EXPECT_EQ(Q("SELECT count(*) FROM player_items WHERE player_id = '" + id + "'"), "0");
  EXPECT_EQ(Q("SELECT count(*) FROM transactions t LEFT JOIN wallets w ON t.wallet_id = w.id "
              "WHERE w.id IS NULL"),
            "0");
  EXPECT_EQ(Q("SELECT coalesce(player_id::text, 'null') FROM iap_transactions WHERE "
              "transaction_id = 'erase-tx-1'"),
            "null");
}

}  // namespace
}  // namespace asobi::itest
