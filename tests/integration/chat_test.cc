// Chat channels, DMs and their history against the real server and PostgreSQL (websocket.md
// §8.1-8.5, rest.md §3.4; issue 11 items 2-3): delivery across sockets and shards, the ACL,
// every error row, the bounds (256/257-byte ids, the 33rd join, 2,001-byte content) and the
// history written in batches.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <tuple>

#include "http_call.h"
#include "http_client.h"
#include "itest_checks.h"
#include "itest_clock.h"
#include "json_doc.h"
#include "pg_test_db.h"
#include "server_harness.h"
#include "server_suite.h"
#include "ws_client.h"

namespace asobi::itest {
namespace {

constexpr int kWaitMs = 5000;  // bounds a misbehaving server only

// One player: an account and a WebSocket that keeps pushes it skipped while waiting.
class Player {
 public:
  std::string id, token;

  ::testing::AssertionResult Connect(uint16_t port) {
    ::testing::AssertionResult opened = ws_->Open(port);
    if (!opened) return opened;
    JsonDoc reply = Call("session.connect", R"({"token":")" + token + R"("})");
    if (reply.Str({"type"}).value_or("") != "session.connected") {
      return ::testing::AssertionFailure() << "session.connect: " << reply.text();
    }
    return ::testing::AssertionSuccess();
  }

  // Sends a request with a fresh cid; returns the frame answering it.
  JsonDoc Call(const std::string& type, const std::string& payload_json) {
    std::string cid = std::to_string(++cid_);
    ws_->SendText(R"({"type":")" + type + R"(","cid":")" + cid + R"(","payload":)" + payload_json +
                  "}");
    int64_t deadline = NowMs() + kWaitMs;
    while (NowMs() < deadline) {
      JsonDoc d;
      if (!ws_->RecvJson(&d, int(deadline - NowMs()))) break;
      if (d.Str({"cid"}).value_or("") == cid) return d;
      backlog_.push_back(std::move(d));
    }
    ADD_FAILURE() << "no reply to " << type;
    return JsonDoc();
  }

  // The next push of `type`; frames of other types stay queued for later waits. nullopt
  // after `timeout_ms`.
  std::optional<JsonDoc> WaitFor(const std::string& type, int timeout_ms = kWaitMs) {
    for (auto it = backlog_.begin(); it != backlog_.end(); ++it) {
      if (it->Str({"type"}).value_or("") == type) {
        JsonDoc d = std::move(*it);
        backlog_.erase(it);
        return d;
      }
    }
    int64_t deadline = NowMs() + timeout_ms;
    while (NowMs() < deadline) {
      JsonDoc d;
      if (!ws_->RecvJson(&d, int(deadline - NowMs()))) return std::nullopt;
      if (d.Str({"type"}).value_or("") == type) return d;
      backlog_.push_back(std::move(d));
    }
    return std::nullopt;
  }

  void Send(const std::string& type, const std::string& payload_json) {
    ws_->SendText(R"({"type":")" + type + R"(","payload":)" + payload_json + "}");
  }
  WsClient& ws() { return *ws_; }
  std::string LastCid() const {
    return std::string(1, '"').append(std::to_string(cid_)).append(1, '"');
  }

 private:
  std::unique_ptr<WsClient> ws_ = std::make_unique<WsClient>();
  std::deque<JsonDoc> backlog_;
  int cid_ = 0;
};

std::string Quote(const std::string& s) { return std::string(1, '"').append(s).append(1, '"'); }

class ChatTest : public ServerSuite<ChatTest> {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    ASSERT_TRUE(db_->ok()) << db_->error();
    server_ = new ServerProcess();
    ServerOptions opts;
    opts.flags = db_->ServerFlags();
    opts.flags.insert(opts.flags.end(), {"--rate-limits", "register=1000/1000,auth=1000/1000",
                                         "--ws-connect-limit", "100000"});
    ASSERT_TRUE(StartReady(server_, opts));
  }
  static HttpResponse Http(const std::string& method, const std::string& path,
                           const std::string& body = "", const std::string& bearer = "") {
    return Call(method, path, body, bearer);
  }

  static std::unique_ptr<Player> NewPlayer(bool connect = true) {
    static int n = 0;
    auto p = std::make_unique<Player>();
    std::string name = "chat_player_" + std::to_string(++n);
    std::tie(p->id, p->token) = Register(name);
    if (connect) {
      EXPECT_TRUE(p->Connect(server_->port()));
    }
    return p;
  }

