// WebSocket behaviour of the real server with default limits: upgrade, envelope handling,
// session.connect / heartbeat, error frames, frame size limits, fragmentation, control frames
// (websocket.md §1–§4, §14; DECISIONS.md wire 2 and 3).
#include <gtest/gtest.h>
#include <strings.h>

#include <string>

#include "itest_checks.h"
#include "json_doc.h"
#include "server_harness.h"
#include "ws_client.h"

namespace asobi::itest {
namespace {

constexpr char kToken1[] = "itest-token-1";
constexpr char kPlayer1[] = "0190a000-0000-7000-8000-000000000001";
constexpr char kToken2[] = "itest-token-2";
constexpr char kPlayer2[] = "0190a000-0000-7000-8000-000000000002";

// One server for the suite. The per-IP connect limit is raised so the many upgrades of this
// suite never trip it (that limit has its own test in ws_limits_test.cc).
class WsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new ServerProcess();
    ServerOptions o;
    o.flags = {"--ws-connect-limit", "100000"};
    o.dev_tokens = {{kToken1, kPlayer1}, {kToken2, kPlayer2}};
    started_ = new ::testing::AssertionResult(server_->Start(o));
  }
  static void TearDownTestSuite() {
    EXPECT_TRUE(server_->Stop());
    delete server_;
    delete started_;
  }
  void SetUp() override { ASSERT_TRUE(*started_); }
  void TearDown() override {
    if (HasFailure()) std::fprintf(stderr, "server log:\n%s", server_->log().c_str());
  }
  uint16_t port() const { return server_->port(); }

  // The socket still answers: a heartbeat with `cid` gets its reply as the next frame.
  ::testing::AssertionResult StillServes(WsClient& ws, const std::string& cid = "\"alive\"") {
    JsonDoc reply;
    ::testing::AssertionResult r =
        ws.Request(R"({"type":"session.heartbeat","cid":)" + cid + R"(,"payload":{}})", &reply);
    if (!r) return r;
    return IsHeartbeatReply(reply, cid);
  }

  static ServerProcess* server_;
  static ::testing::AssertionResult* started_;
};

ServerProcess* WsTest::server_ = nullptr;
::testing::AssertionResult* WsTest::started_ = nullptr;

std::string Connect(std::string_view token, std::string_view cid_json) {
  return R"({"type":"session.connect","cid":)" + std::string(cid_json) +
         R"(,"payload":{"token":")" + std::string(token) + R"("}})";
}

// ---- Upgrade (websocket.md §2.1, RFC 6455 §4.2.2) ----

TEST_F(WsTest, UpgradeAnswers101WithAcceptKey) {
  WsClient ws;
  std::optional<HttpResponse> r = ws.Upgrade(port());
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 101);
  EXPECT_EQ(r->Header("sec-websocket-accept").value_or(""), kSampleWsAccept);
  std::string upgrade = r->Header("upgrade").value_or("");
  EXPECT_TRUE(strcasecmp(upgrade.c_str(), "websocket") == 0) << upgrade;
  std::string connection = r->Header("connection").value_or("");
  EXPECT_TRUE(strcasecmp(connection.c_str(), "upgrade") == 0) << connection;
  EXPECT_FALSE(r->Header("sec-websocket-protocol").has_value());
  EXPECT_TRUE(StillServes(ws));
}

TEST_F(WsTest, UpgradeEchoesOfferedSubprotocol) {
  WsClient ws;
  WsUpgradeOptions o;
  o.subprotocols = "asobi.v1, other";
  std::optional<HttpResponse> r = ws.Upgrade(port(), o);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 101);
  EXPECT_EQ(r->Header("sec-websocket-protocol").value_or(""), "asobi.v1");
  EXPECT_TRUE(StillServes(ws));
}

TEST_F(WsTest, UpgradeResponseCarriesSecurityHeaders) {
  // rest.md §4.5: the security headers go on every response, the 101 included.
  WsClient ws;
  std::optional<HttpResponse> r = ws.Upgrade(port());
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 101);
  EXPECT_TRUE(HasSecurityHeaders(*r));
}

