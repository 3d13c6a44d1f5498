// HttpSession driven in-process on a real shard (tests/unit/server/session_harness.h): a test
// client on one end of a loopback TCP connection, the session on the other, and bytes or
// completions injected on the shard where the order matters (pipelining, busy, upgrade with
// leftover bytes, the input bound, deadlines, lingering close).
#include "server/http_session.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "http_client.h"
#include "itest_checks.h"
#include "json_doc.h"
#include "session_harness.h"

namespace asobi {
namespace {

using itest::HttpClient;
using itest::HttpResponse;
using itest::IsErrorEnvelope;
using itest::RecvStatus;
using Phase = HttpSession::Phase;

std::string Get(std::string_view path, std::string_view extra = "") {
  return "GET " + std::string(path) + " HTTP/1.1\r\nHost: t\r\n" + std::string(extra) + "\r\n";
}

std::string Post(std::string_view path, std::string_view body,
                 std::string_view type = "application/json") {
  std::string r = "POST " + std::string(path) + " HTTP/1.1\r\nHost: t\r\n";
  if (!type.empty()) r += "Content-Type: " + std::string(type) + "\r\n";
  return r + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

// Deadlines long enough never to fire unless a test shortens one.
Config LongDeadlines() {
  Config c;
  c.http_idle_timeout_ms = 600000;
  c.http_header_timeout_ms = 600000;
  c.http_body_timeout_ms = 600000;
  c.http_request_timeout_ms = 600000;
  c.http_linger_ms = 600000;
  return c;
}

class HttpSessionTest : public ::testing::Test {
 protected:
  void Start(Config config = LongDeadlines()) {
    h_ = std::make_unique<test::SessionHarness>(std::move(config));
  }
  ConnId Open(HttpClient* client, const std::string& peer_ip = "127.0.0.1") {
    EXPECT_TRUE(client->Connect(h_->port())) << "errno " << client->socket().last_errno();
    return h_->Accept(peer_ip);
  }
  // Runs on the shard: the session of `id`, or null when the connection is gone or upgraded.
  HttpSession* SessionOf(ConnId id) {
    TcpConnection* c = h_->Find(id);
    return c ? dynamic_cast<HttpSession*>(c->handler()) : nullptr;
  }
  std::optional<Phase> PhaseOf(ConnId id) {
    std::optional<Phase> p;
    h_->Run([&] {
      if (HttpSession* s = SessionOf(id)) p = s->phase();
    });
    return p;
  }
  // Injects `bytes` as one receive on the shard (exact chunk boundaries).
  void Feed(ConnId id, std::string bytes) {
    h_->Run([&] {
      TcpConnection* c = h_->Find(id);
      ASSERT_NE(c, nullptr);
      c->handler()->OnData(*c, bytes);
    });
  }
  size_t Pending() {
    size_t n = 0;
    h_->Run([&] { n = h_->pending().size(); });
    return n;
  }
  size_t Orphans() {
    size_t n = 0;
    h_->Run([&] { n = h_->state().orphan_calls.size(); });
    return n;
  }
  // Polls the shard until `cond` holds (bounded: fails after ~5 s of loop turns).
  bool WaitOnShard(const std::function<bool()>& cond) {
    for (int i = 0; i < 50000; ++i) {
      bool ok = false;
      h_->Run([&] { ok = cond(); });
      if (ok) return true;
      h_->Settle();
    }
    return false;
  }
  HttpResponse Read(HttpClient& c) {
    std::optional<HttpResponse> r = c.ReadResponse();
    EXPECT_TRUE(r.has_value()) << c.error();
    return r.value_or(HttpResponse{});
  }
  // The server half-closed: EOF (a FIN, not a reset) with nothing more to read.
  static bool ReadsEof(HttpClient& c) {
    if (!c.buffered().empty()) return false;
    std::string more;
    return c.socket().RecvSome(&more, itest::kIoTimeoutMs) == RecvStatus::kEof && more.empty();
  }

  std::unique_ptr<test::SessionHarness> h_;
};

// ---- Pipelining and busy ----

TEST_F(HttpSessionTest, PipelinedRequestsAroundASlowOneAreAnsweredInOrder) {
  Start();
  HttpClient c;
  ConnId id = Open(&c);
  const std::string third = Get("/sync", "X-N: 3\r\n");
  ASSERT_TRUE(c.SendRaw(Get("/sync") + Get("/slow") + third));
  HttpResponse first = Read(c);
  EXPECT_EQ(first.body, R"({"ok":true})");
  // The slow request holds the connection: the third waits in the buffer, unparsed.
  ASSERT_TRUE(WaitOnShard([&] { return h_->pending().size() == 1; }));
  h_->Run([&] {
    HttpSession* s = SessionOf(id);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->phase(), Phase::kBusy);
    EXPECT_EQ(s->buffered_bytes(), third.size());
    EXPECT_TRUE(h_->CompleteOldest());
  });
  EXPECT_EQ(Read(c).body, R"({"slow":true})");
  EXPECT_EQ(Read(c).body, R"({"ok":true})");
  EXPECT_EQ(PhaseOf(id), Phase::kIdle);
}

TEST_F(HttpSessionTest, SynchronousAnswersDoNotLeaveTheSessionBusy) {
  Start();
  HttpClient c;
  ConnId id = Open(&c);
  std::string burst;
  for (int i = 0; i < 20; ++i) burst += Get("/sync");
  Feed(id, burst);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(Read(c).status, 200) << i;
  h_->Run([&] {
    HttpSession* s = SessionOf(id);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->phase(), Phase::kIdle);
    EXPECT_EQ(s->buffered_bytes(), 0u);
  });
}

// A connection closed from outside (drain) while requests wait behind a slow one starts no
// new handler work for them.
TEST_F(HttpSessionTest, WaitingRequestsAreNotStartedOnceTheConnectionCloses) {
  Start();
  HttpClient c;
  ConnId id = Open(&c);
  ASSERT_TRUE(c.SendRaw(Get("/slow") + Get("/slow", "X-N: 2\r\n")));
  ASSERT_TRUE(WaitOnShard([&] {
    HttpSession* s = SessionOf(id);
    return h_->pending().size() == 1 && s != nullptr && s->buffered_bytes() > 0;
  }));
  h_->Run([&] {
    EXPECT_TRUE(h_->CompleteOldest());
    h_->Find(id)->Close();
  });
  h_->Settle();
  EXPECT_EQ(Pending(), 0u);
  EXPECT_EQ(Orphans(), 0u);
}

// Issue 10 defect 5: while a handler works, input is not buffered without bound: past
// kPauseBytes the session stops reading (TCP backpressure), and resumes after the answer.
TEST_F(HttpSessionTest, BusySessionStopsReadingAndResumesAfterTheAnswer) {
  Start();
  HttpClient c;
  ConnId id = Open(&c);
  ASSERT_TRUE(c.SendRaw(Get("/slow")));
  ASSERT_TRUE(WaitOnShard([&] { return h_->pending().size() == 1; }));
  // 8 MiB of pipelined requests, padded so that their answers stay well inside the send
  // queue bound while the client reads them.
  const std::string req = Get("/sync", "X-Pad: " + std::string(500, 'p') + "\r\n");
  const int kCount = int((8u << 20) / req.size());
  std::atomic<bool> sent{false};
  std::thread sender([&] {
    std::string all;
    for (int i = 0; i < kCount; ++i) all += req;
    sent = c.socket().SendAll(all, 30000);
  });
  ASSERT_TRUE(WaitOnShard([&] {
    TcpConnection* conn = h_->Find(id);
    return conn != nullptr && conn->recv_paused();
  }));
  // Completions already queued when reading paused still arrive during the next turns;
  // after that nothing more comes in.
  auto buffered = [&] {
    size_t n = 0;
    h_->Run([&] { n = SessionOf(id)->buffered_bytes(); });
    return n;
  };
  for (int i = 0; i < 3; ++i) h_->Settle();
  const size_t settled = buffered();
  for (int i = 0; i < 5; ++i) h_->Settle();
  EXPECT_EQ(buffered(), settled);
  h_->Run([&] {
    HttpSession* s = SessionOf(id);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->phase(), Phase::kBusy);
    EXPECT_TRUE(h_->Find(id)->recv_paused());
    EXPECT_GT(s->buffered_bytes(), HttpSession::kPauseBytes);
    EXPECT_LT(s->buffered_bytes(), size_t(kCount) * req.size() / 2);  // the rest waits
    EXPECT_TRUE(h_->CompleteOldest());
  });
  EXPECT_EQ(Read(c).body, R"({"slow":true})");
  for (int i = 0; i < kCount; ++i) {
    HttpResponse r = Read(c);
    ASSERT_EQ(r.status, 200) << i;
  }
  sender.join();
  EXPECT_TRUE(sent);
  h_->Run([&] { EXPECT_FALSE(h_->Find(id)->recv_paused()); });
}