  // A group with `member` in it (the groups REST API is another domain's): its id.
  static std::string NewGroupWith(const std::string& member) {
    std::optional<std::string> id = db_->Query(
        "WITH g AS (INSERT INTO groups (id, name, inserted_at, updated_at) VALUES "
        "(gen_random_uuid(), 'g', now(), now()) RETURNING id), m AS (INSERT INTO group_members "
        "(id, group_id, player_id, role, joined_at) SELECT gen_random_uuid(), id, '" +
        member + "', 'member', now() FROM g) SELECT id::text FROM g");
    EXPECT_TRUE(id.has_value()) << db_->error();
    return id.value_or("");
  }

  // `blocker` blocks `blocked` over REST (rest.md §3.3): `blocker` requests `blocked` as a
  // friend, and `blocked` answers the request with status `blocked`, making the row
  // (player_id = blocker, friend_id = blocked) blocked.
  static ::testing::AssertionResult Block(const Player& blocker, const Player& blocked) {
    HttpResponse r = Http("POST", "/api/v1/friends", R"({"friend_id":)" + Quote(blocked.id) + "}",
                          blocker.token);
    if (r.status != 200) return ::testing::AssertionFailure() << "request: " << r.body;
    r = Http("PUT", "/api/v1/friends/" + blocker.id, R"({"status":"blocked"})", blocked.token);
    if (r.status != 200 || r.body.find("\"blocked\"") == std::string::npos)
      return ::testing::AssertionFailure() << "block: " << r.status << " " << r.body;
    return ::testing::AssertionSuccess();
  }
  // `blocker` removes its row to `blocked` (DELETE /friends/:id): the block is gone.
  static ::testing::AssertionResult Unblock(const Player& blocker, const Player& blocked) {
    HttpResponse r = Http("DELETE", "/api/v1/friends/" + blocked.id, "", blocker.token);
    if (r.status != 200) return ::testing::AssertionFailure() << "delete: " << r.body;
    return ::testing::AssertionSuccess();
  }
  // A counter of /metrics (-1 when absent).
  static int64_t Metric(const std::string& name) {
    std::string body = Http("GET", "/metrics", "", "").body;
    std::string key = "\n" + name + " ";
    size_t at = body.find(key);
    return at == std::string::npos ? -1 : std::strtoll(body.c_str() + at + key.size(), nullptr, 10);
  }
  static JsonDoc Dm(Player& from, const Player& to, const std::string& content) {
    return from.Call(
        "dm.send", R"({"recipient_id":)" + Quote(to.id) + R"(,"content":)" + Quote(content) + "}");
  }
  static JsonDoc Join(Player& p, const std::string& channel) {
    return p.Call("chat.join", R"({"channel_id":)" + Quote(channel) + "}");
  }
};

TEST_F(ChatTest, GlobalChannelDeliversToEveryJoinedSocket) {
  // Four sockets: the server spreads them over its two shards.
  std::vector<std::unique_ptr<Player>> ps;
  for (int i = 0; i < 4; ++i) ps.push_back(NewPlayer());
  for (auto& p : ps) {
    JsonDoc j = Join(*p, "global:lobby");
    ASSERT_EQ(j.Str({"type"}).value_or(""), "chat.joined") << j.text();
    EXPECT_EQ(j.Str({"payload", "channel_id"}).value_or(""), "global:lobby");
  }
  // Joining is not required to send.
  auto outsider = NewPlayer();
  const int64_t deliveries_before = Metric("asobi_chat_deliveries_total");
  ASSERT_GE(deliveries_before, 0);
  outsider->Send("chat.send", R"({"channel_id":"global:lobby","content":"hello"})");
  for (auto& p : ps) {
    auto m = p->WaitFor("chat.message");
    ASSERT_TRUE(m) << "no chat.message";
    EXPECT_EQ(m->Str({"payload", "channel_id"}).value_or(""), "global:lobby");
    EXPECT_EQ(m->Str({"payload", "sender_id"}).value_or(""), outsider->id);
    EXPECT_EQ(m->Str({"payload", "content"}).value_or(""), "hello");
    EXPECT_TRUE(m->Int({"payload", "sent_at"}).has_value()) << m->text();
  }
  // Each copy written to a socket is counted once (issue 15 item 3), none dropped.
  int64_t deliveries = -1;
  for (int64_t deadline = NowMs() + kWaitMs; NowMs() < deadline;) {
    deliveries = Metric("asobi_chat_deliveries_total");
    if (deliveries >= deliveries_before + 4) break;
  }
  EXPECT_EQ(deliveries, deliveries_before + 4);
  EXPECT_EQ(Metric("asobi_chat_publish_dropped_total"), 0);
  // The sender gets its own message when joined; empty content is accepted.
  ps[0]->Send("chat.send", R"({"channel_id":"global:lobby","content":""})");
  for (auto& p : ps) {
    auto own = p->WaitFor("chat.message");
    ASSERT_TRUE(own);
    EXPECT_EQ(own->Str({"payload", "content"}).value_or("x"), "");
  }
  // After chat.leave nothing more arrives on that socket.
  JsonDoc left = ps[1]->Call("chat.leave", R"({"channel_id":"global:lobby"})");
  EXPECT_EQ(left.Str({"type"}).value_or(""), "chat.left") << left.text();
  EXPECT_EQ(left.Str({"payload", "channel_id"}).value_or(""), "global:lobby");
  ps[0]->Send("chat.send", R"({"channel_id":"global:lobby","content":"after"})");
  auto after = ps[2]->WaitFor("chat.message");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->Str({"payload", "content"}).value_or(""), "after");
  ps[1]->Call("session.heartbeat", "{}");
  EXPECT_FALSE(ps[1]->WaitFor("chat.message", 0).has_value());
}

