// Binary world.tick wire negotiation against the real server started with --binary-wire
// (websocket.md §2.2, §11; upstream asobi.binary_wire). Without the flag every session gets
// "json" (ws_test.cc ConnectAskingForBinaryWireIsGrantedJsonWhenDisabled).
#include <gtest/gtest.h>

#include <string>

#include "itest_checks.h"
#include "json_doc.h"
#include "server_harness.h"
#include "ws_client.h"

namespace asobi::itest {
namespace {

constexpr char kToken[] = "wire-token-1";
constexpr char kPlayer[] = "0190a000-0000-7000-8000-0000000000b1";

class BinaryWireTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new ServerProcess();
    ServerOptions o;
    o.flags = {"--binary-wire", "--ws-connect-limit", "100000"};
    o.dev_tokens = {{kToken, kPlayer}};
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

  // session.connect with `wire_json` as the payload's wire member (empty: no wire member);
  // returns the granted wire, or the reply text when it is not session.connected.
  static std::string Granted(WsClient& ws, const std::string& wire_json,
                             const std::string& token = kToken) {
    std::string payload = R"({"token":")" + token + "\"";
    if (!wire_json.empty()) payload += R"(,"wire":)" + wire_json;
    payload += "}";
    JsonDoc reply;
    if (!ws.Request(R"({"type":"session.connect","cid":"w","payload":)" + payload + "}", &reply)) {
      return "no reply";
    }
    if (reply.Str({"type"}) != "session.connected") return reply.text();
    EXPECT_EQ(reply.Raw({"cid"}), R"("w")");
    EXPECT_EQ(reply.Str({"payload", "player_id"}), kPlayer);
    return reply.Str({"payload", "wire"}).value_or("no wire member");
  }

  static ServerProcess* server_;
  static ::testing::AssertionResult* started_;
};

ServerProcess* BinaryWireTest::server_ = nullptr;
::testing::AssertionResult* BinaryWireTest::started_ = nullptr;

TEST_F(BinaryWireTest, AskingForBinaryIsGranted) {
  WsClient ws;
  ASSERT_TRUE(ws.Open(port()));
  EXPECT_EQ(Granted(ws, R"("binary")"), "binary");
}

TEST_F(BinaryWireTest, EverythingElseIsJson) {
  for (std::string wire :
       {std::string(), std::string(R"("json")"), std::string(R"("BINARY")"),
        std::string(R"("binary ")"), std::string("1"), std::string("true"),
        std::string(R"(["binary"])"), std::string(R"({"wire":"binary"})"), std::string("null")}) {
    WsClient ws;
    ASSERT_TRUE(ws.Open(port()));
    EXPECT_EQ(Granted(ws, wire), "json") << "wire " << wire;
  }
}

TEST_F(BinaryWireTest, ASecondConnectReplacesTheGrant) {
  // DECISIONS.md wire 3: the second session.connect replaces the session, wire included.
  WsClient ws;
  ASSERT_TRUE(ws.Open(port()));
  EXPECT_EQ(Granted(ws, R"("binary")"), "binary");
  EXPECT_EQ(Granted(ws, ""), "json");
  EXPECT_EQ(Granted(ws, R"("binary")"), "binary");
}

TEST_F(BinaryWireTest, BadTokenIsStillInvalidToken) {
  WsClient ws;
  ASSERT_TRUE(ws.Open(port()));
  JsonDoc reply;
  ASSERT_TRUE(ws.Request(
      R"({"type":"session.connect","cid":"x","payload":{"token":"nope","wire":"binary"}})",
      &reply));
  EXPECT_TRUE(IsWsError(reply, "invalid_token", "unauthenticated", R"("x")"));
  // The socket is still unauthenticated and can connect properly.
  EXPECT_EQ(Granted(ws, R"("binary")"), "binary");
}

}  // namespace
}  // namespace asobi::itest
