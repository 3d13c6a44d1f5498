// Matchmaking end to end against the real server and PostgreSQL (websocket.md §5-§6, rest.md
// §3.11, lua.md §10): registered players queue over WebSocket, get matched into a Lua match,
// play and leave; one player against bots; bad input; the REST ticket routes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
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

constexpr int kMatchWaitMs = 5000;     // bounds a misbehaving server only
constexpr int kBotFillWaitMs = 15000;  // queue fill runs every 8 s (lua.md §10)

// One player: an account and a WebSocket that remembers pushes it skipped while waiting.
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

  // Sends a request with a fresh cid and returns the frame answering it (pushes meanwhile are
  // kept for WaitFor).
  JsonDoc Call(const std::string& type, const std::string& payload_json) {
    std::string cid = std::to_string(++cid_);
    ws_->SendText(R"({"type":")" + type + R"(","cid":")" + cid + R"(","payload":)" + payload_json +
                  "}");
    int64_t deadline = NowMs() + kMatchWaitMs;
    while (NowMs() < deadline) {
      JsonDoc d;
      if (!ws_->RecvJson(&d, int(deadline - NowMs()))) break;
      if (d.Str({"cid"}).value_or("") == cid) return d;
      backlog_.push_back(std::move(d));
    }
    ADD_FAILURE() << "no reply to " << type;
    return JsonDoc();
  }

  // The next push of `type` for which `pred` holds (earlier frames of other kinds are dropped;
  // frames of this type that fail `pred` are skipped). nullopt after `timeout_ms`.
  std::optional<JsonDoc> WaitFor(const std::string& type, int timeout_ms = kMatchWaitMs,
                                 const std::function<bool(const JsonDoc&)>& pred = nullptr) {
    while (!backlog_.empty()) {
      JsonDoc d = std::move(backlog_.front());
      backlog_.pop_front();
      if (d.Str({"type"}).value_or("") == type && (!pred || pred(d))) return d;
    }
    int64_t deadline = NowMs() + timeout_ms;
    while (NowMs() < deadline) {
      JsonDoc d;
      if (!ws_->RecvJson(&d, int(deadline - NowMs()))) return std::nullopt;
      if (d.Str({"type"}).value_or("") == type && (!pred || pred(d))) return d;
    }
    return std::nullopt;
  }

  // Drops the socket without a close frame (a lost connection) and forgets unread frames.
  void DropConnection() {
    ws_->socket().Close();
    ws_ = std::make_unique<WsClient>();
    backlog_.clear();
  }

  void Send(const std::string& type, const std::string& payload_json) {
    ws_->SendText(R"({"type":")" + type + R"(","payload":)" + payload_json + "}");
  }
  WsClient& ws() { return *ws_; }
  /// The cid of the last Call as JSON (for IsWsError).
  std::string LastCid() const {
    return std::string(1, '"').append(std::to_string(cid_)).append(1, '"');
  }

 private:
  std::unique_ptr<WsClient> ws_ = std::make_unique<WsClient>();
  std::deque<JsonDoc> backlog_;
  int cid_ = 0;
};

class MatchmakingTest : public ServerSuite<MatchmakingTest> {
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

  // Registers a fresh account (rest.md §3.1) and opens its authenticated WebSocket.
  static std::unique_ptr<Player> NewPlayer(bool connect = true) {
    static int n = 0;
    auto p = std::make_unique<Player>();
    std::string name = "mm_player_" + std::to_string(++n);
    std::tie(p->id, p->token) = Register(name);
    if (connect) {
      EXPECT_TRUE(p->Connect(server_->port()));
    }
    return p;
  }

  // x of `who` in a match.state frame, or nullopt.
  static std::optional<double> XOf(const JsonDoc& state, const std::string& who) {
    std::optional<JsonValue> x = state.At({"payload", "players", who, "x"});
    if (!x || !x->is_number()) return std::nullopt;
    return double(*x);
  }
};