TEST_F(ChatTest, ChannelIdErrors) {
  auto a = NewPlayer();
  // 256 bytes is a well-formed id (not declared: not_authorized); 257 bytes is not.
  std::string id256 = "global:" + std::string(249, 'x');
  ASSERT_EQ(id256.size(), 256u);
  JsonDoc r = Join(*a, id256);
  EXPECT_TRUE(IsWsError(r, "not_authorized", "forbidden", a->LastCid())) << r.text();
  r = Join(*a, id256 + "x");
  EXPECT_TRUE(IsWsError(r, "invalid_channel_id", "chat.invalid_channel_id", a->LastCid()))
      << r.text();
  r = Join(*a, "lobby:main");
  EXPECT_TRUE(IsWsError(r, "invalid_channel_id", "chat.invalid_channel_id", a->LastCid()));
  r = Join(*a, "");
  EXPECT_TRUE(IsWsError(r, "invalid_channel_id", "chat.invalid_channel_id", a->LastCid()));
  // room: needs a canonical lowercase hyphenated UUID.
  std::string group = NewGroupWith(a->id);
  std::string upper = group;
  for (char& c : upper) c = char(toupper(c));
  r = Join(*a, "room:" + upper);
  EXPECT_TRUE(IsWsError(r, "invalid_channel_id", "chat.invalid_channel_id", a->LastCid()));
  std::string compact = group;
  std::erase(compact, '-');
  r = Join(*a, "room:" + compact);
  EXPECT_TRUE(IsWsError(r, "invalid_channel_id", "chat.invalid_channel_id", a->LastCid()));
  r = Join(*a, "room:" + group);
  EXPECT_EQ(r.Str({"type"}).value_or(""), "chat.joined") << r.text();
  // Undeclared global, worlds nobody is in, someone else's dm: channel.
  r = Join(*a, "global:nope");
  EXPECT_TRUE(IsWsError(r, "not_authorized", "forbidden", a->LastCid()));
  r = Join(*a, "world:w1");
  EXPECT_TRUE(IsWsError(r, "not_authorized", "forbidden", a->LastCid()));
  auto b = NewPlayer(false), c = NewPlayer(false);
  r = Join(*a, "dm:" + b->id + ":" + c->id);
  EXPECT_TRUE(IsWsError(r, "not_authorized", "forbidden", a->LastCid()));
  // A dm: channel of a and an existing player; not with a non-player.
  r = Join(*a, "dm:" + a->id + ":" + b->id);
  EXPECT_EQ(r.Str({"type"}).value_or(""), "chat.joined") << r.text();
  r = Join(*a, "dm:" + a->id + ":00000000-0000-7000-8000-000000000000");
  EXPECT_TRUE(IsWsError(r, "not_authorized", "forbidden", a->LastCid()));
  // A group a is not in.
  std::string other_group = NewGroupWith(b->id);
  r = Join(*a, "room:" + other_group);
  EXPECT_TRUE(IsWsError(r, "not_authorized", "forbidden", a->LastCid()));
  // Structural errors.
  r = a->Call("chat.join", "{}");
  EXPECT_TRUE(IsWsError(r, "missing_field", "missing_field", a->LastCid())) << r.text();
  r = a->Call("chat.join", R"({"channel_id":5})");
  EXPECT_TRUE(IsWsError(r, "invalid_payload", "invalid_payload", a->LastCid())) << r.text();
}

