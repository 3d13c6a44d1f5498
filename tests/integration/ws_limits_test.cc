// WebSocket limits and lifecycle that need their own server flags: message rate limit,
// idle-auth timer, connect flood, origin allowlist, slow readers and drain on SIGTERM
// (websocket.md §2.1, §2.4, §3; ARCHITECTURE.md "every queue is bounded").
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <set>
#include <string>

#include "http_client.h"
#include "itest_checks.h"
#include "json_doc.h"
#include "server_harness.h"
#include "ws_client.h"

namespace asobi::itest {
namespace {

constexpr char kToken[] = "limits-token";
constexpr char kPlayer[] = "0190a000-0000-7000-8000-0000000000aa";
// SO_RCVBUF of the slow-reader clients (small, so their kernel buffer fills at once).
constexpr int kSlowReaderRcvbufBytes = 16384;

std::string Heartbeat(std::string_view cid_json) {
  return R"({"type":"session.heartbeat","cid":)" + std::string(cid_json) + R"(,"payload":{}})";
}

const std::string& ConnectMsg() {
  static const std::string msg = R"({"type":"session.connect","cid":"auth","payload":{"token":")" +
                                 std::string(kToken) + R"("}})";
  return msg;
}

::testing::AssertionResult Authenticate(WsClient& ws) {
  JsonDoc reply;
  ::testing::AssertionResult r = ws.Request(ConnectMsg(), &reply);
  if (!r) return r;
  if (reply.Str({"type"}) != "session.connected") {
    return ::testing::AssertionFailure() << "connect failed: " << reply.text();
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult Serves(WsClient& ws, std::string_view cid_json) {
  JsonDoc reply;
  ::testing::AssertionResult r = ws.Request(Heartbeat(cid_json), &reply);
  if (!r) return r;
  return IsHeartbeatReply(reply, std::string(cid_json));
}

// Each test starts its own server with the flags under test.
class WsLimitsTest : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> flags, int drain_timeout_ms = 3000) {
    ServerOptions o;
    o.flags = std::move(flags);
    o.dev_tokens = {{kToken, kPlayer}};
    o.drain_timeout_ms = drain_timeout_ms;
    ASSERT_TRUE(server_.Start(o));
  }
  void TearDown() override { EXPECT_TRUE(server_.Stop()); }
  uint16_t port() const { return server_.port(); }

  ServerProcess server_;
};

// websocket.md §3: frames beyond the limit in one window get rate_limited (no cid) and the
// connection is kept; the next window accepts frames again.
TEST_F(WsLimitsTest, SixthFrameInBurstIsRateLimitedAndConnectionKept) {
  // The idle-auth timer of a second socket (1200 ms) tells us, without sleeping, that the
  // first socket's 1000 ms window has passed.
  ASSERT_NO_FATAL_FAILURE(Start({"--ws-rate-limit", "5", "--ws-idle-auth-timeout-ms", "1200"}));
  WsClient ws;
  ASSERT_TRUE(ws.Open(port()));
  // Frame 1 authenticates (so this socket's own idle-auth timer stays quiet), 2..6 are
  // heartbeats; all six arrive in one write.
  std::string burst;
  EncodeClientFrame(kWsText, ConnectMsg(), true, &burst);
  for (int i = 2; i <= 6; ++i)
    EncodeClientFrame(kWsText, Heartbeat(std::to_string(i)), true, &burst);
  ASSERT_TRUE(ws.SendRaw(burst));
  bool connected = false, limited = false;
  std::set<std::string> heartbeat_cids;
  for (int i = 1; i <= 6; ++i) {
    JsonDoc reply;
    ASSERT_TRUE(ws.RecvJson(&reply));
    if (reply.Str({"type"}) == "session.connected") {
      connected = true;
    } else if (reply.Str({"type"}) == "session.heartbeat") {
      EXPECT_TRUE(IsHeartbeatReply(reply, reply.Raw({"cid"}).value_or("none")));
      heartbeat_cids.insert(reply.Raw({"cid"}).value_or("none"));
    } else {
      EXPECT_TRUE(IsWsError(reply, "rate_limited", "rate_limited", std::nullopt));
      limited = true;
    }
  }
  EXPECT_TRUE(connected);
  EXPECT_TRUE(limited);
  // Frames 2..5 were answered; the 6th is the one that was rate limited.
  EXPECT_EQ(heartbeat_cids, (std::set<std::string>{"2", "3", "4", "5"}));
  // Control frames are not counted: the connection is open and answers a ping.
  ASSERT_TRUE(ws.SendPing("still-open"));
  WsFrame pong;
  ASSERT_EQ(ws.Recv(&pong), WsRecv::kFrame);
  EXPECT_EQ(pong.opcode, kWsPong);
  EXPECT_EQ(pong.payload, "still-open");

  WsClient timer;
  ASSERT_TRUE(timer.Open(port()));
  EXPECT_TRUE(timer.ExpectClose(1008, "idle_auth_timeout"));
  // More than 1000 ms since the first socket opened: a new window.
  EXPECT_TRUE(Serves(ws, "\"next-window\""));
}