TEST_F(WsTest, UpgradeWithoutKeyIs400) {
  WsClient ws;
  WsUpgradeOptions o;
  o.key.clear();
  std::optional<HttpResponse> r = ws.Upgrade(port(), o);
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(IsErrorEnvelope(*r, 400, ""));
  EXPECT_TRUE(HasSecurityHeaders(*r));
  EXPECT_TRUE(ws.ExpectEof());
}

TEST_F(WsTest, UpgradeWithWrongVersionIs426) {
  HttpClient http;
  ASSERT_TRUE(http.Connect(port()));
  ASSERT_TRUE(http.SendRaw(
      "GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n"));
  std::optional<HttpResponse> r = http.ReadResponse();
  ASSERT_TRUE(r.has_value()) << http.error();
  EXPECT_EQ(r->status, 426);
  EXPECT_EQ(r->Header("sec-websocket-version").value_or(""), "13");
}

// ---- Heartbeat (§2.3) and cid echo (§1, §1.1) ----

TEST_F(WsTest, HeartbeatBeforeAuthEchoesCidAsSameJsonValue) {
  WsClient ws;
  ASSERT_TRUE(ws.Open(port()));
  for (std::string cid : {R"("abc")", "7", R"({"a":1})", R"("")", R"(["x",2])"}) {
    JsonDoc reply;
    ASSERT_TRUE(
        ws.Request(R"({"type":"session.heartbeat","cid":)" + cid + R"(,"payload":{}})", &reply));
    EXPECT_TRUE(IsHeartbeatReply(reply, cid)) << "cid " << cid;
  }
}

TEST_F(WsTest, HeartbeatWithoutCidHasNoCid) {
  WsClient ws;
  ASSERT_TRUE(ws.Open(port()));
  JsonDoc reply;
  ASSERT_TRUE(ws.Request(R"({"type":"session.heartbeat","payload":{}})", &reply));
  EXPECT_TRUE(IsHeartbeatReply(reply, std::nullopt));
  // The payload is ignored, so a heartbeat without one works too (§2.3).
  ASSERT_TRUE(ws.Request(R"({"type":"session.heartbeat"})", &reply));
  EXPECT_TRUE(IsHeartbeatReply(reply, std::nullopt));
}

// ---- session.connect (§2.2; DECISIONS wire 3) ----

TEST_F(WsTest, ConnectWithBadTokenIsInvalidTokenAndSocketStaysOpen) {
  WsClient ws;
  ASSERT_TRUE(ws.Open(port()));
  JsonDoc reply;
  ASSERT_TRUE(ws.Request(Connect("no-such-token", R"("1")"), &reply));
  EXPECT_TRUE(IsWsError(reply, "invalid_token", "unauthenticated", R"("1")"));
  ASSERT_TRUE(ws.Request(R"({"type":"session.connect","cid":"2","payload":{"token":5}})", &reply));
  EXPECT_TRUE(IsWsError(reply, "invalid_token", "unauthenticated", R"("2")"));
  ASSERT_TRUE(ws.Request(R"({"type":"session.connect","cid":"3","payload":{}})", &reply));
  EXPECT_TRUE(IsWsError(reply, "invalid_token", "unauthenticated", R"("3")"));
  EXPECT_TRUE(StillServes(ws));
  // A retry with a good token still succeeds on the same socket.
  ASSERT_TRUE(ws.Request(Connect(kToken1, R"("4")"), &reply));
  EXPECT_EQ(reply.Str({"type"}), "session.connected") << reply.text();
}