TEST_F(ChatTest, ThirtyThirdJoinIsRefused) {
  auto a = NewPlayer();
  std::vector<std::string> rooms;
  for (int i = 0; i < 33; ++i) rooms.push_back("room:" + NewGroupWith(a->id));
  for (int i = 0; i < 32; ++i) {
    JsonDoc r = Join(*a, rooms[size_t(i)]);
    ASSERT_EQ(r.Str({"type"}).value_or(""), "chat.joined") << i << r.text();
  }
  JsonDoc r = Join(*a, rooms[32]);
  EXPECT_TRUE(IsWsError(r, "too_many_channels", "chat.too_many_channels", a->LastCid()))
      << r.text();
  // Checked even when re-joining a channel already joined.
  r = Join(*a, rooms[0]);
  EXPECT_TRUE(IsWsError(r, "too_many_channels", "chat.too_many_channels", a->LastCid()));
  a->Call("chat.leave", R"({"channel_id":)" + Quote(rooms[0]) + "}");
  r = Join(*a, rooms[32]);
  EXPECT_EQ(r.Str({"type"}).value_or(""), "chat.joined") << r.text();
}

TEST_F(ChatTest, SendRulesAndOversizeContentIsDroppedSilently) {
  auto a = NewPlayer(), b = NewPlayer();
  ASSERT_EQ(Join(*b, "global:demo").Str({"type"}).value_or(""), "chat.joined");
  // 2,001 bytes (and a non-string content) are dropped without an answer; 2,000 bytes pass.
  a->Send("chat.send",
          R"({"channel_id":"global:demo","content":")" + std::string(2001, 'a') + "\"}");
  a->Send("chat.send", R"({"channel_id":"global:demo","content":7})");
  a->Send("chat.send",
          R"({"channel_id":"global:demo","content":")" + std::string(2000, 'b') + "\"}");
  auto m = b->WaitFor("chat.message");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->Str({"payload", "content"}).value_or(""), std::string(2000, 'b'));
  JsonDoc r = a->Call("chat.send", R"({"channel_id":"global:demo"})");
  EXPECT_TRUE(IsWsError(r, "invalid_payload", "invalid_payload", a->LastCid())) << r.text();
  r = a->Call("chat.send", R"({"content":"x"})");
  EXPECT_TRUE(IsWsError(r, "invalid_payload", "invalid_payload", a->LastCid()));
  r = a->Call("chat.send", R"({"channel_id":"global:nope","content":"x"})");
  EXPECT_TRUE(IsWsError(r, "not_authorized", "forbidden", a->LastCid()));
  r = a->Call("chat.send", R"({"channel_id":"bad","content":"x"})");
  EXPECT_TRUE(IsWsError(r, "not_authorized", "forbidden", a->LastCid()));
  // Unauthenticated sockets may leave (always chat.left) but not join or send.
  WsClient anon;
  ASSERT_TRUE(anon.Open(server_->port()));
  JsonDoc d;
  ASSERT_TRUE(anon.SendText(R"({"type":"chat.leave","cid":"1","payload":{"channel_id":"x"}})"));
  ASSERT_TRUE(anon.RecvJson(&d, kWaitMs));
  EXPECT_EQ(d.Str({"type"}).value_or(""), "chat.left") << d.text();
  ASSERT_TRUE(anon.SendText(R"({"type":"chat.join","cid":"2","payload":{"channel_id":"x"}})"));
  ASSERT_TRUE(anon.RecvJson(&d, kWaitMs));
  EXPECT_TRUE(IsWsError(d, "unauthenticated", "unauthenticated", std::string("\"2\""))) << d.text();
}