// websocket.md §2.1 step 3: no successful session.connect in time → close 1008
// idle_auth_timeout; failed attempts and heartbeats do not count; an authenticated socket is
// never closed by the timer.
TEST_F(WsLimitsTest, IdleAuthTimeoutClosesOnlyUnauthenticatedSockets) {
  ASSERT_NO_FATAL_FAILURE(Start({"--ws-idle-auth-timeout-ms", "300"}));
  WsClient authed;
  ASSERT_TRUE(authed.Open(port()));
  ASSERT_TRUE(Authenticate(authed));

  WsClient idle;
  ASSERT_TRUE(idle.Open(port()));
  EXPECT_TRUE(Serves(idle, "\"hb\""));
  JsonDoc reply;
  ASSERT_TRUE(idle.Request(R"({"type":"session.connect","cid":"bad","payload":{"token":"wrong"}})",
                           &reply));
  EXPECT_TRUE(IsWsError(reply, "invalid_token", "unauthenticated", "\"bad\""));
  EXPECT_TRUE(idle.ExpectClose(1008, "idle_auth_timeout"));
  EXPECT_TRUE(idle.ExpectEof());

  // `authed` opened before `idle`, so its timer would have fired by now; it is still served.
  EXPECT_TRUE(Serves(authed, "\"authed\""));
}

// docs/decisions.md: --ws-rate-limit-close-after rate-limited messages in a row (each
// answered with `rate_limited`) close the socket with 1008 rate_limited.
TEST_F(WsLimitsTest, ConsecutiveRateLimitedMessagesCloseWith1008) {
  ASSERT_NO_FATAL_FAILURE(Start({"--ws-rate-limit", "5", "--ws-rate-limit-close-after", "3"}));
  WsClient ws;
  ASSERT_TRUE(ws.Open(port()));
  std::string burst;  // 5 allowed, then 3 denied in a row, all in one window
  for (int i = 1; i <= 8; ++i)
    EncodeClientFrame(kWsText, Heartbeat(std::to_string(i)), true, &burst);
  ASSERT_TRUE(ws.SendRaw(burst));
  int answered = 0, limited = 0;
  for (int i = 1; i <= 8; ++i) {
    JsonDoc reply;
    ASSERT_TRUE(ws.RecvJson(&reply)) << i;
    if (reply.Str({"type"}) == "session.heartbeat") {
      ++answered;
    } else {
      EXPECT_TRUE(IsWsError(reply, "rate_limited", "rate_limited", std::nullopt));
      ++limited;
    }
  }
  EXPECT_EQ(answered, 5);
  EXPECT_EQ(limited, 3);
  EXPECT_TRUE(ws.ExpectClose(1008, "rate_limited"));
  EXPECT_TRUE(ws.ExpectEof());
}

// Fewer denials in a row than the bound keep the socket: an allowed message resets the run.
TEST_F(WsLimitsTest, RateLimitedMessagesBelowTheBoundKeepTheSocket) {
  ASSERT_NO_FATAL_FAILURE(Start({"--ws-rate-limit", "5", "--ws-rate-limit-close-after", "3"}));
  WsClient ws;
  ASSERT_TRUE(ws.Open(port()));
  std::string burst;  // 5 allowed, 2 denied
  for (int i = 1; i <= 7; ++i)
    EncodeClientFrame(kWsText, Heartbeat(std::to_string(i)), true, &burst);
  ASSERT_TRUE(ws.SendRaw(burst));
  for (int i = 1; i <= 7; ++i) {
    JsonDoc reply;
    ASSERT_TRUE(ws.RecvJson(&reply)) << i;
  }
  // Control frames are not rate limited: a ping proves the socket is open.
  ASSERT_TRUE(ws.SendPing("open"));
  WsFrame pong;
  ASSERT_EQ(ws.Recv(&pong), WsRecv::kFrame);
  EXPECT_EQ(pong.opcode, kWsPong);
}