// The hard bound behind the pause: bytes that still arrive past it close the connection.
TEST_F(HttpSessionTest, InputPastTheBoundWhileBusyClosesTheConnection) {
  Start();
  HttpClient c;
  ConnId id = Open(&c);
  Feed(id, Get("/slow"));
  size_t bound = 0;
  h_->Run([&] { bound = SessionOf(id)->buffered_bytes_max(); });
  const std::string chunk(64 * 1024, 'x');
  size_t fed = 0;
  while (fed <= bound) {
    h_->Run([&] {
      TcpConnection* conn = h_->Find(id);
      ASSERT_NE(conn, nullptr);
      ASSERT_FALSE(conn->closing()) << fed;
      ASSERT_EQ(SessionOf(id)->phase(), Phase::kBusy) << fed;
      conn->handler()->OnData(*conn, chunk);
      fed += chunk.size();
      if (fed > bound) {
        EXPECT_TRUE(conn->closing());
        EXPECT_EQ(SessionOf(id)->phase(), Phase::kDone);
      }
    });
    ASSERT_FALSE(HasFatalFailure());
  }
  EXPECT_TRUE(c.WaitForClose());
  // The connection is gone; the handler still owns its request until its late answer.
  ASSERT_TRUE(WaitOnShard([&] { return h_->Find(id) == nullptr; }));
  EXPECT_EQ(Orphans(), 1u);
  h_->Run([&] { EXPECT_TRUE(h_->CompleteOldest()); });
  h_->Settle();
  EXPECT_EQ(Orphans(), 0u);
}