TEST_F(ChatTest, HistoryOverRest) {
  auto a = NewPlayer();
  std::string room = "room:" + NewGroupWith(a->id);
  for (int i = 1; i <= 3; ++i) {
    a->Send("chat.send",
            R"({"channel_id":)" + Quote(room) + R"(,"content":"m)" + std::to_string(i) + "\"}");
  }
  std::string path = "/api/v1/chat/" + room + "/history?limit=2";
  // Rows are written asynchronously in batches: poll until the third is there.
  HttpResponse r;
  int64_t deadline = NowMs() + kWaitMs;
  do {
    r = Http("GET", path, "", a->token);
  } while (r.body.find("\"m3\"") == std::string::npos && NowMs() < deadline &&
           usleep(20 * 1000) == 0);
  ASSERT_EQ(r.status, 200) << r.body;
  JsonDoc d;
  ASSERT_TRUE(d.Parse(r.body));
  EXPECT_EQ(d.Str({"messages", "0", "content"}).value_or(""), "m2") << r.body;
  EXPECT_EQ(d.Str({"messages", "1", "content"}).value_or(""), "m3") << r.body;
  EXPECT_FALSE(d.Has({"messages", "2"}));
  EXPECT_EQ(d.Str({"messages", "0", "sender_id"}).value_or(""), a->id);
  EXPECT_EQ(d.Str({"messages", "0", "channel_id"}).value_or(""), room);
  EXPECT_EQ(d.Str({"messages", "0", "channel_type"}).value_or(""), "room");
  EXPECT_EQ(d.Str({"messages", "0", "id"}).value_or("").size(), 36u);
  EXPECT_EQ(d.Str({"messages", "0", "sent_at"}).value_or("").size(), 24u) << r.body;
  // Not allowed, malformed, unauthenticated.
  auto b = NewPlayer(false);
  EXPECT_TRUE(IsErrorEnvelope(Http("GET", path, "", b->token), 403, "forbidden"));
  EXPECT_TRUE(
      IsErrorEnvelope(Http("GET", "/api/v1/chat/nope/history", "", a->token), 403, "forbidden"));
  EXPECT_TRUE(IsErrorEnvelope(Http("GET", path), 401, "unauthenticated"));
  // An allowed channel with no rows.
  r = Http("GET", "/api/v1/chat/global:lobby/history", "", b->token);
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(ChatTest, DirectMessagesOverWebSocket) {
  auto a = NewPlayer(), b = NewPlayer();
  Player b2;  // b's second socket, joined to the dm: channel
  b2.id = b->id;
  b2.token = b->token;
  ASSERT_TRUE(b2.Connect(server_->port()));
  std::string channel = a->id < b->id ? "dm:" + a->id + ":" + b->id : "dm:" + b->id + ":" + a->id;
  ASSERT_EQ(Join(b2, channel).Str({"type"}).value_or(""), "chat.joined");
  JsonDoc r = a->Call("dm.send", R"({"recipient_id":)" + Quote(b->id) + R"(,"content":"hi"})");
  ASSERT_EQ(r.Str({"type"}).value_or(""), "dm.sent") << r.text();
  EXPECT_EQ(r.Str({"payload", "channel_id"}).value_or(""), channel);
  for (Player* p : {b.get(), &b2}) {
    auto m = p->WaitFor("dm.message");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->Str({"payload", "channel_id"}).value_or(""), channel);
    EXPECT_EQ(m->Str({"payload", "sender_id"}).value_or(""), a->id);
    EXPECT_EQ(m->Str({"payload", "content"}).value_or(""), "hi");
    EXPECT_TRUE(m->Int({"payload", "sent_at"}).has_value());
  }
  auto cm = b2.WaitFor("chat.message");
  ASSERT_TRUE(cm);
  EXPECT_EQ(cm->Str({"payload", "channel_id"}).value_or(""), channel);
  // Error rows of §8.5.
  r = a->Call("dm.send", R"({"recipient_id":"x"})");
  EXPECT_TRUE(IsWsError(r, "invalid_payload", "invalid_payload", a->LastCid())) << r.text();
  r = a->Call("dm.send", R"({"recipient_id":1,"content":"x"})");
  EXPECT_TRUE(IsWsError(r, "invalid_input", "ws.request_failed", a->LastCid())) << r.text();
  r = a->Call("dm.send", R"({"recipient_id":)" + Quote(b->id) + R"(,"content":""})");
  EXPECT_TRUE(IsWsError(r, "content_empty", "dm.content_empty", a->LastCid())) << r.text();
  r = a->Call("dm.send", R"({"recipient_id":)" + Quote(b->id) + R"(,"content":")" +
                             std::string(2001, 'x') + "\"}");
  EXPECT_TRUE(IsWsError(r, "content_too_large", "dm.content_too_large", a->LastCid()));
  // b blocks a: a friendships row (player_id=b, friend_id=a, status blocked), over REST.
  ASSERT_TRUE(Block(*b, *a));
  r = a->Call("dm.send", R"({"recipient_id":)" + Quote(b->id) + R"(,"content":"hi"})");
  EXPECT_TRUE(IsWsError(r, "blocked", "dm.blocked", a->LastCid())) << r.text();
  // b may still write to a.
  r = b->Call("dm.send", R"({"recipient_id":)" + Quote(a->id) + R"(,"content":"yo"})");
  EXPECT_EQ(r.Str({"type"}).value_or(""), "dm.sent") << r.text();
}