// websocket.md §2.3/§2.4: once authenticated, inbound silence longer than
// --ws-idle-timeout-ms closes the socket with 1000 and an empty reason; any inbound message
// (asobi-js heartbeats every 30 s) keeps it open.
TEST_F(WsLimitsTest, SilentAuthenticatedSocketIsClosedAndHeartbeatingOneIsKept) {
  ASSERT_NO_FATAL_FAILURE(Start({"--ws-idle-timeout-ms", "400", "--ws-rate-limit", "1000000"}));
  WsClient beating, silent;
  ASSERT_TRUE(beating.Open(port()));
  ASSERT_TRUE(Authenticate(beating));
  ASSERT_TRUE(silent.Open(port()));
  ASSERT_TRUE(Authenticate(silent));
  // `beating` heartbeats back to back while we wait (bounded reads) for `silent` to close.
  WsFrame f;
  WsRecv r = WsRecv::kTimeout;
  for (int i = 0; i < 1000 && r == WsRecv::kTimeout; ++i) {
    ASSERT_TRUE(Serves(beating, "\"hb" + std::to_string(i) + "\""));
    r = silent.Recv(&f, 10);
  }
  ASSERT_EQ(r, WsRecv::kFrame);
  EXPECT_EQ(f.opcode, kWsClose);
  EXPECT_EQ(f.CloseCode(), 1000);
  EXPECT_EQ(f.CloseReason(), "");
  EXPECT_TRUE(silent.ExpectEof());
  // `beating` authenticated before `silent`, so its own silence deadline would have passed.
  EXPECT_TRUE(Serves(beating, "\"after\""));
}

// Before authentication only the idle-auth timer applies (§2.1 step 3), however short the
// silence bound is.
TEST_F(WsLimitsTest, SilenceBoundDoesNotReplaceIdleAuthTimer) {
  ASSERT_NO_FATAL_FAILURE(
      Start({"--ws-idle-timeout-ms", "50", "--ws-idle-auth-timeout-ms", "300"}));
  WsClient anon;
  ASSERT_TRUE(anon.Open(port()));
  EXPECT_TRUE(anon.ExpectClose(1008, "idle_auth_timeout"));
}

// websocket.md §2.1 step 1 / §2.4: the upgrade beyond the per-IP connect limit gets its 101,
// then close 1008 rate_limited; the earlier connections are unaffected.
TEST_F(WsLimitsTest, ConnectFloodGets101ThenClose1008RateLimited) {
  ASSERT_NO_FATAL_FAILURE(Start({"--ws-connect-limit", "3"}));
  WsClient first[3];
  for (WsClient& ws : first) ASSERT_TRUE(ws.Open(port()));
  WsClient fourth;
  std::optional<HttpResponse> r = fourth.Upgrade(port());
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 101);
  EXPECT_TRUE(fourth.ExpectClose(1008, "rate_limited"));
  EXPECT_TRUE(fourth.ExpectEof());
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(Serves(first[i], std::to_string(i)));
}

// websocket.md §2.1 step 2: origin allowlist.
TEST_F(WsLimitsTest, OriginAllowlist) {
  ASSERT_NO_FATAL_FAILURE(Start({"--ws-allowed-origins", "https://a.example"}));
  WsUpgradeOptions bad;
  bad.origin = "https://b.example";
  WsClient rejected;
  std::optional<HttpResponse> r = rejected.Upgrade(port(), bad);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 101);
  EXPECT_TRUE(rejected.ExpectClose(1008, "origin_rejected"));
  EXPECT_TRUE(rejected.ExpectEof());

  WsClient native;  // no Origin header: native clients are allowed
  ASSERT_TRUE(native.Open(port()));
  EXPECT_TRUE(Serves(native, "\"native\""));

  WsUpgradeOptions good;
  good.origin = "https://a.example";
  WsClient browser;
  ASSERT_TRUE(browser.Open(port(), good));
  EXPECT_TRUE(Serves(browser, "\"browser\""));
}