// ---- Parser use: 100 Continue, incremental parsing ----

TEST_F(HttpSessionTest, ExpectContinueIsSentOncePerRequest) {
  Start();
  HttpClient c;
  ConnId id = Open(&c);
  const std::string head =
      "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
      "Expect: 100-continue\r\nContent-Length: 12\r\n\r\n";
  Feed(id, head);
  Feed(id, "{\"a\":");
  Feed(id, "\"bc\"");
  Feed(id, "}\r");  // one byte short
  Feed(id, "\n" + head);
  Feed(id, "{\"a\":\"bc\"}\r\n");
  int continues = 0;
  std::vector<std::string> bodies;
  while (bodies.size() < 2) {
    std::optional<HttpResponse> r = c.ReadResponse();
    ASSERT_TRUE(r.has_value()) << c.error();
    if (r->status == 100) {
      ++continues;
    } else {
      EXPECT_EQ(r->status, 200);
      bodies.push_back(r->body);
    }
  }
  EXPECT_EQ(continues, 2);  // one per request, not one per chunk
  EXPECT_EQ(bodies[0], "{\"a\":\"bc\"}\r\n");
  EXPECT_EQ(bodies[1], "{\"a\":\"bc\"}\r\n");
}

TEST_F(HttpSessionTest, HeadersTrickledByteByByteParseOnce) {
  Start();
  HttpClient c;
  ConnId id = Open(&c);
  const std::string req = Get("/sync", "X-A: 1\r\nX-B: 2\r\n");
  for (size_t i = 0; i + 1 < req.size(); ++i) {
    Feed(id, req.substr(i, 1));
    ASSERT_EQ(PhaseOf(id), Phase::kHeader) << i;
  }
  Feed(id, req.substr(req.size() - 1));
  EXPECT_EQ(Read(c).body, R"({"ok":true})");
  EXPECT_EQ(PhaseOf(id), Phase::kIdle);
}

// ---- Upgrade ----

// Decodes one unmasked server text frame (payload < 126 bytes) from the client's stream.
std::optional<std::string> ReadServerText(HttpClient& c, std::string* buf) {
  for (int i = 0; i < 100; ++i) {
    if (buf->size() >= 2) {
      size_t len = uint8_t((*buf)[1]) & 0x7f;
      EXPECT_LT(len, 126u);
      if (buf->size() >= 2 + len) {
        EXPECT_EQ(uint8_t((*buf)[0]), 0x81);
        std::string payload = buf->substr(2, len);
        buf->erase(0, 2 + len);
        return payload;
      }
    }
    if (c.socket().RecvSome(buf, itest::kIoTimeoutMs) != RecvStatus::kData) return std::nullopt;
  }
  return std::nullopt;
}

std::string MaskedText(std::string_view payload) {
  std::string f;
  f.push_back(char(0x81));
  f.push_back(char(0x80 | payload.size()));
  const char mask[4] = {1, 2, 3, 4};
  f.append(mask, 4);
  for (size_t i = 0; i < payload.size(); ++i) f.push_back(char(payload[i] ^ mask[i % 4]));
  return f;
}

constexpr std::string_view kUpgrade =
    "GET /ws HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