TEST_F(ChatTest, DirectMessagesOverRestAndHistory) {
  auto a = NewPlayer(false), b = NewPlayer();
  auto dm_count = [] {  // asobi_dm_messages_total on /metrics
    std::string body = Http("GET", "/metrics", "", "").body;
    std::string key = "\nasobi_dm_messages_total ";
    size_t at = body.find(key);
    return at == std::string::npos ? -1 : std::strtoll(body.c_str() + at + key.size(), nullptr, 10);
  };
  const int64_t dms_before = dm_count();
  ASSERT_GE(dms_before, 0);
  HttpResponse r = Http("POST", "/api/v1/dm",
                        R"({"recipient_id":)" + Quote(b->id) + R"(,"content":"one"})", a->token);
  ASSERT_EQ(r.status, 200) << r.body;
  JsonDoc d;
  ASSERT_TRUE(d.Parse(r.body));
  EXPECT_EQ(d.Raw({"success"}).value_or(""), "true");
  std::string channel = d.Str({"channel_id"}).value_or("");
  EXPECT_EQ(channel.substr(0, 3), "dm:");
  auto m = b->WaitFor("dm.message");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->Str({"payload", "content"}).value_or(""), "one");
  r = Http("POST", "/api/v1/dm", R"({"recipient_id":)" + Quote(b->id) + R"(,"content":"two"})",
           a->token);
  ASSERT_EQ(r.status, 200) << r.body;
  // Error rows of rest.md §3.4.
  EXPECT_TRUE(IsErrorEnvelope(Http("POST", "/api/v1/dm", R"({"recipient_id":"x"})", a->token), 400,
                              "invalid_payload"));
  EXPECT_TRUE(
      IsErrorEnvelope(Http("POST", "/api/v1/dm", R"({"recipient_id":3,"content":"x"})", a->token),
                      400, "invalid_payload"));
  EXPECT_TRUE(
      IsErrorEnvelope(Http("POST", "/api/v1/dm",
                           R"({"recipient_id":)" + Quote(b->id) + R"(,"content":""})", a->token),
                      400, "dm.content_empty"));
  EXPECT_TRUE(IsErrorEnvelope(Http("POST", "/api/v1/dm",
                                   R"({"recipient_id":)" + Quote(b->id) + R"(,"content":")" +
                                       std::string(2001, 'x') + "\"}",
                                   a->token),
                              413, "dm.content_too_large"));
  EXPECT_TRUE(IsErrorEnvelope(Http("POST", "/api/v1/dm", "{bad", a->token), 400, "invalid_json"));
  EXPECT_TRUE(IsErrorEnvelope(Http("POST", "/api/v1/dm", "{}"), 401, "unauthenticated"));
  EXPECT_EQ(dm_count() - dms_before, 2);  // the two sent; refused ones are not counted
  // History from the table, oldest first, for both sides.
  std::string path = "/api/v1/dm/" + b->id + "/history";
  int64_t deadline = NowMs() + kWaitMs;
  do {
    r = Http("GET", path, "", a->token);
  } while (r.body.find("\"two\"") == std::string::npos && NowMs() < deadline &&
           usleep(20 * 1000) == 0);
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(d.Parse(r.body));
  EXPECT_EQ(d.Str({"channel_id"}).value_or(""), channel);
  EXPECT_EQ(d.Str({"messages", "0", "content"}).value_or(""), "one") << r.body;
  EXPECT_EQ(d.Str({"messages", "1", "content"}).value_or(""), "two");
  EXPECT_EQ(d.Str({"messages", "0", "sender_id"}).value_or(""), a->id);
  EXPECT_TRUE(d.Int({"messages", "0", "sent_at"}).has_value()) << r.body;
  r = Http("GET", "/api/v1/dm/" + a->id + "/history?limit=1", "", b->token);
  ASSERT_TRUE(d.Parse(r.body));
  EXPECT_EQ(d.Str({"messages", "0", "content"}).value_or(""), "two") << r.body;
  EXPECT_FALSE(d.Has({"messages", "1"}));
  // Blocked over REST.
  ASSERT_TRUE(Block(*b, *a));
  EXPECT_TRUE(
      IsErrorEnvelope(Http("POST", "/api/v1/dm",
                           R"({"recipient_id":)" + Quote(b->id) + R"(,"content":"x"})", a->token),
                      403, "dm.blocked"));
}

