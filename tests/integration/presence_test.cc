// Presence against the real server and PostgreSQL (websocket.md §8.6; issue 11 item 4;
// docs/decisions.md "Presence"): presence.update and its error rows, the `online` and
// `presence_status` fields GET /friends adds, and `presence.changed` pushes to online
// accepted friends when a friend connects, changes status or disconnects.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <utility>

#include "http_call.h"
#include "http_client.h"
#include "itest_checks.h"
#include "itest_clock.h"
#include "itest_suite.h"
#include "json_doc.h"
#include "pg_test_db.h"
#include "server_harness.h"
#include "server_suite.h"
#include "ws_client.h"

namespace asobi::itest {
namespace {

constexpr int kWaitMs = 5000;  // bounds a misbehaving server only

// One WebSocket of a player; keeps the pushes it skipped while waiting for a reply.
class Socket {
 public:
  ::testing::AssertionResult Connect(uint16_t port, const std::string& token) {
    if (auto r = ws_.Open(port); !r) return r;
    JsonDoc reply = Call("session.connect", R"({"token":")" + token + R"("})");
    if (reply.Str({"type"}).value_or("") != "session.connected") {
      return ::testing::AssertionFailure() << "session.connect: " << reply.text();
    }
    return ::testing::AssertionSuccess();
  }
  // Sends `type` with a fresh cid and `payload_json` (no payload member when !with_payload);
  // returns the reply.
  JsonDoc Call(const std::string& type, const std::string& payload_json, bool with_payload = true) {
    std::string cid = std::to_string(++cid_);
    std::string frame = R"({"type":")" + type + R"(","cid":")" + cid + "\"";
    if (with_payload) frame += R"(,"payload":)" + payload_json;
    frame += "}";
    EXPECT_TRUE(ws_.SendText(frame));
    int64_t deadline = NowMs() + kWaitMs;
    while (NowMs() < deadline) {
      JsonDoc d;
      if (!ws_.RecvJson(&d, int(deadline - NowMs()))) break;
      if (d.Str({"cid"}).value_or("") == cid) return d;
      backlog_.push_back(std::move(d));
    }
    ADD_FAILURE() << "no reply to " << type;
    return JsonDoc();
  }
  // The next presence.changed about `player_id`; a null document after the wait bound.
  JsonDoc NextChange(const std::string& player_id) {
    while (!backlog_.empty()) {
      JsonDoc d = std::move(backlog_.front());
      backlog_.pop_front();
      if (IsChangeOf(d, player_id)) return d;
    }
    int64_t deadline = NowMs() + kWaitMs;
    while (NowMs() < deadline) {
      JsonDoc d;
      if (!ws_.RecvJson(&d, int(deadline - NowMs()))) break;
      if (IsChangeOf(d, player_id)) return d;
    }
    ADD_FAILURE() << "no presence.changed about " << player_id;
    return JsonDoc();
  }
  // Whether a presence.changed about `player_id` was received (and kept) so far.
  bool SawChange(const std::string& player_id) const {
    for (const JsonDoc& d : backlog_) {
      if (IsChangeOf(d, player_id)) return true;
    }
    return false;
  }
  void Close() { ws_.SendClose(1000); }

 private:
  static bool IsChangeOf(const JsonDoc& d, const std::string& player_id) {
    return d.Str({"type"}).value_or("") == "presence.changed" &&
           d.Str({"payload", "player_id"}).value_or("") == player_id;
  }
  WsClient ws_;
  std::deque<JsonDoc> backlog_;
  int cid_ = 0;
};

class PresenceTest : public ServerSuite<PresenceTest> {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    ASSERT_TRUE(db_->ok()) << db_->error();
    server_ = new ServerProcess();
    ServerOptions o;
    o.flags = db_->ServerFlags();
    o.flags.insert(o.flags.end(),
                   {"--rate-limits", "register=1000/1000,auth=1000/1000,api=100000/1000",
                    "--db-timeout-ms", "1000"});
    ASSERT_TRUE(StartReady(server_, o));
  }

  // `from` asks `to`, `to` answers with `status`.
  static void Befriend(const std::string& from, const std::string& tfrom, const std::string& to,
                       const std::string& tto, const std::string& status) {
    ASSERT_EQ(Call("POST", "/api/v1/friends", R"({"friend_id":")" + to + "\"}", tfrom).status, 200);
    if (status == "pending") return;
    ASSERT_EQ(Call("PUT", "/api/v1/friends/" + from, R"({"status":")" + status + "\"}", tto).status,
              200);
  }
  // GET /friends of `token` until its row `index` shows `online` (bounded wait: socket
  // registration reaches the owner shard asynchronously); returns the last listing.
  static JsonDoc FriendsUntil(const std::string& token, const char* index, bool online) {
    JsonDoc d;
    int64_t deadline = NowMs() + kWaitMs;
    do {
      d = Json(Call("GET", "/api/v1/friends", "", token));
      if (d.Raw({"friends", index, "online"}) == (online ? "true" : "false")) return d;
      usleep(20 * 1000);
    } while (NowMs() < deadline);
    ADD_FAILURE() << "online never became " << online << ": " << d.text();
    return d;
  }
};