int64_t SumMetric(const std::string& body, const std::string& name) {
  int64_t sum = 0;
  std::string needle = "\n" + name + "{";
  for (size_t at = body.find(needle); at != std::string::npos; at = body.find(needle, at + 1)) {
    size_t sp = body.find("} ", at);
    if (sp == std::string::npos) break;
    sum += std::stoll(body.substr(sp + 2));
  }
  return sum;
}

// The requests a test wrote may still sit in the server's receive buffer. Polls /metrics until
// the server has read `frames_in` text frames in total or has disconnected someone for a full
// send queue, so a slow-reader test only starts reading once the replies really piled up.
void WaitUntilReadOrOverflow(uint16_t port, int64_t frames_in) {
  HttpClient http;
  ASSERT_TRUE(http.Connect(port));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "server stopped reading requests";
    std::optional<HttpResponse> m = http.Get("/metrics");
    ASSERT_TRUE(m.has_value()) << http.error();
    ASSERT_EQ(m->status, 200) << m->body;
    if (SumMetric(m->body, "asobi_send_overflow_closes_total") >= 1) return;
    if (SumMetric(m->body, "asobi_ws_frames_in_total") >= frames_in) return;
  }
}

// A client that sends but never reads: the server's bounded send queue overflows and the
// server closes that connection (1008 or a plain close) instead of growing; other clients
// keep being served.
TEST_F(WsLimitsTest, SlowReaderIsDisconnectedAndOthersAreServed) {
  ASSERT_NO_FATAL_FAILURE(Start({"--send-queue-bytes", "65536", "--ws-rate-limit", "1000000",
                                 "--rate-limits", "api=1000000/1000"}));
  WsClient slow;
  WsUpgradeOptions small_rcvbuf;
  small_rcvbuf.rcvbuf_bytes = kSlowReaderRcvbufBytes;
  ASSERT_TRUE(slow.Open(port(), small_rcvbuf));
  constexpr int kFrames = 200000;
  constexpr int kChunk = 1000;
  std::string chunk;
  for (int i = 0; i < kChunk; ++i) EncodeClientFrame(kWsText, Heartbeat("1"), true, &chunk);
  int sent_chunks = 0;
  for (; sent_chunks < kFrames / kChunk; ++sent_chunks) {
    if (!slow.SendRaw(chunk, /*timeout_ms=*/10000)) break;  // reset or stalled: server gave up
  }
  ASSERT_NO_FATAL_FAILURE(WaitUntilReadOrOverflow(port(), int64_t(sent_chunks) * kChunk));

  // Now read everything the server wrote: replies, then (maybe) a close frame, then EOF.
  int replies = 0;
  bool got_close = false;
  uint16_t close_code = 0;
  WsRecv end;
  for (;;) {
    WsFrame f;
    end = slow.Recv(&f, 10000);
    if (end != WsRecv::kFrame) break;
    if (f.opcode == kWsText) ++replies;
    if (f.opcode == kWsClose) {
      got_close = true;
      close_code = f.CloseCode();
    }
  }
  EXPECT_NE(end, WsRecv::kTimeout) << "the server kept the slow reader's connection open";
  EXPECT_LT(replies, kFrames);
  if (got_close) {
    EXPECT_EQ(close_code, 1008);
  }
  RecordProperty("slow_reader_replies", replies);
  RecordProperty("slow_reader_chunks_sent", sent_chunks);
  RecordProperty("slow_reader_close_frame", got_close ? close_code : 0);

  WsClient other;
  ASSERT_TRUE(other.Open(port()));
  EXPECT_TRUE(Serves(other, "\"other\""));
  HttpClient http;
  ASSERT_TRUE(http.Connect(port()));
  std::optional<HttpResponse> metrics = http.Get("/metrics");
  ASSERT_TRUE(metrics.has_value()) << http.error();
  EXPECT_GE(SumMetric(metrics->body, "asobi_send_overflow_closes_total"), 1) << metrics->body;
}

// Largest send buffer the kernel may give the server's socket (tcp_wmem max), in bytes.
int64_t TcpWmemMaxBytes() {
  std::ifstream f("/proc/sys/net/ipv4/tcp_wmem");
  int64_t lo = 0, def = 0, max = 0;
  if (f >> lo >> def >> max) return max;
  return int64_t{4} << 20;
}

