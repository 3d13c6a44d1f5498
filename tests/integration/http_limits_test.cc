// HTTP connection deadlines and request rules of the real server (issue 10; docs/decisions.md
// "Connection limits and timeouts"; rest.md §1.1, §4.3): slowloris headers, half-sent bodies
// and idle keep-alive connections are closed at their deadlines, a route that cannot answer
// in time (a stalled database) gets 503, an early error on a body still arriving is not lost
// to an RST, and the body, method, upgrade and /metrics rules.
#include <gtest/gtest.h>

#include <string>

#include "http_call.h"
#include "http_client.h"
#include "itest_checks.h"
#include "json_doc.h"
#include "pg_test_db.h"
#include "server_harness.h"

namespace asobi::itest {
namespace {

std::string Get(std::string_view path, std::string_view extra = "") {
  return "GET " + std::string(path) + " HTTP/1.1\r\nHost: t\r\n" + std::string(extra) + "\r\n";
}

// Each test starts its own server with the flags under test.
class HttpLimitsTest : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> flags) {
    ServerOptions o;
    o.flags = std::move(flags);
    ASSERT_TRUE(server_.Start(o));
  }
  void TearDown() override {
    if (HasFailure()) std::fprintf(stderr, "server log:\n%s", server_.log().c_str());
    EXPECT_TRUE(server_.Stop());
  }
  uint16_t port() const { return server_.port(); }
  HttpResponse Roundtrip(HttpClient& c, const std::string& request) {
    EXPECT_TRUE(c.SendRaw(request));
    std::optional<HttpResponse> r = c.ReadResponse();
    EXPECT_TRUE(r.has_value()) << c.error();
    return r.value_or(HttpResponse{});
  }
  // The server closed with a FIN (EOF), not a reset, and sent nothing more.
  static bool ClosedCleanly(HttpClient& c) {
    if (!c.buffered().empty()) return false;
    std::string more;
    return c.socket().RecvSome(&more, kIoTimeoutMs) == RecvStatus::kEof && more.empty();
  }

  ServerProcess server_;
};

// ---- Deadlines ----

// A slowloris client keeps sending header lines, each well within any per-read timeout; the
// header deadline counts from the request's first byte, so it still ends with 408.
TEST_F(HttpLimitsTest, SlowlorisHeaderIsClosedAtItsDeadline) {
  ASSERT_NO_FATAL_FAILURE(Start({"--http-header-timeout-ms", "300"}));
  HttpClient c;
  ASSERT_TRUE(c.Connect(port()));
  ASSERT_TRUE(c.SendRaw("GET /live HTTP/1.1\r\nHost: t\r\n"));
  std::string got;
  RecvStatus st = RecvStatus::kTimeout;
  for (int i = 0; i < 500 && st == RecvStatus::kTimeout; ++i) {
    if (!c.SendRaw("X-Drip-" + std::to_string(i) + ": 1\r\n")) break;
    st = c.socket().RecvSome(&got, 20);  // bounded wait for the server's answer
  }
  ASSERT_EQ(st, RecvStatus::kData) << "no answer while the headers kept dripping";
  while (c.socket().RecvSome(&got, kIoTimeoutMs) == RecvStatus::kData) {
  }  // the rest of the answer, then EOF
  HttpResponse r;
  const size_t head_end = got.find("\r\n\r\n");
  ASSERT_NE(head_end, std::string::npos) << got;
  ASSERT_TRUE(ParseResponseHead(got.substr(0, head_end), &r)) << got;
  r.body = got.substr(head_end + 4);
  EXPECT_TRUE(IsErrorEnvelope(r, 408, "request_timeout"));
  EXPECT_EQ(r.Header("connection").value_or(""), "close");
  std::string more;
  EXPECT_EQ(c.socket().RecvSome(&more, kIoTimeoutMs), RecvStatus::kEof);
}