TEST_F(PresenceTest, UpdateEchoesTheStatusAndRefusesBadInput) {
  auto [a, ta] = Register("pres_upd");
  Socket anon;
  ASSERT_TRUE(anon.Connect(server_->port(), ta));
  JsonDoc dflt = anon.Call("presence.update", "{}");
  EXPECT_EQ(dflt.Str({"type"}), "presence.updated") << dflt.text();
  EXPECT_EQ(dflt.Raw({"payload"}), R"({"status":"online"})");
  EXPECT_EQ(anon.Call("presence.update", R"({"status":"away"})").Raw({"payload"}),
            R"({"status":"away"})");
  EXPECT_EQ(anon.Call("presence.update", R"({"status":{"game":"chess","lvl":3}})").Raw({"payload"}),
            R"({"status":{"game":"chess","lvl":3}})");
  EXPECT_EQ(anon.Call("presence.update", R"({"status":null})").Raw({"payload"}),
            R"({"status":null})");
  // Error rows (§8.6; the 256-byte status bound is ours).
  JsonDoc not_object = anon.Call("presence.update", "[1]");
  EXPECT_EQ(not_object.Str({"type"}), "error");
  EXPECT_EQ(not_object.Str({"payload", "reason"}), "invalid_payload") << not_object.text();
  JsonDoc missing = anon.Call("presence.update", "", false);
  EXPECT_EQ(missing.Str({"payload", "reason"}), "missing_field") << missing.text();
  std::string at_bound = "\"" + std::string(254, 's') + "\"";  // 256 bytes of JSON
  EXPECT_EQ(anon.Call("presence.update", R"({"status":)" + at_bound + "}").Str({"type"}),
            "presence.updated");
  JsonDoc too_long = anon.Call("presence.update", R"({"status":")" + std::string(255, 's') + "\"}");
  EXPECT_EQ(too_long.Str({"payload", "reason"}), "invalid_payload") << too_long.text();

  WsClient raw;
  ASSERT_TRUE(raw.Open(server_->port()));
  ASSERT_TRUE(raw.SendText(R"({"type":"presence.update","cid":"u","payload":{}})"));
  JsonDoc err;
  ASSERT_TRUE(raw.RecvJson(&err, kWaitMs));
  EXPECT_EQ(err.Str({"payload", "reason"}), "unauthenticated") << err.text();
}

TEST_F(PresenceTest, FriendsListCarriesOnlineAndPresenceStatus) {
  auto [a, ta] = Register("pres_list_a");
  auto [b, tb] = Register("pres_list_b");
  auto [c, tc] = Register("pres_list_c");
  Befriend(a, ta, b, tb, "accepted");  // row 0: a -> b accepted
  Befriend(a, ta, c, tc, "pending");   // row 1: a -> c pending
  JsonDoc offline = Json(Call("GET", "/api/v1/friends", "", ta));
  EXPECT_EQ(offline.Str({"friends", "0", "friend_id"}), b) << offline.text();
  EXPECT_EQ(offline.Str({"friends", "0", "status"}), "accepted");
  EXPECT_EQ(offline.Raw({"friends", "0", "online"}), "false");
  EXPECT_EQ(offline.Raw({"friends", "0", "presence_status"}), "null");

  auto sb = std::make_unique<Socket>();
  ASSERT_TRUE(sb->Connect(server_->port(), tb));
  Socket sc;
  ASSERT_TRUE(sc.Connect(server_->port(), tc));
  JsonDoc on = FriendsUntil(ta, "0", true);
  EXPECT_EQ(on.Raw({"friends", "0", "presence_status"}), R"("online")");
  EXPECT_EQ(on.Str({"friends", "0", "status"}), "accepted");
  // Presence is shared with accepted friends only: the pending row shows offline.
  EXPECT_EQ(on.Raw({"friends", "1", "online"}), "false") << on.text();
  EXPECT_EQ(on.Raw({"friends", "1", "presence_status"}), "null");

  // presence.updated is answered once the owner stored the status.
  ASSERT_EQ(sb->Call("presence.update", R"({"status":"in a match"})").Str({"type"}),
            "presence.updated");
  EXPECT_EQ(Json(Call("GET", "/api/v1/friends", "", ta)).Raw({"friends", "0", "presence_status"}),
            R"("in a match")");
  // The filtered list carries the fields too.
  EXPECT_EQ(
      Json(Call("GET", "/api/v1/friends?status=accepted", "", ta)).Raw({"friends", "0", "online"}),
      "true");

  sb->Close();
  JsonDoc gone = FriendsUntil(ta, "0", false);
  EXPECT_EQ(gone.Raw({"friends", "0", "presence_status"}), "null");
  // Reconnecting starts from "online" again.
  Socket sb2;
  ASSERT_TRUE(sb2.Connect(server_->port(), tb));
  EXPECT_EQ(FriendsUntil(ta, "0", true).Raw({"friends", "0", "presence_status"}), R"("online")");
}