TEST_F(HttpSessionTest, UpgradeHandsLeftoverBytesToTheWebSocket) {
  Start();
  HttpClient c;
  ConnId id = Open(&c);
  Feed(id,
       std::string(kUpgrade) + MaskedText(R"({"type":"session.heartbeat","cid":7,"payload":{}})"));
  HttpResponse r = Read(c);
  EXPECT_EQ(r.status, 101);
  std::string buf = c.TakeBuffered();
  std::optional<std::string> text = ReadServerText(c, &buf);
  ASSERT_TRUE(text.has_value());
  itest::JsonDoc doc;
  ASSERT_TRUE(doc.Parse(*text)) << *text;
  EXPECT_TRUE(itest::IsHeartbeatReply(doc, "7"));
  h_->Run([&] { EXPECT_EQ(SessionOf(id), nullptr); });  // a WsSession owns it now
}

TEST_F(HttpSessionTest, Http10UpgradeIsRefused) {
  Start();
  HttpClient c;
  Open(&c);
  std::string req(kUpgrade);
  req.replace(req.find("HTTP/1.1"), 8, "HTTP/1.0");
  ASSERT_TRUE(c.SendRaw(req));
  HttpResponse r = Read(c);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("HTTP/1.1"), std::string::npos) << r.body;
  EXPECT_TRUE(ReadsEof(c));
}

TEST_F(HttpSessionTest, OtherMethodsOnWsAre405AllowGet) {
  Start();
  HttpClient c;
  Open(&c);
  ASSERT_TRUE(c.SendRaw(Post("/ws", "{}")));
  HttpResponse r = Read(c);
  EXPECT_TRUE(IsErrorEnvelope(r, 405, "method_not_allowed"));
  EXPECT_EQ(r.Header("allow").value_or(""), "GET");
  ASSERT_TRUE(c.SendRaw(Get("/sync")));  // still keep-alive
  EXPECT_EQ(Read(c).status, 200);
}

// ---- Bodies ----

TEST_F(HttpSessionTest, JsonBodyWithoutJsonContentTypeIs415) {
  Start();
  HttpClient c;
  Open(&c);
  for (std::string_view type : {"text/plain", "", "application/x-www-form-urlencoded"}) {
    ASSERT_TRUE(c.SendRaw(Post("/echo", R"({"a":1})", type)));
    EXPECT_TRUE(IsErrorEnvelope(Read(c), 415, "unsupported_media_type")) << type;
  }
  for (std::string_view type : {"application/json; charset=utf-8", "application/vnd.x+json"}) {
    ASSERT_TRUE(c.SendRaw(Post("/echo", R"({"a":1})", type)));
    EXPECT_EQ(Read(c).body, R"({"a":1})") << type;
  }
  ASSERT_TRUE(c.SendRaw(Post("/echo", "", "text/plain")));  // no body: nothing to refuse
  EXPECT_EQ(Read(c).status, 200);
}

// No Content-Length and no Transfer-Encoding: an empty body (Godot's HTTPClient sends body-less
// POSTs so), answered and kept alive; chunked: 411 and closed.
TEST_F(HttpSessionTest, PostWithoutContentLengthIsEmptyChunkedIs411) {
  Start();
  HttpClient c;
  Open(&c);
  ASSERT_TRUE(
      c.SendRaw("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n\r\n"));
  HttpResponse r = Read(c);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
  ASSERT_TRUE(
      c.SendRaw("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"));
  EXPECT_TRUE(IsErrorEnvelope(Read(c), 411, "length_required"));
  EXPECT_TRUE(ReadsEof(c));
}

// ---- /metrics access ----

TEST_F(HttpSessionTest, MetricsOnlyForLoopbackWithoutForwardingOrWithTheToken) {
  Config config = LongDeadlines();
  config.metrics_token = "ops-secret";
  Start(config);
  HttpClient local, remote;
  Open(&local, "127.0.0.1");
  Open(&remote, "10.1.2.3");
  ASSERT_TRUE(local.SendRaw(Get("/metrics")));
  EXPECT_EQ(Read(local).status, 200);
  ASSERT_TRUE(local.SendRaw(Get("/metrics", "X-Forwarded-For: 203.0.113.5\r\n")));
  EXPECT_TRUE(IsErrorEnvelope(Read(local), 403, "forbidden"));
  ASSERT_TRUE(remote.SendRaw(Get("/metrics")));
  EXPECT_TRUE(IsErrorEnvelope(Read(remote), 403, "forbidden"));
  ASSERT_TRUE(remote.SendRaw(Get("/metrics", "Authorization: Bearer ops-secre\r\n")));
  EXPECT_TRUE(IsErrorEnvelope(Read(remote), 403, "forbidden"));
  ASSERT_TRUE(remote.SendRaw(Get("/metrics", "Authorization: Bearer ops-secret\r\n")));
  HttpResponse ok = Read(remote);
  EXPECT_EQ(ok.status, 200);
  EXPECT_NE(ok.body.find("asobi_connections"), std::string::npos);
}