TEST_F(MatchmakingTest, TwoNewPlayersAreMatchedPlayAndLeave) {
  auto a = NewPlayer(), b = NewPlayer();
  JsonDoc qa = a->Call("matchmaker.add", R"({"mode":"demo"})");
  ASSERT_EQ(qa.Str({"type"}).value_or(""), "matchmaker.queued") << qa.text();
  EXPECT_EQ(qa.Str({"payload", "status"}).value_or(""), "pending");
  EXPECT_EQ(qa.Int({"payload", "players_needed"}).value_or(0), 2);
  EXPECT_EQ(qa.Raw({"payload", "already_queued"}).value_or(""), "false");
  EXPECT_EQ(qa.Str({"payload", "ticket_id"}).value_or("").size(), 36u);
  JsonDoc qb = b->Call("matchmaker.add", R"({"mode":"demo","properties":{"skill":1200}})");
  ASSERT_EQ(qb.Str({"type"}).value_or(""), "matchmaker.queued") << qb.text();

  auto ma = a->WaitFor("match.matched"), mb = b->WaitFor("match.matched");
  ASSERT_TRUE(ma && mb);
  std::string match_id = ma->Str({"payload", "match_id"}).value_or("");
  EXPECT_EQ(match_id.size(), 36u);
  EXPECT_EQ(mb->Str({"payload", "match_id"}).value_or(""), match_id);
  EXPECT_FALSE(ma->Has({"cid"}));
  std::string players = ma->Raw({"payload", "players"}).value_or("");
  EXPECT_NE(players.find(a->id), std::string::npos) << players;
  EXPECT_NE(players.find(b->id), std::string::npos) << players;

  // The first state already places both players; one input moves a to the right.
  auto first = a->WaitFor("match.state");
  ASSERT_TRUE(first);
  std::optional<double> x0 = XOf(*first, a->id);
  ASSERT_TRUE(x0.has_value()) << first->text();
  ASSERT_TRUE(XOf(*first, b->id).has_value());
  a->Send("match.input", R"({"move_x":1,"move_y":0})");
  auto moved = a->WaitFor("match.state", kMatchWaitMs, [&](const JsonDoc& s) {
    std::optional<double> x = XOf(s, a->id);
    return x && *x > *x0 + 10;
  });
  EXPECT_TRUE(moved.has_value()) << "x never advanced past " << *x0 + 10;
  auto seen_by_b = b->WaitFor("match.state", kMatchWaitMs, [&](const JsonDoc& s) {
    std::optional<double> x = XOf(s, a->id);
    return x && *x > *x0 + 10;
  });
  EXPECT_TRUE(seen_by_b.has_value());

  JsonDoc la = a->Call("match.leave", "{}"), lb = b->Call("match.leave", "{}");
  EXPECT_EQ(la.Str({"type"}).value_or(""), "match.left") << la.text();
  EXPECT_EQ(lb.Str({"type"}).value_or(""), "match.left") << lb.text();
  // Out of the match, a may queue again.
  JsonDoc again = a->Call("matchmaker.add", R"({"mode":"demo"})");
  EXPECT_EQ(again.Str({"type"}).value_or(""), "matchmaker.queued") << again.text();
  a->Call("matchmaker.remove",
          R"({"ticket_id":")" + again.Str({"payload", "ticket_id"}).value_or("") + R"("})");
}

