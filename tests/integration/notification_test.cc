// Notifications against the real server and PostgreSQL (rest.md §3.10, §1.5; lua.md §9
// Notifications; docs/decisions.md "Notifications"): rows stored by game.notify and
// game.notify_many from a match script, listed, read and deleted over REST, another player's
// notification refused, non-canonical UUIDs, bad script arguments, and the live
// `notification.new` push (websocket.md §8.7) to every socket of the player on any shard.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <utility>

#include "http_call.h"
#include "http_client.h"
#include "itest_checks.h"
#include "itest_clock.h"
#include "itest_suite.h"
#include "json_doc.h"
#include "lua_player.h"
#include "pg_test_db.h"
#include "server_harness.h"
#include "server_suite.h"
#include "ws_client.h"

namespace asobi::itest {
namespace {

constexpr int kWaitMs = 10000;  // bounds a misbehaving server only

// A solo mode that runs one game.notify* call per input and sends the result back to the
// player as {cid, result} (game.send -> module.message).
const std::string kNotifyScript = SoloLuaMode(R"(local function run(p, i)
  if i.op == "notify" then return game.notify(i.to or p, i.type, i.subject, i.data) end
  if i.op == "notify_nodata" then return game.notify(i.to or p, i.type, i.subject) end
  if i.op == "many" then return game.notify_many(i.to, i.type, i.subject, i.data) end
  if i.op == "many_mixed" then
    return game.notify_many({ i.to[1], 42, i.to[2], i.to[1], "nobody" }, "t", "s")
  end
  if i.op == "bad_args" then return game.notify(p, 1, "s") end
  if i.op == "bad_data" then return game.notify(p, "t", "s", "x") end
  if i.op == "big_data" then return game.notify(p, "t", "s", { blob = string.rep("x", 17000) }) end
  if i.op == "long_type" then return game.notify(p, string.rep("t", 256), "s") end
  if i.op == "empty_subject" then return game.notify(p, "t", "") end
  return { error = "unknown op" }
end
)");

class NotificationTest : public ServerSuite<NotificationTest> {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    ASSERT_TRUE(db_->ok()) << db_->error();
    dir_ = new std::string(MakeGameDir(
        "/tmp/asobi_notification_itest_XXXXXX",
        {{"notes.lua", kNotifyScript}, {"config.lua", R"(return { notes = "notes.lua" })"}}));
    server_ = new ServerProcess();
    ServerOptions o;
    o.flags = db_->ServerFlags();
    o.flags.insert(o.flags.end(), {"--game-dir", *dir_, "--rate-limits",
                                   "register=1000/1000,auth=1000/1000,api=100000/1000",
                                   "--ws-rate-limit", "1000"});
    ASSERT_TRUE(StartReady(server_, o));
  }

  static size_t Count(const JsonDoc& d) {
    auto v = d.At({"notifications"});
    if (!v || !v->is_array()) return 9999;
    return v->get_array().size();
  }
  static std::string Upper(std::string s) {
    for (char& c : s) c = char(toupper(static_cast<unsigned char>(c)));
    return s;
  }
};

constexpr char kNoSuchUuid[] = "0190b000-0000-7000-8000-0000000000ff";

TEST_F(NotificationTest, NotifyStoresAndRestListsReadsDeletes) {
  auto [me, tme] = Register("note_a");
  auto [other, tother] = Register("note_b");
  LuaPlayer p("notes");
  ASSERT_TRUE(p.Join(server_->port(), tme));

  JsonDoc first = p.RunDoc(R"("op":"notify","to":")" + other +
                           R"(","type":"gift","subject":"A gift","data":{"coins":5})");
  ASSERT_TRUE(first.Has({"ok"})) << first.text();
  EXPECT_EQ(first.Str({"ok", "player_id"}), other);
  EXPECT_EQ(first.Str({"ok", "type"}), "gift");
  EXPECT_EQ(first.Str({"ok", "subject"}), "A gift");
  EXPECT_EQ(first.Raw({"ok", "content"}), R"({"coins":5})");
  EXPECT_EQ(first.Raw({"ok", "read"}), "false");
  const std::string first_id = first.Str({"ok", "id"}).value_or("");
  EXPECT_EQ(first_id.size(), 36u);
  JsonDoc second =
      p.RunDoc(R"("op":"notify_nodata","to":")" + other + R"(","type":"system","subject":"Hello")");
  ASSERT_TRUE(second.Has({"ok"})) << second.text();
  const std::string second_id = second.Str({"ok", "id"}).value_or("");
  EXPECT_EQ(second.Raw({"ok", "content"}), "{}");