// --send-queue-bytes is the bound that applies: a reader that stops reading is disconnected
// once about that many reply bytes are queued beyond what the kernel buffers can hold, well
// before the 4 MiB default would be reached.
TEST_F(WsLimitsTest, SendQueueBoundFollowsTheFlag) {
  ASSERT_NO_FATAL_FAILURE(Start({"--send-queue-bytes", "65536", "--ws-rate-limit", "1000000",
                                 "--rate-limits", "api=1000000/1000"}));
  WsClient slow;
  WsUpgradeOptions small_rcvbuf;
  small_rcvbuf.rcvbuf_bytes = kSlowReaderRcvbufBytes;
  ASSERT_TRUE(slow.Open(port(), small_rcvbuf));
  WsFrame probe;  // one reply, to learn its size on the wire
  ASSERT_TRUE(slow.SendText(Heartbeat("1")));
  ASSERT_EQ(slow.Recv(&probe), WsRecv::kFrame);
  const int64_t reply_bytes = int64_t(probe.payload.size()) + 2;
  // The kernel can hold at most tcp_wmem max (server side) + 2 x our SO_RCVBUF; beyond that,
  // replies sit in the server's queue. Send enough for the queue to pass 64 KiB by 1 MiB,
  // which stays below the 4 MiB default.
  const int64_t kernel_bytes = TcpWmemMaxBytes() + 2 * kSlowReaderRcvbufBytes;
  const int64_t frames = (kernel_bytes + 65536 + (int64_t{1} << 20)) / reply_bytes + 1;
  std::string one;
  EncodeClientFrame(kWsText, Heartbeat("1"), true, &one);
  std::string chunk;
  for (int i = 0; i < 1000; ++i) chunk += one;
  int64_t sent = 0;
  while (sent < frames && slow.SendRaw(chunk, /*timeout_ms=*/10000)) sent += 1000;
  if (slow.SendText(Heartbeat("\"last\""))) ++sent;
  ASSERT_NO_FATAL_FAILURE(WaitUntilReadOrOverflow(port(), 1 + sent));
  // Read until the end: the server must have closed before the marker's reply was queued.
  for (;;) {
    WsFrame f;
    WsRecv r = slow.Recv(&f, 10000);
    ASSERT_NE(r, WsRecv::kTimeout);
    if (r != WsRecv::kFrame) break;
    ASSERT_EQ(f.payload.find("\"last\""), std::string::npos)
        << "all " << frames << " replies were queued without a disconnect: the 65536-byte "
        << "bound of --send-queue-bytes was not applied";
  }
}

// SIGTERM while a WebSocket is open: the client gets close 1001, idle HTTP keep-alive
// connections are closed, and the process exits 0.
TEST_F(WsLimitsTest, DrainSendsClose1001AndExitsZero) {
  ASSERT_NO_FATAL_FAILURE(Start({}));
  WsClient ws;
  ASSERT_TRUE(ws.Open(port()));
  ASSERT_TRUE(Authenticate(ws));
  WsClient anon;
  ASSERT_TRUE(anon.Open(port()));
  HttpClient http;
  ASSERT_TRUE(http.Connect(port()));
  ASSERT_TRUE(http.Get("/live").has_value());

  server_.Signal(SIGTERM);
  for (WsClient* c : {&ws, &anon}) {
    WsFrame f;
    ASSERT_EQ(c->Recv(&f), WsRecv::kFrame);
    EXPECT_EQ(f.opcode, kWsClose);
    EXPECT_EQ(f.CloseCode(), 1001) << f.CloseReason();
    c->SendClose(1001);  // the reply; the server may already have closed, so unchecked
    EXPECT_TRUE(c->ExpectEof());
  }
  EXPECT_TRUE(http.WaitForClose());
  EXPECT_TRUE(server_.WaitForCleanExit());
}

// A client that never answers the close frame does not keep the process alive past the
// drain timeout.
TEST_F(WsLimitsTest, DrainTimeoutBoundsShutdownWithUnresponsiveClient) {
  ASSERT_NO_FATAL_FAILURE(Start({}, /*drain_timeout_ms=*/300));
  WsClient ws;
  ASSERT_TRUE(ws.Open(port()));
  ASSERT_TRUE(Authenticate(ws));
  server_.Signal(SIGTERM);
  EXPECT_TRUE(server_.WaitForCleanExit());  // while `ws` is still open and silent
}

}  // namespace
}  // namespace asobi::itest