TEST_F(MatchmakingTest, OnePlayerAgainstBots) {
  auto a = NewPlayer();
  JsonDoc q = a->Call("matchmaker.add", R"({"mode":"skirmish"})");
  ASSERT_EQ(q.Str({"type"}).value_or(""), "matchmaker.queued") << q.text();
  EXPECT_EQ(q.Int({"payload", "players_needed"}).value_or(0), 4);
  auto m = a->WaitFor("match.matched", kBotFillWaitMs);
  ASSERT_TRUE(m) << "no bot fill";
  std::optional<JsonValue> players = m->At({"payload", "players"});
  ASSERT_TRUE(players && players->is_array());
  int bots = 0;
  std::vector<std::string> bot_ids;
  for (JsonValue p : players->get_array()) {
    std::string id{std::string_view(p)};
    if (id.rfind("bot_", 0) == 0) {
      ++bots;
      bot_ids.push_back(id);
      // bot_<name>_<6 lowercase hex>
      std::string hex = id.substr(id.rfind('_') + 1);
      EXPECT_EQ(hex.size(), 6u) << id;
      EXPECT_EQ(hex.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
    }
  }
  EXPECT_EQ(bots, 3);
  // The bots play: a bot's position changes between states.
  auto first = a->WaitFor("match.state");
  ASSERT_TRUE(first);
  std::optional<double> bx = XOf(*first, bot_ids[0]);
  ASSERT_TRUE(bx.has_value()) << first->text();
  auto later = a->WaitFor("match.state", kMatchWaitMs, [&](const JsonDoc& s) {
    std::optional<double> x = XOf(s, bot_ids[0]);
    return x && *x != *bx;
  });
  EXPECT_TRUE(later.has_value()) << "bot never moved";
  EXPECT_EQ(a->Call("match.leave", "{}").Str({"type"}).value_or(""), "match.left");
}

// A player whose connection drops mid-match and who reconnects within the mode's reconnect
// grace (skirmish: reconnect_grace_ms = 15000) is back in the match on the new socket.
TEST_F(MatchmakingTest, ReconnectWithinTheGraceIsBackInTheMatch) {
  auto a = NewPlayer();
  JsonDoc q = a->Call("matchmaker.add", R"({"mode":"skirmish"})");
  ASSERT_EQ(q.Str({"type"}).value_or(""), "matchmaker.queued") << q.text();
  auto m = a->WaitFor("match.matched", kBotFillWaitMs);
  ASSERT_TRUE(m) << "no bot fill";
  std::string match_id = m->Str({"payload", "match_id"}).value_or("");
  ASSERT_TRUE(a->WaitFor("match.state"));

  a->DropConnection();
  // Reconnect only once the server noticed the close and kept the seat (its log line, which
  // names the player; "match player disconnected, seat kept").
  ASSERT_TRUE(server_->WaitForLog("player_id=" + a->id + " grace_ms=", kMatchWaitMs))
      << "the server never kept the seat";
  ASSERT_TRUE(a->Connect(server_->port()));
  // No match.joined: the new socket simply receives the match's state again.
  auto back = a->WaitFor("match.state");
  ASSERT_TRUE(back) << "no match.state after reconnecting";
  EXPECT_EQ(back->Str({"payload", "you"}).value_or(""), a->id) << back->text();
  std::optional<double> x0 = XOf(*back, a->id);
  ASSERT_TRUE(x0.has_value()) << "the player kept their seat: " << back->text();
  // Inputs from the new socket reach the match.
  a->Send("match.input", R"({"move_x":1,"move_y":0})");
  auto moved = a->WaitFor("match.state", kMatchWaitMs, [&](const JsonDoc& s) {
    std::optional<double> x = XOf(s, a->id);
    return x && *x > *x0 + 10;
  });
  EXPECT_TRUE(moved.has_value()) << "input after reconnect had no effect";
  JsonDoc left = a->Call("match.leave", "{}");
  EXPECT_EQ(left.Str({"type"}).value_or(""), "match.left") << left.text();
  EXPECT_EQ(left.Str({"payload", "match_id"}).value_or(match_id), match_id);
}

// Without a reconnect grace (demo), a dropped connection is a leave: the other player's state
// loses the player, and the player may queue again after reconnecting.
TEST_F(MatchmakingTest, DisconnectWithoutGraceLeavesTheMatch) {
  auto a = NewPlayer(), b = NewPlayer();
  ASSERT_EQ(a->Call("matchmaker.add", R"({"mode":"demo"})").Str({"type"}).value_or(""),
            "matchmaker.queued");
  ASSERT_EQ(b->Call("matchmaker.add", R"({"mode":"demo"})").Str({"type"}).value_or(""),
            "matchmaker.queued");
  ASSERT_TRUE(a->WaitFor("match.matched") && b->WaitFor("match.matched"));
  ASSERT_TRUE(b->WaitFor("match.state", kMatchWaitMs,
                         [&](const JsonDoc& s) { return XOf(s, a->id).has_value(); }));
  a->DropConnection();
  auto gone = b->WaitFor("match.state", kMatchWaitMs,
                         [&](const JsonDoc& s) { return !XOf(s, a->id).has_value(); });
  EXPECT_TRUE(gone.has_value()) << "the dropped player stayed in the match";
  ASSERT_TRUE(a->Connect(server_->port()));
  JsonDoc again = a->Call("matchmaker.add", R"({"mode":"demo"})");
  EXPECT_EQ(again.Str({"type"}).value_or(""), "matchmaker.queued") << again.text();
  a->Call("matchmaker.remove",
          R"({"ticket_id":")" + again.Str({"payload", "ticket_id"}).value_or("") + R"("})");
  EXPECT_EQ(b->Call("match.leave", "{}").Str({"type"}).value_or(""), "match.left");
}

TEST_F(MatchmakingTest, UnknownModeAndMalformedAdds) {
  auto a = NewPlayer();
  JsonDoc r = a->Call("matchmaker.add", R"({"mode":"no_such_mode"})");
  EXPECT_TRUE(IsWsError(r, "unknown_mode", "matchmaker.unknown_mode", a->LastCid())) << r.text();
  EXPECT_EQ(r.Str({"payload", "type"}).value_or(""), "matchmaker.add");
  r = a->Call("matchmaker.add", "{}");  // default mode "default" does not exist here
  EXPECT_TRUE(IsWsError(r, "unknown_mode", "matchmaker.unknown_mode", a->LastCid())) << r.text();
  r = a->Call("matchmaker.add", R"({"mode":7})");
  EXPECT_TRUE(IsWsError(r, "invalid_payload", "invalid_payload", a->LastCid())) << r.text();
  r = a->Call("matchmaker.add", R"({"mode":")" + std::string(65, 'm') + R"("})");
  EXPECT_TRUE(IsWsError(r, "unknown_mode", "matchmaker.unknown_mode", a->LastCid())) << r.text();
  r = a->Call("matchmaker.add",
              R"({"mode":"demo","properties":{"pad":")" + std::string(5000, 'p') + R"("}})");
  EXPECT_TRUE(IsWsError(r, "invalid_payload", "invalid_payload", a->LastCid())) << r.text();
  r = a->Call("matchmaker.add", "[1]");
  EXPECT_TRUE(IsWsError(r, "invalid_payload", "invalid_payload", a->LastCid())) << r.text();
  r = a->Call("matchmaker.remove", R"({"ticket_id":5})");
  EXPECT_TRUE(IsWsError(r, "invalid_payload", "invalid_payload", a->LastCid())) << r.text();
  r = a->Call("matchmaker.remove", "{}");
  EXPECT_TRUE(IsWsError(r, "missing_field", "missing_field", a->LastCid())) << r.text();
}

TEST_F(MatchmakingTest, UnauthenticatedSocketCannotQueue) {
  WsClient ws;
  ASSERT_TRUE(ws.Open(server_->port()));
  JsonDoc r;
  ASSERT_TRUE(ws.Request(R"({"type":"matchmaker.add","cid":"1","payload":{"mode":"demo"}})", &r));
  EXPECT_TRUE(IsWsError(r, "unauthenticated", "unauthenticated", R"("1")")) << r.text();
}

TEST_F(MatchmakingTest, DoubleQueueingReturnsTheSameTicket) {
  auto a = NewPlayer();
  JsonDoc first = a->Call("matchmaker.add", R"({"mode":"skirmish"})");
  JsonDoc second = a->Call("matchmaker.add", R"({"mode":"skirmish"})");
  std::string id = first.Str({"payload", "ticket_id"}).value_or("");
  EXPECT_EQ(second.Str({"payload", "ticket_id"}).value_or("?"), id);
  EXPECT_EQ(second.Raw({"payload", "already_queued"}).value_or(""), "true");
  JsonDoc rm = a->Call("matchmaker.remove", R"({"ticket_id":")" + id + R"("})");
  EXPECT_EQ(rm.Str({"type"}).value_or(""), "matchmaker.removed") << rm.text();
  EXPECT_EQ(rm.Raw({"payload", "success"}).value_or(""), "true");
}

TEST_F(MatchmakingTest, RemovingTwiceOrSomeoneElsesTicket) {
  auto a = NewPlayer(), b = NewPlayer();
  JsonDoc q = a->Call("matchmaker.add", R"({"mode":"skirmish"})");
  std::string body = R"({"ticket_id":")" + q.Str({"payload", "ticket_id"}).value_or("") + R"("})";
  JsonDoc r = b->Call("matchmaker.remove", body);
  EXPECT_TRUE(IsWsError(r, "not_owner", "forbidden", b->LastCid())) << r.text();
  EXPECT_EQ(r.Str({"payload", "type"}).value_or(""), "matchmaker.remove");
  r = a->Call("matchmaker.remove", body);
  EXPECT_EQ(r.Str({"type"}).value_or(""), "matchmaker.removed") << r.text();
  r = a->Call("matchmaker.remove", body);
  EXPECT_TRUE(IsWsError(r, "not_found", "ws.request_failed", a->LastCid())) << r.text();
  EXPECT_EQ(r.Str({"payload", "error", "details", "reason"}).value_or(""), "not_found");
  r = a->Call("matchmaker.remove", R"({"ticket_id":"not-a-ticket"})");
  EXPECT_TRUE(IsWsError(r, "not_found", "ws.request_failed", a->LastCid())) << r.text();
}

TEST_F(MatchmakingTest, QueueingWhileInAMatchIsRefused) {
  auto a = NewPlayer(), b = NewPlayer();
  a->Call("matchmaker.add", R"({"mode":"demo"})");
  b->Call("matchmaker.add", R"({"mode":"demo"})");
  ASSERT_TRUE(a->WaitFor("match.matched"));
  JsonDoc r = a->Call("matchmaker.add", R"({"mode":"skirmish"})");
  EXPECT_TRUE(IsWsError(r, "already_in_match", "ws.request_failed", a->LastCid())) << r.text();
  EXPECT_EQ(r.Str({"payload", "type"}).value_or(""), "matchmaker.add");
  a->Call("match.leave", "{}");
  b->Call("match.leave", "{}");
}

TEST_F(MatchmakingTest, DisconnectWhileQueuedDropsTheTicket) {
  auto a = NewPlayer();
  JsonDoc q = a->Call("matchmaker.add", R"({"mode":"skirmish"})");
  std::string path = "/api/v1/matchmaker/" + q.Str({"payload", "ticket_id"}).value_or("");
  HttpResponse st = Http("GET", path, "", a->token);
  ASSERT_EQ(st.status, 200) << st.body;
  JsonDoc d;
  ASSERT_TRUE(d.Parse(st.body));
  EXPECT_EQ(d.Str({"status"}).value_or(""), "pending");
  EXPECT_EQ(d.Str({"mode"}).value_or(""), "skirmish");
  EXPECT_TRUE(d.Int({"submitted_at"}).has_value());
  a->ws().SendClose(1000);
  ASSERT_TRUE(a->ws().ExpectClose(1000, ""));
  int status = 0;
  for (int i = 0; i < 100 && status != 404; ++i) {
    status = Http("GET", path, "", a->token).status;
    if (status != 404) usleep(20 * 1000);
  }
  EXPECT_TRUE(IsErrorEnvelope(Http("GET", path, "", a->token), 404, "matchmaker.ticket_not_found"));
}

TEST_F(MatchmakingTest, RestTicketRoutes) {
  auto a = NewPlayer(false), b = NewPlayer(false);
  HttpResponse r = Http("POST", "/api/v1/matchmaker", R"({"mode":"skirmish"})", a->token);
  ASSERT_EQ(r.status, 200) << r.body;
  JsonDoc t;
  ASSERT_TRUE(t.Parse(r.body));
  std::string id = t.Str({"ticket_id"}).value_or("");
  EXPECT_EQ(t.Str({"status"}).value_or(""), "pending");
  EXPECT_EQ(t.Raw({"already_queued"}).value_or(""), "false");
  r = Http("POST", "/api/v1/matchmaker/tickets", R"({"mode":"skirmish"})", a->token);
  ASSERT_TRUE(t.Parse(r.body));
  EXPECT_EQ(t.Str({"ticket_id"}).value_or(""), id);
  EXPECT_EQ(t.Raw({"already_queued"}).value_or(""), "true");
  r = Http("GET", "/api/v1/matchmaker/tickets/" + id, "", a->token);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(
      IsErrorEnvelope(Http("GET", "/api/v1/matchmaker/" + id, "", b->token), 403, "forbidden"));
  EXPECT_TRUE(
      IsErrorEnvelope(Http("DELETE", "/api/v1/matchmaker/" + id, "", b->token), 403, "forbidden"));
  r = Http("DELETE", "/api/v1/matchmaker/" + id, "", a->token);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, R"({"success":true})");
  EXPECT_TRUE(IsErrorEnvelope(Http("DELETE", "/api/v1/matchmaker/" + id, "", a->token), 404,
                              "matchmaker.ticket_not_found"));
  EXPECT_TRUE(IsErrorEnvelope(Http("POST", "/api/v1/matchmaker", R"({"mode":"nope"})", a->token),
                              400, "matchmaker.unknown_mode"));
  EXPECT_TRUE(IsErrorEnvelope(Http("POST", "/api/v1/matchmaker", "", a->token), 400,
                              "matchmaker.unknown_mode"));  // empty body: mode "default"
  EXPECT_TRUE(IsErrorEnvelope(
      Http("POST", "/api/v1/matchmaker", R"({"mode":"demo","properties":[1]})", a->token), 400,
      "invalid_payload"));
  EXPECT_TRUE(
      IsErrorEnvelope(Http("POST", "/api/v1/matchmaker", "{bad", a->token), 400, "invalid_json"));
  EXPECT_TRUE(IsErrorEnvelope(Http("POST", "/api/v1/matchmaker", R"({"mode":"demo"})"), 401,
                              "unauthenticated"));
}

}  // namespace
}  // namespace asobi::itest