TEST_F(WsTest, ConnectWithoutPayloadIsMissingField) {
  // DECISIONS wire 2: a known type missing a required field gets missing_field, with cid.
  WsClient ws;
  ASSERT_TRUE(ws.Open(port()));
  JsonDoc reply;
  ASSERT_TRUE(ws.Request(R"({"type":"session.connect","cid":"m"})", &reply));
  EXPECT_TRUE(IsWsError(reply, "missing_field", "missing_field", R"("m")"));
  EXPECT_TRUE(StillServes(ws));
}

TEST_F(WsTest, ConnectWithDevTokenReturnsSessionConnected) {
  WsClient ws;
  ASSERT_TRUE(ws.Open(port()));
  JsonDoc reply;
  ASSERT_TRUE(ws.Request(Connect(kToken1, R"("c1")"), &reply));
  EXPECT_EQ(reply.Str({"type"}), "session.connected") << reply.text();
  EXPECT_EQ(reply.Raw({"cid"}), R"("c1")");
  EXPECT_EQ(reply.Str({"payload", "player_id"}), kPlayer1);
  EXPECT_EQ(reply.Str({"payload", "wire"}), "json");
  EXPECT_TRUE(StillServes(ws));
}

TEST_F(WsTest, ConnectAskingForBinaryWireIsGrantedJsonWhenDisabled) {
  WsClient ws;
  ASSERT_TRUE(ws.Open(port()));
  JsonDoc reply;
  ASSERT_TRUE(ws.Request(R"({"type":"session.connect","cid":1,"payload":{"token":")" +
                             std::string(kToken1) + R"(","wire":"binary"}})",
                         &reply));
  EXPECT_EQ(reply.Str({"type"}), "session.connected") << reply.text();
  EXPECT_EQ(reply.Raw({"cid"}), "1");
  EXPECT_EQ(reply.Str({"payload", "wire"}), "json");
}

TEST_F(WsTest, SecondConnectReplacesTheSessionWithOneReply) {
  WsClient ws;
  ASSERT_TRUE(ws.Open(port()));
  JsonDoc reply;
  ASSERT_TRUE(ws.Request(Connect(kToken1, R"("a")"), &reply));
  EXPECT_EQ(reply.Str({"payload", "player_id"}), kPlayer1) << reply.text();
  ASSERT_TRUE(ws.Request(Connect(kToken1, R"("b")"), &reply));
  EXPECT_EQ(reply.Str({"type"}), "session.connected") << reply.text();
  EXPECT_EQ(reply.Raw({"cid"}), R"("b")");
  EXPECT_EQ(reply.Str({"payload", "player_id"}), kPlayer1);
  ASSERT_TRUE(ws.Request(Connect(kToken2, R"("c")"), &reply));
  EXPECT_EQ(reply.Str({"type"}), "session.connected") << reply.text();
  EXPECT_EQ(reply.Raw({"cid"}), R"("c")");
  EXPECT_EQ(reply.Str({"payload", "player_id"}), kPlayer2);
  // Exactly one reply per connect: the next frame is the heartbeat's.
  EXPECT_TRUE(StillServes(ws, R"("after")"));
}

// ---- Dispatch and errors (§1.2, §1.3, §4; DECISIONS wire 2) ----

TEST_F(WsTest, UnknownTypeEchoesCid) {
  WsClient ws;
  ASSERT_TRUE(ws.Open(port()));
  JsonDoc reply;
  ASSERT_TRUE(ws.Request(R"({"type":"nope.x","cid":5,"payload":{}})", &reply));
  EXPECT_TRUE(IsWsError(reply, "unknown_type", "unknown_type", "5"));
  // The same after authentication.
  ASSERT_TRUE(ws.Request(Connect(kToken1, R"("c")"), &reply));
  ASSERT_EQ(reply.Str({"type"}), "session.connected") << reply.text();
  ASSERT_TRUE(ws.Request(R"({"type":"nope.y","cid":"u","payload":{}})", &reply));
  EXPECT_TRUE(IsWsError(reply, "unknown_type", "unknown_type", R"("u")"));
  // The client's type string is never echoed (§1.3).
  EXPECT_EQ(reply.text().find("nope.y"), std::string::npos) << reply.text();
}