  // Listed newest first, with the stored record's fields (websocket.md §8.7).
  JsonDoc list = Json(Call("GET", "/api/v1/notifications", "", tother));
  ASSERT_EQ(Count(list), 2u) << list.text();
  EXPECT_EQ(list.Str({"notifications", "0", "id"}), second_id);
  EXPECT_EQ(list.Raw({"notifications", "0", "content"}), "{}");
  EXPECT_EQ(list.Str({"notifications", "1", "id"}), first_id);
  EXPECT_EQ(list.Str({"notifications", "1", "sent_at"}).value_or("").size(), 24u);
  EXPECT_EQ(Json(Call("GET", "/api/v1/notifications", "", tme)).text(), R"({"notifications":[]})");
  EXPECT_EQ(Count(Json(Call("GET", "/api/v1/notifications?limit=1", "", tother))), 1u);
  EXPECT_EQ(Count(Json(Call("GET", "/api/v1/notifications?limit=0", "", tother))), 1u);

  // Read: the owner only.
  EXPECT_TRUE(IsErrorEnvelope(Call("PUT", "/api/v1/notifications/" + first_id + "/read", "", tme),
                              403, "forbidden"));
  HttpResponse read = Call("PUT", "/api/v1/notifications/" + first_id + "/read", "", tother);
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(Json(read).Raw({"read"}), "true");
  EXPECT_EQ(Json(read).Str({"id"}), first_id);
  EXPECT_EQ(Count(Json(Call("GET", "/api/v1/notifications?read=true", "", tother))), 1u);
  EXPECT_EQ(Json(Call("GET", "/api/v1/notifications?read=false", "", tother))
                .Str({"notifications", "0", "id"}),
            second_id);
  EXPECT_EQ(Count(Json(Call("GET", "/api/v1/notifications?read=maybe", "", tother))), 2u);

  // Delete: the owner only; then gone.
  EXPECT_TRUE(IsErrorEnvelope(Call("DELETE", "/api/v1/notifications/" + first_id, "", tme), 403,
                              "forbidden"));
  EXPECT_EQ(Call("DELETE", "/api/v1/notifications/" + first_id, "", tother).body,
            R"({"success":true})");
  EXPECT_TRUE(IsErrorEnvelope(Call("DELETE", "/api/v1/notifications/" + first_id, "", tother), 404,
                              "notification.not_found"));
  EXPECT_TRUE(
      IsErrorEnvelope(Call("PUT", "/api/v1/notifications/" + first_id + "/read", "", tother), 404,
                      "notification.not_found"));
  EXPECT_EQ(Count(Json(Call("GET", "/api/v1/notifications", "", tother))), 1u);
}

TEST_F(NotificationTest, ErrorRowsAndNonCanonicalIds) {
  auto [me, tme] = Register("note_err");
  LuaPlayer p("notes");
  ASSERT_TRUE(p.Join(server_->port(), tme));
  JsonDoc mine = p.RunDoc(R"("op":"notify","type":"t","subject":"s")");
  const std::string id = mine.Str({"ok", "id"}).value_or("");
  ASSERT_EQ(id.size(), 36u) << mine.text();
  EXPECT_TRUE(IsErrorEnvelope(Call("GET", "/api/v1/notifications"), 401, "unauthenticated"));
  EXPECT_TRUE(IsErrorEnvelope(Call("PUT", "/api/v1/notifications/" + id + "/read"), 401,
                              "unauthenticated"));
  for (const std::string& bad : {Upper(id), std::string("nope"), std::string(kNoSuchUuid)}) {
    EXPECT_TRUE(IsErrorEnvelope(Call("PUT", "/api/v1/notifications/" + bad + "/read", "", tme), 404,
                                "notification.not_found"))
        << bad;
    EXPECT_TRUE(IsErrorEnvelope(Call("DELETE", "/api/v1/notifications/" + bad, "", tme), 404,
                                "notification.not_found"))
        << bad;
  }
  // Still unread and present.
  EXPECT_EQ(Json(Call("GET", "/api/v1/notifications", "", tme)).Raw({"notifications", "0", "read"}),
            "false");
}