namespace asobi::itest {
namespace {

// websocket.md §6.3 through the player directory: a player who queued with REST
// `POST /matchmaker` has its open socket told `match.matched` and fed the match's state.
TEST_F(MatchmakingTest, RestTicketIsMatchedOnThePlayersOpenSocket) {
  auto a = NewPlayer(), b = NewPlayer();
  HttpResponse r = Http("POST", "/api/v1/matchmaker", R"({"mode":"demo"})", a->token);
  ASSERT_EQ(r.status, 200) << r.body;
  JsonDoc qb = b->Call("matchmaker.add", R"({"mode":"demo"})");
  ASSERT_EQ(qb.Str({"type"}).value_or(""), "matchmaker.queued") << qb.text();
  auto ma = a->WaitFor("match.matched"), mb = b->WaitFor("match.matched");
  ASSERT_TRUE(ma && mb);
  EXPECT_EQ(ma->Str({"payload", "match_id"}).value_or("x"),
            mb->Str({"payload", "match_id"}).value_or("y"));
  auto state = a->WaitFor("match.state");
  ASSERT_TRUE(state);
  EXPECT_TRUE(XOf(*state, a->id).has_value()) << state->text();
  a->Call("match.leave", "{}");
  b->Call("match.leave", "{}");
}

// A player with two sockets who queues from one: both get match.matched (issue 11 item 1).
TEST_F(MatchmakingTest, TicketFromAnotherSocketReachesEverySocketOfThePlayer) {
  auto a = NewPlayer(), b = NewPlayer();
  Player a2;
  a2.id = a->id;
  a2.token = a->token;
  ASSERT_TRUE(a2.Connect(server_->port()));
  JsonDoc qa = a->Call("matchmaker.add", R"({"mode":"demo"})");
  ASSERT_EQ(qa.Str({"type"}).value_or(""), "matchmaker.queued") << qa.text();
  JsonDoc qb = b->Call("matchmaker.add", R"({"mode":"demo"})");
  ASSERT_EQ(qb.Str({"type"}).value_or(""), "matchmaker.queued") << qb.text();
  auto m1 = a->WaitFor("match.matched"), m2 = a2.WaitFor("match.matched");
  ASSERT_TRUE(m1 && m2);
  EXPECT_EQ(m1->Str({"payload", "match_id"}).value_or("x"),
            m2->Str({"payload", "match_id"}).value_or("y"));
  a->Call("match.leave", "{}");
  b->Call("match.leave", "{}");
}

// The directory gauge on /metrics counts authenticated sockets, and is 0 once every socket
// of the suite has closed.
TEST_F(MatchmakingTest, DirectoryGaugeFollowsSockets) {
  auto gauge = [] {
    HttpResponse m = Http("GET", "/metrics");
    size_t at = m.body.find("\nasobi_directory_entries ");
    if (at == std::string::npos) return int64_t(-1);
    return int64_t(std::atoll(m.body.c_str() + at + 25));
  };
  auto wait_until = [&](const std::function<bool(int64_t)>& ok) {
    int64_t deadline = NowMs() + kMatchWaitMs;
    int64_t v = gauge();
    while (!ok(v) && NowMs() < deadline) {
      usleep(10 * 1000);
      v = gauge();
    }
    return v;
  };
  {
    auto a = NewPlayer(), b = NewPlayer();
    EXPECT_GE(wait_until([](int64_t v) { return v >= 2; }), 2);
  }
  EXPECT_EQ(wait_until([](int64_t v) { return v == 0; }), 0);
}

}  // namespace
}  // namespace asobi::itest