// The recipient's block list is held in memory while it is online (docs/decisions.md "DM
// block lists in memory"): a block or unblock over REST while it is online applies to the
// very next DM, and across a disconnect and reconnect.
TEST_F(ChatTest, DmBlockListFollowsBlockAndUnblockWhileOnline) {
  auto a = NewPlayer(), b = NewPlayer();
  JsonDoc r = Dm(*a, *b, "before");
  ASSERT_EQ(r.Str({"type"}).value_or(""), "dm.sent") << r.text();
  ASSERT_TRUE(b->WaitFor("dm.message"));
  // From here on b's list is in memory: no DM to b asks the database.
  const int64_t queries_before = Metric("asobi_dm_block_queries_total");
  ASSERT_GE(queries_before, 0);
  ASSERT_TRUE(Block(*b, *a));
  r = Dm(*a, *b, "while blocked");
  EXPECT_TRUE(IsWsError(r, "blocked", "dm.blocked", a->LastCid())) << r.text();
  r = Dm(*b, *a, "b may still write");
  EXPECT_EQ(r.Str({"type"}).value_or(""), "dm.sent") << r.text();
  ASSERT_TRUE(Unblock(*b, *a));
  r = Dm(*a, *b, "after");
  ASSERT_EQ(r.Str({"type"}).value_or(""), "dm.sent") << r.text();
  auto m = b->WaitFor("dm.message");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->Str({"payload", "content"}).value_or(""), "after");  // "while blocked" never came
  EXPECT_EQ(Metric("asobi_dm_block_queries_total"), queries_before);
  // Blocked again, then b reconnects: its list is loaded anew and still blocks a.
  ASSERT_TRUE(Block(*b, *a));
  ASSERT_TRUE(b->ws().SendClose(1000));
  Player b_again;
  b_again.id = b->id;
  b_again.token = b->token;
  ASSERT_TRUE(b_again.Connect(server_->port()));
  r = Dm(*a, b_again, "after reconnect");
  EXPECT_TRUE(IsWsError(r, "blocked", "dm.blocked", a->LastCid())) << r.text();
}

// A block made while the recipient is offline is honoured by DMs sent while it is offline
// (checked in the database) and after it connects (its list is loaded on connect).
TEST_F(ChatTest, DmBlockMadeWhileOfflineIsHonouredAfterConnecting) {
  auto a = NewPlayer(), c = NewPlayer(false);
  ASSERT_TRUE(Block(*c, *a));
  const int64_t queries_before = Metric("asobi_dm_block_queries_total");
  JsonDoc r = Dm(*a, *c, "to an offline player");
  EXPECT_TRUE(IsWsError(r, "blocked", "dm.blocked", a->LastCid())) << r.text();
  EXPECT_EQ(Metric("asobi_dm_block_queries_total"), queries_before + 1);  // checked in PG
  ASSERT_TRUE(c->Connect(server_->port()));
  r = Dm(*a, *c, "to the same player online");
  EXPECT_TRUE(IsWsError(r, "blocked", "dm.blocked", a->LastCid())) << r.text();
  // Over REST as well.
  EXPECT_TRUE(
      IsErrorEnvelope(Http("POST", "/api/v1/dm",
                           R"({"recipient_id":)" + Quote(c->id) + R"(,"content":"x"})", a->token),
                      403, "dm.blocked"));
  ASSERT_TRUE(Unblock(*c, *a));
  r = Dm(*a, *c, "unblocked");
  ASSERT_EQ(r.Str({"type"}).value_or(""), "dm.sent") << r.text();
  auto m = c->WaitFor("dm.message");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->Str({"payload", "content"}).value_or(""), "unblocked");
}