TEST_F(NotificationTest, NotifyManyReachesExistingPlayersOnce) {
  auto [me, tme] = Register("note_many");
  auto [a, ta] = Register("note_many_a");
  auto [b, tb] = Register("note_many_b");
  LuaPlayer p("notes");
  ASSERT_TRUE(p.Join(server_->port(), tme));
  const int64_t stored_before =
      MetricValue(Call("GET", "/metrics").body, "asobi_notifications_total");
  ASSERT_GE(stored_before, 0);
  JsonDoc r = p.RunDoc(R"("op":"many_mixed","to":[")" + a + R"(",")" + b + "\"]");
  ASSERT_TRUE(r.Has({"ok"})) << r.text();
  EXPECT_EQ(r.At({"ok"})->get_array().size(), 2u) << r.text();
  // Both rows are counted on /metrics once stored (issue 15 item 3).
  EXPECT_EQ(MetricValue(Call("GET", "/metrics").body, "asobi_notifications_total"),
            stored_before + 2);
  EXPECT_EQ(Count(Json(Call("GET", "/api/v1/notifications", "", ta))), 1u);
  EXPECT_EQ(Count(Json(Call("GET", "/api/v1/notifications", "", tb))), 1u);
  JsonDoc none = p.RunDoc(R"("op":"many","to":[],"type":"t","subject":"s")");
  EXPECT_EQ(none.Raw({"ok"}), "[]") << none.text();
  JsonDoc unknown = p.RunDoc(std::string(R"("op":"notify","to":")") + kNoSuchUuid +
                             R"(","type":"t","subject":"s")");
  EXPECT_EQ(unknown.Str({"error"}), "player_not_found") << unknown.text();
}

TEST_F(NotificationTest, BadScriptArgumentsAreRefusedWithoutRaising) {
  auto [me, tme] = Register("note_bad");
  LuaPlayer p("notes");
  ASSERT_TRUE(p.Join(server_->port(), tme));
  EXPECT_EQ(p.RunDoc(R"("op":"bad_args")").Str({"error"}),
            "game.notify requires (player_id, type, subject[, data])");
  EXPECT_EQ(p.RunDoc(R"("op":"bad_data")").Str({"error"}),
            "game.notify requires (player_id, type, subject[, data])");
  EXPECT_EQ(p.RunDoc(R"("op":"big_data")").Str({"error"}), "data_too_large");
  EXPECT_EQ(p.RunDoc(R"("op":"long_type")").Str({"error"}), "invalid_type");
  EXPECT_EQ(p.RunDoc(R"("op":"empty_subject")").Str({"error"}), "invalid_subject");
  EXPECT_EQ(Json(Call("GET", "/api/v1/notifications", "", tme)).text(), R"({"notifications":[]})");
}

// A bare authenticated socket of one player, collecting `notification.new` pushes.
class Listener {
 public:
  ::testing::AssertionResult Connect(uint16_t port, const std::string& token) {
    if (auto r = ws_.Open(port); !r) return r;
    EXPECT_TRUE(ws_.SendText(R"({"type":"session.connect","cid":"c","payload":{"token":")" + token +
                             "\"}}"));
    JsonDoc d;
    if (!ws_.RecvJson(&d, kWaitMs) || d.Str({"type"}).value_or("") != "session.connected") {
      return ::testing::AssertionFailure() << "session.connect: " << d.text();
    }
    return ::testing::AssertionSuccess();
  }
  // The next `notification.new` payload whose subject is `subject` (other frames skipped);
  // a null document after the wait bound.
  JsonDoc Next(const std::string& subject) {
    int64_t deadline = NowMs() + kWaitMs;
    while (NowMs() < deadline) {
      JsonDoc d;
      if (!ws_.RecvJson(&d, int(deadline - NowMs()))) break;
      if (d.Str({"type"}).value_or("") != "notification.new") continue;
      if (d.Str({"payload", "subject"}).value_or("") != subject) continue;
      JsonDoc payload;
      EXPECT_TRUE(payload.Parse(d.Raw({"payload"}).value_or("null")));
      return payload;
    }
    ADD_FAILURE() << "no notification.new with subject " << subject;
    return JsonDoc();
  }

 private:
  WsClient ws_;
};

