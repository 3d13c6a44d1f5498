// The ops routes the console needs beyond rest.md §3.14 (docs/decisions.md "Console edit
// routes"; src/game/ops/ops_console_edits.h) against the real server and PostgreSQL: item
// definitions and store listings created and edited as players then see them in the store,
// a chat message removed from the history players read, a notification stored for a player,
// an audit row for every change and none for a refused one, and the refusals: no or a player
// credential (403), bad ids (400), unknown rows (404), bad members (422).
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "http_call.h"
#include "itest_checks.h"
#include "itest_clock.h"
#include "json_doc.h"
#include "pg_test_db.h"
#include "server_harness.h"
#include "server_suite.h"

namespace asobi::itest {
namespace {

constexpr const char* kSecret = "console-edits-test-secret-0123456789";
constexpr int kWaitMs = 5000;  // bounds a misbehaving server only

class ConsoleEditsTest : public ServerSuite<ConsoleEditsTest> {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    ASSERT_TRUE(db_->ok()) << db_->error();
    server_ = new ServerProcess();
    ServerOptions opts;
    opts.flags = db_->ServerFlags();
    opts.flags.insert(opts.flags.end(), {"--ops-secret", kSecret, "--rate-limits",
                                         "register=1000/1000,auth=1000/1000"});
    ASSERT_TRUE(StartReady(server_, opts));
  }
  static HttpResponse Ops(const std::string& method, const std::string& path,
                          const std::string& body = "") {
    return Call(method, "/ops" + path, body, kSecret);
  }
  // The price of listing `id` in the player store (`GET /api/v1/store`), -1 when absent.
  static int64_t StorePrice(const std::string& token, const std::string& id) {
    JsonDoc d = Json(Call("GET", "/api/v1/store", "", token));
    for (int i = 0; i < 1000; ++i) {
      std::optional<std::string> got = d.Str({"listings", std::to_string(i), "id"});
      if (!got) break;
      if (*got == id) return d.Int({"listings", std::to_string(i), "price"}).value_or(-2);
    }
    return -1;
  }
  static std::string AuditCount(const std::string& action) {
    return db_->Query("SELECT count(*) FROM ops_audit_entries WHERE action = '" + action + "'")
        .value_or("?");
  }
};

TEST_F(ConsoleEditsTest, ItemsAndListingsReachThePlayerStore) {
  HttpResponse item =
      Ops("POST", "/economy/items", R"({"slug":"sword_1","name":"Sword","category":"weapon"})");
  ASSERT_EQ(item.status, 200) << item.body;
  JsonDoc d = Json(item);
  std::string item_id = d.Str({"data", "id"}).value_or("");
  EXPECT_EQ(d.Str({"data", "rarity"}).value_or(""), "common");
  EXPECT_EQ(AuditCount("economy.items.create"), "1");

  HttpResponse listing =
      Ops("POST", "/economy/listings",
          R"({"item_def_id":")" + item_id + R"(","currency":"gold","price":25})");
  ASSERT_EQ(listing.status, 200) << listing.body;
  std::string listing_id = Json(listing).Str({"data", "id"}).value_or("");
  auto [player, token] = Register("console_store_player");
  EXPECT_EQ(StorePrice(token, listing_id), 25);

  // Edits change only the members given; the player store follows.
  HttpResponse price = Ops("PUT", "/economy/listings/" + listing_id, R"({"price":40})");
  ASSERT_EQ(price.status, 200) << price.body;
  EXPECT_EQ(Json(price).Str({"data", "currency"}).value_or(""), "gold");
  EXPECT_EQ(StorePrice(token, listing_id), 40);
  ASSERT_EQ(Ops("PUT", "/economy/listings/" + listing_id, R"({"active":false})").status, 200);
  EXPECT_EQ(StorePrice(token, listing_id), -1);
  HttpResponse renamed = Ops("PUT", "/economy/items/" + item_id, R"({"name":"Long sword"})");
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(Json(renamed).Str({"data", "name"}).value_or(""), "Long sword");
  EXPECT_EQ(Json(renamed).Str({"data", "slug"}).value_or(""), "sword_1");
  EXPECT_EQ(AuditCount("economy.listings.update"), "2");
  EXPECT_EQ(AuditCount("economy.items.update"), "1");
}

TEST_F(ConsoleEditsTest, BadEditsAreRefusedWithoutAnAuditRow) {
  ASSERT_EQ(Ops("POST", "/economy/items", R"({"slug":"dup","name":"A","category":"c"})").status,
            200);
  std::string before = AuditCount("economy.items.create");
  HttpResponse dup = Ops("POST", "/economy/items", R"({"slug":"dup","name":"B","category":"c"})");
  EXPECT_TRUE(IsErrorEnvelope(dup, 422, "validation_failed")) << dup.body;
  EXPECT_TRUE(Json(dup).Has({"fields", "slug"})) << dup.body;
  HttpResponse missing = Ops("POST", "/economy/items", R"({"slug":"x"})");
  EXPECT_TRUE(IsErrorEnvelope(missing, 422, "validation_failed"));
  EXPECT_TRUE(Json(missing).Has({"fields", "name"}));
  EXPECT_TRUE(Json(missing).Has({"fields", "category"}));
  std::string long_name(256, 'n');
  EXPECT_TRUE(IsErrorEnvelope(
      Ops("POST", "/economy/items", R"({"slug":"y","name":")" + long_name + R"(","category":"c"})"),
      422, "validation_failed"));
  EXPECT_TRUE(IsErrorEnvelope(
      Ops("POST", "/economy/items", R"({"slug":"y","name":"n","category":"c","metadata":[1]})"),
      422, "validation_failed"));
  EXPECT_EQ(AuditCount("economy.items.create"), before);

  const std::string unknown = "01900000-0000-7000-8000-00000000abcd";
  EXPECT_TRUE(
      IsErrorEnvelope(Ops("POST", "/economy/listings",
                          R"({"item_def_id":")" + unknown + R"(","currency":"gold","price":1})"),
                      422, "validation_failed"));
  EXPECT_TRUE(
      IsErrorEnvelope(Ops("POST", "/economy/listings",
                          R"({"item_def_id":")" + unknown + R"(","currency":"gold","price":-1})"),
                      422, "validation_failed"));
  EXPECT_TRUE(IsErrorEnvelope(
      Ops("POST", "/economy/listings",
          R"({"item_def_id":")" + unknown + R"(","currency":"gold","price":2147483648})"),
      422, "validation_failed"));
  EXPECT_TRUE(IsErrorEnvelope(Ops("PUT", "/economy/items/" + unknown, R"({"name":"n"})"), 404,
                              "ops.not_found"));
  EXPECT_TRUE(IsErrorEnvelope(Ops("PUT", "/economy/listings/" + unknown, R"({"price":1})"), 404,
                              "ops.not_found"));
  EXPECT_TRUE(IsErrorEnvelope(Ops("PUT", "/economy/items/not-a-uuid", R"({"name":"n"})"), 400,
                              "ops.invalid_id"));
  EXPECT_TRUE(
      IsErrorEnvelope(Ops("PUT", "/economy/items/" + unknown, "{}"), 422, "validation_failed"));
  EXPECT_TRUE(IsErrorEnvelope(Ops("POST", "/economy/items", "{nope"), 400, "invalid_json"));
}

TEST_F(ConsoleEditsTest, EveryEditRouteRefusesMissingAndPlayerCredentials) {
  auto [player, token] = Register("console_edit_intruder");
  const std::string id = "01900000-0000-7000-8000-00000000abcd";
  struct Route {
    const char* method;
    std::string path;
  };
  for (const Route& r :
       {Route{"POST", "/economy/items"}, Route{"PUT", "/economy/items/" + id},
        Route{"POST", "/economy/listings"}, Route{"PUT", "/economy/listings/" + id},
        Route{"DELETE", "/chat/messages/" + id}, Route{"POST", "/notifications"}}) {
    for (const std::string& bearer : {std::string(), token, std::string("wrong-secret")}) {
      HttpResponse resp = Call(r.method, "/ops" + r.path, "{}", bearer);
      EXPECT_TRUE(IsErrorEnvelope(resp, 403, "forbidden")) << r.method << " " << r.path;
    }
  }
}

TEST_F(ConsoleEditsTest, RemovedChatMessageLeavesThePlayersHistory) {
  auto [alice, alice_token] = Register("console_chat_alice");
  auto [bob, bob_token] = Register("console_chat_bob");
  ASSERT_EQ(Call("POST", "/api/v1/dm", R"({"recipient_id":")" + bob + R"(","content":"rude"})",
                 alice_token)
                .status,
            200);
  ASSERT_EQ(Call("POST", "/api/v1/dm", R"({"recipient_id":")" + bob + R"(","content":"nice"})",
                 alice_token)
                .status,
            200);
  // History rows are written in batches: wait (bounded) until both are stored.
  std::string id;
  for (int64_t deadline = NowMs() + kWaitMs; NowMs() < deadline; usleep(20 * 1000)) {
    if (db_->Query("SELECT count(*) FROM chat_messages WHERE sender_id = '" + alice + "'")
            .value_or("") == "2") {
      id = db_->Query("SELECT id::text FROM chat_messages WHERE content = 'rude'").value_or("");
      break;
    }
  }
  ASSERT_FALSE(id.empty());
  HttpResponse del = Ops("DELETE", "/chat/messages/" + id);
  ASSERT_EQ(del.status, 200) << del.body;
  EXPECT_EQ(Json(del).Str({"data", "id"}).value_or(""), id);
  HttpResponse history = Call("GET", "/api/v1/dm/" + alice + "/history", "", bob_token);
  ASSERT_EQ(history.status, 200);
  EXPECT_EQ(history.body.find("rude"), std::string::npos) << history.body;
  EXPECT_NE(history.body.find("nice"), std::string::npos) << history.body;
  EXPECT_EQ(AuditCount("chat.messages.delete"), "1");
  // Removing it again finds nothing and writes no audit row.
  EXPECT_TRUE(IsErrorEnvelope(Ops("DELETE", "/chat/messages/" + id), 404, "ops.not_found"));
  EXPECT_TRUE(IsErrorEnvelope(Ops("DELETE", "/chat/messages/xyz"), 400, "ops.invalid_id"));
  EXPECT_EQ(AuditCount("chat.messages.delete"), "1");
}

TEST_F(ConsoleEditsTest, NotificationIsStoredForThePlayer) {
  auto [player, token] = Register("console_notify_player");
  HttpResponse sent = Ops("POST", "/notifications",
                          R"({"player_id":")" + player +
                              R"(","type":"system","subject":"Maintenance","content":{"at":5}})");
  ASSERT_EQ(sent.status, 200) << sent.body;
  HttpResponse list = Call("GET", "/api/v1/notifications", "", token);
  ASSERT_EQ(list.status, 200);
  EXPECT_NE(list.body.find("Maintenance"), std::string::npos) << list.body;
  EXPECT_EQ(AuditCount("notifications.send"), "1");
  const std::string nobody = "01900000-0000-7000-8000-00000000abcd";
  EXPECT_TRUE(
      IsErrorEnvelope(Ops("POST", "/notifications",
                          R"({"player_id":")" + nobody + R"(","type":"system","subject":"x"})"),
                      404, "ops.not_found"));
  HttpResponse bad = Ops("POST", "/notifications", R"({"player_id":"p","content":"text"})");
  EXPECT_TRUE(IsErrorEnvelope(bad, 422, "validation_failed"));
  for (const char* f : {"player_id", "type", "subject", "content"}) {
    EXPECT_TRUE(Json(bad).Has({"fields", f})) << f << " " << bad.body;
  }
  EXPECT_EQ(AuditCount("notifications.send"), "1");
}

}  // namespace
}  // namespace asobi::itest