TEST_F(PresenceTest, AcceptedFriendsGetPresenceChangedPushes) {
  auto [a, ta] = Register("pres_push_a");  // accepted friend of b (a asked)
  auto [b, tb] = Register("pres_push_b");  // the one whose presence changes
  auto [c, tc] = Register("pres_push_c");  // accepted friend of b (b asked)
  auto [d, td] = Register("pres_push_d");  // asked b, still pending
  auto [e, te] = Register("pres_push_e");  // blocked by b
  Befriend(a, ta, b, tb, "accepted");
  Befriend(b, tb, c, tc, "accepted");
  Befriend(d, td, b, tb, "pending");
  Befriend(e, te, b, tb, "blocked");
  Socket sa, sc, sd, se;
  ASSERT_TRUE(sa.Connect(server_->port(), ta));
  ASSERT_TRUE(sc.Connect(server_->port(), tc));
  ASSERT_TRUE(sd.Connect(server_->port(), td));
  ASSERT_TRUE(se.Connect(server_->port(), te));

  // b connects: both accepted friends (either direction of the row) are told.
  auto sb = std::make_unique<Socket>();
  ASSERT_TRUE(sb->Connect(server_->port(), tb));
  for (Socket* s : {&sa, &sc}) {
    JsonDoc on = s->NextChange(b);
    EXPECT_EQ(on.Raw({"payload"}),
              R"({"player_id":")" + b + R"(","online":true,"status":"online"})");
  }
  // A status change.
  ASSERT_EQ(sb->Call("presence.update", R"({"status":"away"})").Str({"type"}), "presence.updated");
  for (Socket* s : {&sa, &sc}) {
    EXPECT_EQ(s->NextChange(b).Raw({"payload"}),
              R"({"player_id":")" + b + R"(","online":true,"status":"away"})");
  }
  // A second socket of b changes nothing; the same status again pushes nothing; closing one
  // of two sockets keeps b online; closing the last one is the offline change.
  Socket sb2;
  ASSERT_TRUE(sb2.Connect(server_->port(), tb));
  ASSERT_EQ(sb2.Call("presence.update", R"({"status":"away"})").Str({"type"}), "presence.updated");
  sb->Close();
  sb.reset();
  ASSERT_EQ(sb2.Call("presence.update", R"({"status":"back"})").Str({"type"}), "presence.updated");
  for (Socket* s : {&sa, &sc}) {
    EXPECT_EQ(s->NextChange(b).Raw({"payload"}),
              R"({"player_id":")" + b + R"(","online":true,"status":"back"})");
  }
  sb2.Close();
  for (Socket* s : {&sa, &sc}) {
    EXPECT_EQ(s->NextChange(b).Raw({"payload"}),
              R"({"player_id":")" + b + R"(","online":false,"status":null})");
  }
  // Pending and blocked rows are not friendships: nothing reached d or e (checked after a
  // round trip on each socket; the same pushes reached a and c above).
  for (Socket* s : {&sd, &se}) {
    ASSERT_EQ(s->Call("presence.update", "{}").Str({"type"}), "presence.updated");
    EXPECT_FALSE(s->SawChange(b));
  }

  // Once b blocks a, a is no longer told (c still is).
  ASSERT_EQ(Call("PUT", "/api/v1/friends/" + a, R"({"status":"blocked"})", tb).status, 200);
  Socket sb3;
  ASSERT_TRUE(sb3.Connect(server_->port(), tb));
  EXPECT_EQ(sc.NextChange(b).Raw({"payload", "online"}), "true");
  ASSERT_EQ(sa.Call("presence.update", "{}").Str({"type"}), "presence.updated");
  EXPECT_FALSE(sa.SawChange(b));
}