// ---- Deadlines ----

TEST_F(HttpSessionTest, HandlerThatMissesItsDeadlineGets503AndTheLateAnswerIsDropped) {
  Config config = LongDeadlines();
  config.http_request_timeout_ms = 50;
  Start(config);
  HttpClient c;
  ConnId id = Open(&c);
  ASSERT_TRUE(c.SendRaw(Get("/slow") + Get("/sync")));
  HttpResponse late = Read(c);
  EXPECT_TRUE(IsErrorEnvelope(late, 503, "not_ready"));
  EXPECT_EQ(late.Header("connection").value_or(""), "keep-alive");
  EXPECT_EQ(Read(c).body, R"({"ok":true})");  // the pipelined request went on
  EXPECT_EQ(Orphans(), 1u);                   // kept for the handler that still runs
  h_->Run([&] { EXPECT_TRUE(h_->CompleteOldest()); });
  h_->Settle();
  EXPECT_EQ(Orphans(), 0u);
  // The late answer was not sent: the next response on the socket is the next request's.
  ASSERT_TRUE(c.SendRaw(Get("/sync", "X-N: 2\r\n")));
  HttpResponse next = Read(c);
  EXPECT_EQ(next.body, R"({"ok":true})");
  EXPECT_TRUE(c.buffered().empty());
  EXPECT_EQ(PhaseOf(id), Phase::kIdle);
}

TEST_F(HttpSessionTest, IdleConnectionIsClosedQuietly) {
  Config config = LongDeadlines();
  config.http_idle_timeout_ms = 30;
  Start(config);
  HttpClient fresh, used;
  Open(&fresh);
  Open(&used);
  ASSERT_TRUE(used.SendRaw(Get("/sync")));
  EXPECT_EQ(Read(used).status, 200);
  EXPECT_TRUE(ReadsEof(fresh));
  EXPECT_TRUE(ReadsEof(used));
}

TEST_F(HttpSessionTest, SlowHeaderAndSlowBodyGet408) {
  Config config = LongDeadlines();
  config.http_header_timeout_ms = 30;
  config.http_body_timeout_ms = 30;
  Start(config);
  HttpClient header, body;
  Open(&header);
  Open(&body);
  ASSERT_TRUE(header.SendRaw("GET /sync HTTP/1.1\r\nHost: t\r\n"));
  const std::string post = Post("/echo", "0123456789");
  ASSERT_TRUE(body.SendRaw(post.substr(0, post.size() - 5)));  // headers and half the body
  EXPECT_TRUE(IsErrorEnvelope(Read(header), 408, "request_timeout"));
  EXPECT_TRUE(IsErrorEnvelope(Read(body), 408, "request_timeout"));
  EXPECT_TRUE(ReadsEof(header));
  EXPECT_TRUE(ReadsEof(body));
}

// After an answer that ends the connection the server half-closes and keeps reading, so the
// client's unread input never turns into an RST that would destroy the response.
TEST_F(HttpSessionTest, ErrorAnswerLingersReadingUntilTheClientCloses) {
  Start();
  HttpClient c;
  ConnId id = Open(&c);
  ASSERT_TRUE(c.SendRaw("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2000000\r\n\r\n"));
  EXPECT_TRUE(IsErrorEnvelope(Read(c), 413, "payload_too_large"));
  EXPECT_TRUE(ReadsEof(c));
  EXPECT_EQ(PhaseOf(id), Phase::kLinger);
  // The server still reads (and drops) what the client sends after the FIN.
  ASSERT_TRUE(c.SendRaw(std::string(512 * 1024, 'x')));
  c.socket().ShutdownWrite();
  ASSERT_TRUE(WaitOnShard([&] { return h_->Find(id) == nullptr; }));
}

TEST_F(HttpSessionTest, LingerEndsAtItsDeadline) {
  Config config = LongDeadlines();
  config.http_linger_ms = 30;
  Start(config);
  HttpClient c;
  ConnId id = Open(&c);
  ASSERT_TRUE(c.SendRaw("GET /sync HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
  EXPECT_EQ(Read(c).status, 200);
  EXPECT_TRUE(ReadsEof(c));
  // The client never closes; the linger deadline does.
  ASSERT_TRUE(WaitOnShard([&] { return h_->Find(id) == nullptr; }));
}

}  // namespace
}  // namespace asobi