TEST_F(WsTest, AuthenticatedOnlyTypeBeforeAuthIsUnauthenticated) {
  // DECISIONS wire 2, for a type that needs a session: match.list (websocket.md §5.1). An
  // authenticated socket gets the listing, so the type is registered.
  WsClient authed;
  ASSERT_TRUE(authed.Open(port()));
  JsonDoc reply;
  ASSERT_TRUE(authed.Request(Connect(kToken1, R"("c")"), &reply));
  ASSERT_EQ(reply.Str({"type"}), "session.connected") << reply.text();
  const std::string probe = R"({"type":"match.list","cid":"p","payload":{}})";
  ASSERT_TRUE(authed.Request(probe, &reply));
  ASSERT_EQ(reply.Str({"type"}), "match.list") << reply.text();
  WsClient anon;
  ASSERT_TRUE(anon.Open(port()));
  ASSERT_TRUE(anon.Request(probe, &reply));
  EXPECT_TRUE(IsWsError(reply, "unauthenticated", "unauthenticated", R"("p")"));
  EXPECT_TRUE(StillServes(anon));
}

TEST_F(WsTest, MalformedJsonIsInvalidJsonWithoutCid) {
  WsClient ws;
  ASSERT_TRUE(ws.Open(port()));
  JsonDoc reply;
  for (const char* bad : {"not json", R"({"type":"session.heartbeat","cid":"x")", "{}}", ""}) {
    ASSERT_TRUE(ws.Request(bad, &reply)) << bad;
    EXPECT_TRUE(IsWsError(reply, "invalid_json", "invalid_json", std::nullopt)) << bad;
  }
  EXPECT_TRUE(StillServes(ws));
}

TEST_F(WsTest, JsonWithoutStringTypeIsInvalidMessage) {
  WsClient ws;
  ASSERT_TRUE(ws.Open(port()));
  JsonDoc reply;
  for (const char* bad : {"[]", R"({"cid":1})", R"({"type":5,"cid":"x"})", "42", R"("s")"}) {
    ASSERT_TRUE(ws.Request(bad, &reply)) << bad;
    EXPECT_TRUE(IsWsError(reply, "invalid_message", "invalid_message", std::nullopt)) << bad;
  }
  EXPECT_TRUE(StillServes(ws));
}

TEST_F(WsTest, BinaryFrameIsBinaryUplinkUnsupported) {
  WsClient ws;
  ASSERT_TRUE(ws.Open(port()));
  ASSERT_TRUE(ws.SendBinary(std::string("\x01\x02\x00\xff", 4)));
  JsonDoc reply;
  ASSERT_TRUE(ws.RecvJson(&reply));
  EXPECT_TRUE(IsWsError(reply, "binary_uplink_unsupported", "ws.request_failed", std::nullopt));
  EXPECT_EQ(reply.Str({"payload", "error", "details", "reason"}), "binary_uplink_unsupported")
      << reply.text();
  EXPECT_TRUE(StillServes(ws));
}

// ---- Size limits (§1.2 step 1, §3) ----

// A heartbeat of exactly `size` bytes (padding inside the payload).
std::string HeartbeatOfSize(size_t size, std::string_view cid_json) {
  std::string head =
      R"({"type":"session.heartbeat","cid":)" + std::string(cid_json) + R"(,"payload":{"pad":")";
  std::string tail = "\"}}";
  return head + std::string(size - head.size() - tail.size(), 'x') + tail;
}

TEST_F(WsTest, TextOver64KiBIsPayloadTooLargeAndSocketStaysOpen) {
  WsClient ws;
  ASSERT_TRUE(ws.Open(port()));
  JsonDoc reply;
  ASSERT_TRUE(ws.Request(HeartbeatOfSize(70000, R"("big")"), &reply));
  EXPECT_TRUE(IsWsError(reply, "payload_too_large", "payload_too_large", std::nullopt));
  EXPECT_TRUE(StillServes(ws));
}