TEST_F(NotificationTest, NotifyPushesNotificationNewToEverySocketOfThePlayer) {
  auto [me, tme] = Register("note_push");
  auto [other, tother] = Register("note_push_b");
  // Four sockets of the recipient: the kernel spreads connections over the two shards'
  // SO_REUSEPORT listeners, so (all but always) some are on another shard than the match
  // that calls game.notify; every one must get the push.
  Listener l1, l2, l3, l4;
  for (Listener* l : {&l1, &l2, &l3, &l4}) ASSERT_TRUE(l->Connect(server_->port(), tother));
  LuaPlayer p("notes");
  ASSERT_TRUE(p.Join(server_->port(), tme));

  JsonDoc stored = p.RunDoc(R"("op":"notify","to":")" + other +
                            R"(","type":"gift","subject":"Pushed","data":{"coins":7})");
  ASSERT_TRUE(stored.Has({"ok"})) << stored.text();
  const std::string id = stored.Str({"ok", "id"}).value_or("");
  for (Listener* l : {&l1, &l2, &l3, &l4}) {
    JsonDoc n = l->Next("Pushed");
    EXPECT_EQ(n.Str({"id"}), id) << n.text();
    EXPECT_EQ(n.Str({"player_id"}), other);
    EXPECT_EQ(n.Str({"type"}), "gift");
    EXPECT_EQ(n.Raw({"content"}), R"({"coins":7})");
    EXPECT_EQ(n.Raw({"read"}), "false");
    EXPECT_EQ(n.Str({"sent_at"}), stored.Str({"ok", "sent_at"}));
  }
  // The push carries the stored record: the same object REST lists.
  JsonDoc list = Json(Call("GET", "/api/v1/notifications", "", tother));
  EXPECT_EQ(list.Str({"notifications", "0", "id"}), id) << list.text();
}

TEST_F(NotificationTest, NotifyManyPushesToEachOnlineRecipient) {
  auto [me, tme] = Register("note_push_many");
  auto [a, ta] = Register("note_push_many_a");
  auto [b, tb] = Register("note_push_many_b");
  auto [offline, toffline] = Register("note_push_many_off");
  Listener la, lb;
  ASSERT_TRUE(la.Connect(server_->port(), ta));
  ASSERT_TRUE(lb.Connect(server_->port(), tb));
  LuaPlayer p("notes");
  ASSERT_TRUE(p.Join(server_->port(), tme));
  JsonDoc r = p.RunDoc(R"("op":"many","to":[")" + a + R"(",")" + b + R"(",")" + offline +
                       R"("],"type":"news","subject":"Many","data":{"n":1})");
  ASSERT_TRUE(r.Has({"ok"})) << r.text();
  EXPECT_EQ(la.Next("Many").Str({"player_id"}), a);
  EXPECT_EQ(lb.Next("Many").Str({"player_id"}), b);
  // The offline player gets no push but the stored row.
  EXPECT_EQ(Count(Json(Call("GET", "/api/v1/notifications", "", toffline))), 1u);
  // A socket connected afterwards gets the next one.
  Listener late;
  ASSERT_TRUE(late.Connect(server_->port(), toffline));
  JsonDoc again =
      p.RunDoc(R"("op":"notify","to":")" + offline + R"(","type":"t","subject":"Late")");
  ASSERT_TRUE(again.Has({"ok"})) << again.text();
  EXPECT_EQ(late.Next("Late").Str({"id"}), again.Str({"ok", "id"}));
}

}  // namespace
}  // namespace asobi::itest