TEST_F(HttpLimitsTest, HalfSentBodyIsClosedAtItsDeadline) {
  ASSERT_NO_FATAL_FAILURE(Start({"--http-body-timeout-ms", "300"}));
  HttpClient c;
  ASSERT_TRUE(c.Connect(port()));
  ASSERT_TRUE(
      c.SendRaw("POST /api/v1/auth/login HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                "Content-Length: 100\r\n\r\n{\"username\":"));
  std::optional<HttpResponse> r = c.ReadResponse();
  ASSERT_TRUE(r.has_value()) << c.error();
  EXPECT_TRUE(IsErrorEnvelope(*r, 408, "request_timeout"));
  EXPECT_EQ(r->Header("connection").value_or(""), "close");
  EXPECT_TRUE(ClosedCleanly(c));
}

TEST_F(HttpLimitsTest, IdleKeepAliveConnectionIsClosedAtItsDeadline) {
  ASSERT_NO_FATAL_FAILURE(Start({"--http-idle-timeout-ms", "300"}));
  HttpClient used, fresh;
  ASSERT_TRUE(used.Connect(port()));
  ASSERT_TRUE(fresh.Connect(port()));
  HttpResponse r = Roundtrip(used, Get("/live"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("connection").value_or(""), "keep-alive");
  EXPECT_TRUE(ClosedCleanly(used));   // idle after a response
  EXPECT_TRUE(ClosedCleanly(fresh));  // never sent anything
}

// A connection that keeps sending requests is not idle.
TEST_F(HttpLimitsTest, BusyKeepAliveConnectionOutlivesTheIdleDeadline) {
  ASSERT_NO_FATAL_FAILURE(Start({"--http-idle-timeout-ms", "300"}));
  HttpClient busy, idle;
  ASSERT_TRUE(busy.Connect(port()));
  ASSERT_TRUE(idle.Connect(port()));
  // `busy` opened first; keep it working until `idle` is closed, then once more.
  RecvStatus st = RecvStatus::kTimeout;
  std::string got;
  for (int i = 0; i < 1000 && st == RecvStatus::kTimeout; ++i) {
    ASSERT_EQ(Roundtrip(busy, Get("/live")).status, 200);
    st = idle.socket().RecvSome(&got, 10);
  }
  ASSERT_EQ(st, RecvStatus::kEof);
  EXPECT_EQ(Roundtrip(busy, Get("/live")).status, 200);
}

// ---- Lingering close ----

// Issue 10 item 13: a 2 MiB login body gets 413 as soon as the headers are in; the server
// then keeps reading (and dropping) the body instead of closing on unread input, which made
// the kernel send an RST that could destroy the 413 before the client read it.
TEST_F(HttpLimitsTest, ClientThatSendsTwoMiBThenReadsGets413EveryTime) {
  ASSERT_NO_FATAL_FAILURE(Start({}));
  const std::string body(2u << 20, 'x');
  for (int i = 0; i < 20; ++i) {
    HttpClient c;
    ASSERT_TRUE(c.Connect(port()));
    ASSERT_TRUE(c.SendRaw(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        "Content-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body))
        << "send failed at attempt " << i << ", errno " << c.socket().last_errno();
    std::optional<HttpResponse> r = c.ReadResponse();
    ASSERT_TRUE(r.has_value()) << "attempt " << i << ": " << c.error();
    EXPECT_TRUE(IsErrorEnvelope(*r, 413, "payload_too_large"));
    EXPECT_TRUE(ClosedCleanly(c));
  }
}

// ---- Request rules ----

// Issue 10 item 13 (CSRF): JSON is read only from JSON bodies (rest.md §1.1).
TEST_F(HttpLimitsTest, JsonBodySentAsTextPlainIs415) {
  ASSERT_NO_FATAL_FAILURE(Start({}));
  HttpClient c;
  ASSERT_TRUE(c.Connect(port()));
  const std::string body = R"({"username":"a","password":"password123"})";
  HttpResponse r = Roundtrip(c,
                             "POST /api/v1/auth/login HTTP/1.1\r\nHost: t\r\n"
                             "Content-Type: text/plain;charset=UTF-8\r\nContent-Length: " +
                                 std::to_string(body.size()) + "\r\n\r\n" + body);
  EXPECT_TRUE(IsErrorEnvelope(r, 415, "unsupported_media_type"));
  EXPECT_TRUE(HasSecurityHeaders(r));
  EXPECT_EQ(Roundtrip(c, Get("/live")).status, 200);  // the connection stays usable
}

// A POST without Content-Length has an empty body (Godot's HTTPClient sends body-less POSTs
// that way), so the route answers; a body of unknown length (chunked) is 411 (rest.md §4.3).
TEST_F(HttpLimitsTest, PostWithoutContentLengthIsEmptyAndChunkedIs411) {
  ASSERT_NO_FATAL_FAILURE(Start({}));
  HttpClient c;
  ASSERT_TRUE(c.Connect(port()));
  HttpResponse r = Roundtrip(c,
                             "POST /api/v1/auth/login HTTP/1.1\r\nHost: t\r\n"
                             "Content-Type: application/json\r\n\r\n");
  // Read as an empty body and routed: without a database the login route answers not_ready.
  EXPECT_TRUE(IsErrorEnvelope(r, 503, "not_ready")) << r.status << " " << r.body;
  HttpClient c2;
  ASSERT_TRUE(c2.Connect(port()));
  r = Roundtrip(c2,
                "POST /api/v1/auth/login HTTP/1.1\r\nHost: t\r\n"
                "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                "2\r\n{}\r\n0\r\n\r\n");
  EXPECT_TRUE(IsErrorEnvelope(r, 411, "length_required"));
  EXPECT_TRUE(ClosedCleanly(c2));
}

TEST_F(HttpLimitsTest, PostToWsIs405AllowingGet) {
  ASSERT_NO_FATAL_FAILURE(Start({}));
  HttpClient c;
  ASSERT_TRUE(c.Connect(port()));
  HttpResponse r = Roundtrip(c, "POST /ws HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
  EXPECT_TRUE(IsErrorEnvelope(r, 405, "method_not_allowed"));
  EXPECT_EQ(r.Header("allow").value_or(""), "GET");
}

TEST_F(HttpLimitsTest, Http10UpgradeIsRefused) {
  ASSERT_NO_FATAL_FAILURE(Start({}));
  HttpClient c;
  ASSERT_TRUE(c.Connect(port()));
  HttpResponse r =
      Roundtrip(c,
                "GET /ws HTTP/1.0\r\nHost: t\r\nUpgrade: websocket\r\n"
                "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(IsErrorEnvelope(r, 400, ""));
  EXPECT_FALSE(r.Header("sec-websocket-accept").has_value());
}

// /metrics: loopback clients without proxy headers; anyone else needs --metrics-token.
TEST_F(HttpLimitsTest, MetricsNeedLoopbackWithoutProxyHeadersOrTheToken) {
  ASSERT_NO_FATAL_FAILURE(Start({"--metrics-token", "ops-token-1"}));
  HttpClient c;
  ASSERT_TRUE(c.Connect(port()));
  EXPECT_EQ(Roundtrip(c, Get("/metrics")).status, 200);
  EXPECT_TRUE(IsErrorEnvelope(Roundtrip(c, Get("/metrics", "X-Forwarded-For: 198.51.100.7\r\n")),
                              403, "forbidden"));
  EXPECT_TRUE(IsErrorEnvelope(Roundtrip(c, Get("/metrics", "Forwarded: for=198.51.100.7\r\n")), 403,
                              "forbidden"));
  EXPECT_TRUE(IsErrorEnvelope(Roundtrip(c, Get("/metrics",
                                               "X-Forwarded-For: 198.51.100.7\r\n"
                                               "Authorization: Bearer wrong-token\r\n")),
                              403, "forbidden"));
  HttpResponse ok = Roundtrip(c, Get("/metrics",
                                     "X-Forwarded-For: 198.51.100.7\r\n"
                                     "Authorization: Bearer ops-token-1\r\n"));
  EXPECT_EQ(ok.status, 200);
  EXPECT_NE(ok.body.find("asobi_connections"), std::string::npos);
}

// ---- Route deadline against a stalled database ----

class HttpStalledDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(db_.ok()) << db_.error();
    ServerOptions o;
    o.flags = db_.ServerFlags();
    o.flags.insert(o.flags.end(), {"--http-request-timeout-ms", "500", "--rate-limits",
                                   "register=1000/1000,auth=1000/1000,api=1000/1000"});
    ASSERT_TRUE(server_.Start(o));
    ASSERT_TRUE(server_.WaitForLog("migrations applied", 20000)) << server_.log();
    // The shards' database connections come up around the same time.
    for (int i = 0; i < 10000 && HttpCall(server_.port(), "GET", "/ready").status != 200; ++i) {
    }
    ASSERT_EQ(HttpCall(server_.port(), "GET", "/ready").status, 200) << server_.log();
  }
  void TearDown() override {
    if (HasFailure()) std::fprintf(stderr, "server log:\n%s", server_.log().c_str());
    EXPECT_TRUE(server_.Stop());
  }

  TestDatabase db_;
  ServerProcess server_;
};

// Issue 10 defect 9: a request whose handler waits on a locked table gets 503 `not_ready`
// at the request deadline; the connection serves the next request, and when the database
// answers at last the late response is dropped, not written into the connection.
TEST_F(HttpStalledDbTest, StalledRouteGets503AndTheConnectionStaysConsistent) {
  HttpResponse reg = HttpCall(server_.port(), "POST", "/api/v1/auth/register",
                              R"({"username":"stall_user","password":"password123"})");
  ASSERT_EQ(reg.status, 200) << reg.body;
  JsonDoc tokens;
  ASSERT_TRUE(tokens.Parse(reg.body));
  const std::string player = tokens.Str({"player_id"}).value_or("");
  const std::string bearer =
      "Authorization: Bearer " + tokens.Str({"access_token"}).value_or("") + "\r\n";
  const std::string get_player = Get("/api/v1/players/" + player, bearer);

  ASSERT_TRUE(db_.Query("BEGIN").has_value()) << db_.error();
  ASSERT_TRUE(db_.Query("LOCK TABLE players, player_tokens IN ACCESS EXCLUSIVE MODE").has_value())
      << db_.error();
  HttpClient c;
  ASSERT_TRUE(c.Connect(server_.port()));
  ASSERT_TRUE(c.SendRaw(get_player));
  std::optional<HttpResponse> late = c.ReadResponse();
  ASSERT_TRUE(late.has_value()) << c.error();
  EXPECT_TRUE(IsErrorEnvelope(*late, 503, "not_ready"));
  EXPECT_EQ(late->Header("connection").value_or(""), "keep-alive");
  ASSERT_TRUE(c.SendRaw(Get("/live")));  // needs no database
  std::optional<HttpResponse> live = c.ReadResponse();
  ASSERT_TRUE(live.has_value()) << c.error();
  EXPECT_EQ(live->status, 200);

  ASSERT_TRUE(db_.Query("COMMIT").has_value()) << db_.error();
  // The stalled statement completes first (one pipelined connection per shard), so its late
  // answer would arrive before this request's if it were written.
  ASSERT_TRUE(c.SendRaw(get_player));
  std::optional<HttpResponse> again = c.ReadResponse();
  ASSERT_TRUE(again.has_value()) << c.error();
  EXPECT_EQ(again->status, 200) << again->body;
  JsonDoc doc;
  ASSERT_TRUE(doc.Parse(again->body)) << again->body;
  EXPECT_EQ(doc.Str({"id"}).value_or(""), player) << again->body;
  EXPECT_TRUE(c.buffered().empty());
  EXPECT_TRUE(server_.WaitForLog("http request timed out", kIoTimeoutMs));
}

}  // namespace
}  // namespace asobi::itest