TEST_F(WsTest, TextSizeLimitBoundaryIs65536Bytes) {
  WsClient ws;
  ASSERT_TRUE(ws.Open(port()));
  JsonDoc reply;
  ASSERT_TRUE(ws.Request(HeartbeatOfSize(65536, R"("at")"), &reply));
  EXPECT_TRUE(IsHeartbeatReply(reply, R"("at")"));
  ASSERT_TRUE(ws.Request(HeartbeatOfSize(65537, R"("over")"), &reply));
  EXPECT_TRUE(IsWsError(reply, "payload_too_large", "payload_too_large", std::nullopt));
}

TEST_F(WsTest, FragmentedTextOver64KiBIsPayloadTooLarge) {
  WsClient ws;
  ASSERT_TRUE(ws.Open(port()));
  std::string msg = HeartbeatOfSize(90000, R"("frag")");
  std::string_view v(msg);
  ASSERT_TRUE(ws.SendFragmentedText({v.substr(0, 40000), v.substr(40000, 40000), v.substr(80000)}));
  JsonDoc reply;
  ASSERT_TRUE(ws.RecvJson(&reply));
  EXPECT_TRUE(IsWsError(reply, "payload_too_large", "payload_too_large", std::nullopt));
  EXPECT_TRUE(StillServes(ws));
}

TEST_F(WsTest, MessageOverOneMiBClosesWith1009) {
  WsClient ws;
  ASSERT_TRUE(ws.Open(port()));
  std::string frame;
  EncodeClientFrame(kWsText, HeartbeatOfSize((1u << 20) + 1, R"("huge")"), true, &frame);
  // The server may fail the connection before it has read everything; a failed write is fine.
  ws.SendRaw(frame);
  EXPECT_TRUE(ws.ExpectClose(1009, ""));
  EXPECT_TRUE(ws.ExpectEof());
}

// ---- Framing and control frames (§1.2, RFC 6455 §5) ----

TEST_F(WsTest, FragmentedTextIsHandledAsOneMessage) {
  WsClient ws;
  ASSERT_TRUE(ws.Open(port()));
  ASSERT_TRUE(ws.SendFragmentedText(
      {R"({"type":"session.hea)", R"(rtbeat","cid":"fr)", R"(ag","payload":{}})"}));
  JsonDoc reply;
  ASSERT_TRUE(ws.RecvJson(&reply));
  EXPECT_TRUE(IsHeartbeatReply(reply, R"("frag")"));
}

TEST_F(WsTest, PingBetweenFragmentsIsAnsweredAndMessageStillAssembled) {
  WsClient ws;
  ASSERT_TRUE(ws.Open(port()));
  std::string bytes;
  EncodeClientFrame(kWsText, R"({"type":"session.heartbeat",)", false, &bytes);
  EncodeClientFrame(kWsPing, "mid", true, &bytes);
  EncodeClientFrame(kWsContinuation, R"("cid":"p","payload":{}})", true, &bytes);
  ASSERT_TRUE(ws.SendRaw(bytes));
  WsFrame pong;
  ASSERT_EQ(ws.Recv(&pong), WsRecv::kFrame);
  EXPECT_EQ(pong.opcode, kWsPong);
  EXPECT_EQ(pong.payload, "mid");
  JsonDoc reply;
  ASSERT_TRUE(ws.RecvJson(&reply));
  EXPECT_TRUE(IsHeartbeatReply(reply, R"("p")"));
}

TEST_F(WsTest, PingIsAnsweredWithPongCarryingSamePayload) {
  WsClient ws;
  ASSERT_TRUE(ws.Open(port()));
  for (std::string payload : {std::string("hello"), std::string(), std::string(125, 'z')}) {
    ASSERT_TRUE(ws.SendPing(payload));
    WsFrame f;
    ASSERT_EQ(ws.Recv(&f), WsRecv::kFrame);
    EXPECT_EQ(f.opcode, kWsPong);
    EXPECT_TRUE(f.fin);
    EXPECT_FALSE(f.masked);
    EXPECT_EQ(f.payload, payload);
  }
}