// The value of metric `name` in a /metrics text; -1 when absent.
int64_t Metric(const std::string& text, const std::string& name) {
  size_t pos = 0;
  while ((pos = text.find(name + " ", pos)) != std::string::npos) {
    if (pos == 0 || text[pos - 1] == '\n') return std::stoll(text.substr(pos + name.size() + 1));
    pos += name.size();
  }
  return -1;
}

TEST_F(PresenceTest, MetricsCountOnlinePlayersAndFriendQueries) {
  auto [a, ta] = Register("pres_metrics_a");
  auto [b, tb] = Register("pres_metrics_b");
  Befriend(a, ta, b, tb, "accepted");
  {
    Socket sa, sb;
    ASSERT_TRUE(sa.Connect(server_->port(), ta));
    ASSERT_TRUE(sb.Connect(server_->port(), tb));
    EXPECT_EQ(sa.NextChange(b).Raw({"payload", "online"}), "true");
    std::string m = Call("GET", "/metrics").body;
    EXPECT_GE(Metric(m, "asobi_presence_online"), 2) << m;
    EXPECT_GE(Metric(m, "asobi_presence_changes_total"), 2);
    EXPECT_GE(Metric(m, "asobi_presence_queries_total"), 1);
    EXPECT_LE(Metric(m, "asobi_presence_queries_total"), Metric(m, "asobi_presence_changes_total"));
    EXPECT_EQ(Metric(m, "asobi_presence_pushes_dropped_total"), 0);
    EXPECT_GE(Metric(m, "asobi_presence_waiting"), 0);
    sa.Close();
    sb.Close();
  }
  // Every socket of this suite is closed now: nobody is online. A scrape reads the directory
  // gauge before the presence one, so it can see a close half done (entries 1, online 0):
  // wait for both.
  std::string m;
  int64_t deadline = NowMs() + kWaitMs;
  do {
    m = Call("GET", "/metrics").body;
    if (Metric(m, "asobi_presence_online") == 0 && Metric(m, "asobi_directory_entries") == 0) {
      break;
    }
    usleep(20 * 1000);
  } while (NowMs() < deadline);
  EXPECT_EQ(Metric(m, "asobi_presence_online"), 0) << m;
  EXPECT_EQ(Metric(m, "asobi_directory_entries"), 0);
}

TEST_F(PresenceTest, StalledFriendsQueryDropsPushesButNotPresence) {
  auto [a, ta] = Register("pres_stall_a");
  auto [b, tb] = Register("pres_stall_b");
  Befriend(a, ta, b, tb, "accepted");
  Socket sa;
  ASSERT_TRUE(sa.Connect(server_->port(), ta));
  // a is online (the only player online: earlier tests closed their sockets) and no change is
  // waiting for a friends query any more (a's own online change among them), so the lock
  // below holds up b's changes only.
  auto settled = [] {
    std::string m = Call("GET", "/metrics").body;
    return Metric(m, "asobi_presence_online") == 1 && Metric(m, "asobi_presence_waiting") == 0;
  };
  int64_t settle = NowMs() + kWaitMs;
  while (!settled() && NowMs() < settle) usleep(20 * 1000);
  ASSERT_TRUE(settled()) << Call("GET", "/metrics").body;
  auto dropped = [] {
    return Metric(Call("GET", "/metrics").body, "asobi_presence_pushes_dropped_total");
  };
  const int64_t before = dropped();
  // Another session locks friendships: the friends queries of b's changes cannot finish.
  ASSERT_TRUE(db_->Query("BEGIN"));
  ASSERT_TRUE(db_->Query("LOCK TABLE friendships IN ACCESS EXCLUSIVE MODE"));
  Socket sb;
  ASSERT_TRUE(sb.Connect(server_->port(), tb));
  // presence.update needs no database: answered during the stall.
  EXPECT_EQ(sb.Call("presence.update", R"({"status":"during"})").Raw({"payload"}),
            R"({"status":"during"})");
  // Both changes (online, "during") are dropped once their query passes its deadline.
  int64_t deadline = NowMs() + 4 * kWaitMs;
  while (dropped() < before + 2 && NowMs() < deadline) usleep(50 * 1000);
  EXPECT_EQ(dropped(), before + 2);
  ASSERT_TRUE(db_->Query("ROLLBACK"));
  // The next change is pushed, and it is the first a hears of b: nothing stalled came late.
  ASSERT_EQ(sb.Call("presence.update", R"({"status":"after"})").Str({"type"}), "presence.updated");
  EXPECT_EQ(sa.NextChange(b).Raw({"payload"}),
            R"({"player_id":")" + b + R"(","online":true,"status":"after"})");
}

}  // namespace
}  // namespace asobi::itest