// Runs last: once every socket of the suite has closed, no subscription is left
// (asobi_chat_subscriptions) and the directory is empty (asobi_directory_entries).
// Bad-input rows of websocket.md §8.1-8.5 not covered above: malformed ids of every prefix,
// well-formed ids the caller may not use (zone:/prox: of a world it is not in, a room of no
// group, someone else's dm: channel) for join and send, a non-string DM content, and chat.send
// / dm.send from an unauthenticated socket.
TEST_F(ChatTest, OtherChannelFormsAndUnauthenticatedSends) {
  auto a = NewPlayer(), b = NewPlayer(false), c = NewPlayer(false);
  for (const char* bad :
       {"global", "GLOBAL:demo", " global:demo", "dm:", "dm:x", "dm:x:", "dm::x", "dm:a:b:c",
        "world:", "zone:w1", "zone:w1:1", "zone:w1:,2", "zone::1,2", "prox:w1:1,", "prox:w1",
        "room:", "room:not-a-uuid", "room:00000000-0000-7000-8000-00000000000"}) {
    JsonDoc r = Join(*a, bad);
    EXPECT_TRUE(IsWsError(r, "invalid_channel_id", "chat.invalid_channel_id", a->LastCid()))
        << bad << " " << r.text();
  }
  const std::string others_dm = "dm:" + b->id + ":" + c->id;
  for (const std::string& denied :
       {std::string("global:"), std::string("zone:w1:0,0"), std::string("prox:w1:3,4"),
        std::string("room:00000000-0000-7000-8000-000000000000"), others_dm}) {
    JsonDoc r = Join(*a, denied);
    EXPECT_TRUE(IsWsError(r, "not_authorized", "forbidden", a->LastCid()))
        << denied << " " << r.text();
    r = a->Call("chat.send", R"({"channel_id":)" + Quote(denied) + R"(,"content":"x"})");
    EXPECT_TRUE(IsWsError(r, "not_authorized", "forbidden", a->LastCid()))
        << denied << " " << r.text();
  }
  JsonDoc r = a->Call("dm.send", R"({"recipient_id":)" + Quote(b->id) + R"(,"content":5})");
  EXPECT_TRUE(IsWsError(r, "invalid_input", "ws.request_failed", a->LastCid())) << r.text();

  WsClient anon;
  ASSERT_TRUE(anon.Open(server_->port()));
  JsonDoc d;
  ASSERT_TRUE(anon.SendText(
      R"({"type":"chat.send","cid":"1","payload":{"channel_id":"global:demo","content":"x"}})"));
  ASSERT_TRUE(anon.RecvJson(&d, kWaitMs));
  EXPECT_TRUE(IsWsError(d, "unauthenticated", "unauthenticated", std::string("\"1\""))) << d.text();
  ASSERT_TRUE(anon.SendText(R"({"type":"dm.send","cid":"2","payload":{"recipient_id":)" +
                            Quote(b->id) + R"(,"content":"x"}})"));
  ASSERT_TRUE(anon.RecvJson(&d, kWaitMs));
  EXPECT_TRUE(IsWsError(d, "unauthenticated", "unauthenticated", std::string("\"2\""))) << d.text();
}

TEST_F(ChatTest, ZzSubscriptionsAndDirectoryEmptyAfterAllSocketsClose) {
  auto metric = [](const std::string& name) {
    HttpResponse m = Http("GET", "/metrics");
    size_t at = m.body.find("\n" + name + " ");
    if (at == std::string::npos) return int64_t(-1);
    return int64_t(std::atoll(m.body.c_str() + at + name.size() + 2));
  };
  {
    auto a = NewPlayer();
    ASSERT_EQ(Join(*a, "global:lobby").Str({"type"}).value_or(""), "chat.joined");
    EXPECT_GE(metric("asobi_chat_subscriptions"), 1);
  }
  int64_t deadline = NowMs() + kWaitMs;
  while ((metric("asobi_chat_subscriptions") != 0 || metric("asobi_directory_entries") != 0) &&
         NowMs() < deadline) {
    usleep(10 * 1000);
  }
  EXPECT_EQ(metric("asobi_chat_subscriptions"), 0);
  EXPECT_EQ(metric("asobi_directory_entries"), 0);
}

}  // namespace
}  // namespace asobi::itest