TEST_F(WsTest, CloseHandshakeEchoesCode) {
  WsClient ws;
  ASSERT_TRUE(ws.Open(port()));
  ASSERT_TRUE(ws.SendClose(1000, "bye"));
  WsFrame f;
  ASSERT_EQ(ws.Recv(&f), WsRecv::kFrame);
  EXPECT_EQ(f.opcode, kWsClose);
  EXPECT_EQ(f.CloseCode(), 1000);
  EXPECT_TRUE(ws.ExpectEof());
}

TEST_F(WsTest, CloseHandshakeWithApplicationCode) {
  WsClient ws;
  ASSERT_TRUE(ws.Open(port()));
  ASSERT_TRUE(ws.SendClose(4001, "app"));
  WsFrame f;
  ASSERT_EQ(ws.Recv(&f), WsRecv::kFrame);
  EXPECT_EQ(f.opcode, kWsClose);
  EXPECT_EQ(f.CloseCode(), 4001);
  EXPECT_TRUE(ws.ExpectEof());
}

TEST_F(WsTest, UnmaskedClientFrameFailsTheConnection) {
  // RFC 6455 §5.1: the server must close a connection that sends an unmasked frame.
  WsClient ws;
  ASSERT_TRUE(ws.Open(port()));
  std::string frame = "\x81\x05hello";
  ws.SendRaw(frame);
  WsFrame f;
  WsRecv r = ws.Recv(&f);
  if (r == WsRecv::kFrame) {
    EXPECT_EQ(f.opcode, kWsClose);
    EXPECT_EQ(f.CloseCode(), 1002);
    EXPECT_TRUE(ws.ExpectEof());
  } else {
    EXPECT_TRUE(r == WsRecv::kEof || r == WsRecv::kError);
  }
}

TEST_F(WsTest, InvalidUtf8TextClosesWith1007) {
  // RFC 6455 §8.1: a text message that is not UTF-8 fails the connection with 1007.
  WsClient ws;
  ASSERT_TRUE(ws.Open(port()));
  ASSERT_TRUE(ws.SendText("{\"type\":\"session.heartbeat\",\"cid\":\"\xff\xfe\"}"));
  EXPECT_TRUE(ws.ExpectClose(1007, ""));
  EXPECT_TRUE(ws.ExpectEof());
}

// ---- Rate limit with the default 60 per window (§3) ----

TEST_F(WsTest, SixtyOneFramesInOneWindowGiveRateLimited) {
  WsClient ws;
  ASSERT_TRUE(ws.Open(port()));
  std::string burst;
  for (int i = 0; i < 61; ++i) {
    EncodeClientFrame(
        kWsText, R"({"type":"session.heartbeat","cid":)" + std::to_string(i) + R"(,"payload":{}})",
        true, &burst);
  }
  ASSERT_TRUE(ws.SendRaw(burst));
  int limited = 0, heartbeats = 0;
  for (int i = 0; i < 61; ++i) {
    JsonDoc reply;
    ASSERT_TRUE(ws.RecvJson(&reply)) << "reply " << i;
    if (reply.Str({"type"}) == "session.heartbeat") {
      ++heartbeats;
    } else {
      EXPECT_TRUE(IsWsError(reply, "rate_limited", "rate_limited", std::nullopt));
      ++limited;
    }
  }
  EXPECT_GE(limited, 1);
  EXPECT_LE(heartbeats, 60);
  // Still open: control frames are not rate limited.
  ASSERT_TRUE(ws.SendPing("open"));
  WsFrame pong;
  ASSERT_EQ(ws.Recv(&pong), WsRecv::kFrame);
  EXPECT_EQ(pong.opcode, kWsPong);
  EXPECT_EQ(pong.payload, "open");
}

}  // namespace
}  // namespace asobi::itest
