#include "ws/handshake.h"

#include <gtest/gtest.h>

namespace asobi {
namespace {

constexpr std::string_view kKey = "dGhlIHNhbXBsZSBub25jZQ==";  // RFC 6455 §1.3 example

TEST(Handshake, AcceptKeyMatchesRfcExample) {
  EXPECT_EQ(ComputeAcceptKey(kKey), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  EXPECT_EQ(ComputeAcceptKey(" dGhlIHNhbXBsZSBub25jZQ== "), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(Handshake, ValidRequestsAccepted) {
  UpgradeCheck c = ValidateUpgrade("GET", "websocket", "Upgrade", kKey, "13", 1);
  EXPECT_TRUE(c.ok);
  EXPECT_EQ(c.http_status, 101);
  // Case-insensitive tokens inside lists, surrounding whitespace.
  EXPECT_TRUE(ValidateUpgrade("GET", "WebSocket", "keep-alive, Upgrade", kKey, "13", 1).ok);
  EXPECT_TRUE(ValidateUpgrade("GET", " h2c ,websocket", "UPGRADE,close", kKey, " 13 ", 1).ok);
  EXPECT_TRUE(
      ValidateUpgrade("GET", "websocket", "upgrade", " AAAAAAAAAAAAAAAAAAAAAA== ", "13", 1).ok);
}

TEST(Handshake, BadRequestsGet400) {
  struct Case {
    const char* name;
    std::string_view method, upgrade, connection, key, version;
  };
  const Case cases[] = {
      {"POST", "POST", "websocket", "Upgrade", kKey, "13"},
      {"lower-case method", "get", "websocket", "Upgrade", kKey, "13"},
      {"no Upgrade", "GET", "", "Upgrade", kKey, "13"},
      {"other Upgrade", "GET", "h2c", "Upgrade", kKey, "13"},
      {"Upgrade substring", "GET", "websocketx", "Upgrade", kKey, "13"},
      {"no Connection", "GET", "websocket", "", kKey, "13"},
      {"Connection close", "GET", "websocket", "close", kKey, "13"},
      {"Connection substring", "GET", "websocket", "upgraded", kKey, "13"},
      {"no version", "GET", "websocket", "Upgrade", kKey, ""},
      {"no key", "GET", "websocket", "Upgrade", "", "13"},
      {"key not base64", "GET", "websocket", "Upgrade", "dGhlIHNhbXBsZSBub25jZQ!=", "13"},
      {"key without padding", "GET", "websocket", "Upgrade", "dGhlIHNhbXBsZSBub25jZQ", "13"},
      {"key of 15 bytes", "GET", "websocket", "Upgrade", "dGhlIHNhbXBsZSBub25j", "13"},
      {"key of 17 bytes", "GET", "websocket", "Upgrade", "dGhlIHNhbXBsZSBub25jZQ0=", "13"},
      {"raw 16-byte key", "GET", "websocket", "Upgrade", "0123456789abcdef", "13"},
  };
  for (const Case& c : cases) {
    UpgradeCheck r = ValidateUpgrade(c.method, c.upgrade, c.connection, c.key, c.version, 1);
    EXPECT_FALSE(r.ok) << c.name;
    EXPECT_EQ(r.http_status, 400) << c.name;
    EXPECT_FALSE(r.reason.empty()) << c.name;
    EXPECT_TRUE(r.response_headers.empty()) << c.name;
  }
}

// RFC 6455 §4.1: the opening handshake is HTTP/1.1 or later; HTTP/1.0 has no Upgrade.
TEST(Handshake, Http10UpgradeIsRefusedWith400) {
  UpgradeCheck r = ValidateUpgrade("GET", "websocket", "Upgrade", kKey, "13", 0);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.http_status, 400);
  EXPECT_NE(r.reason.find("HTTP/1.1"), std::string::npos) << r.reason;
}

TEST(Handshake, WrongVersionGets426WithVersionHeader) {
  for (std::string_view v : {"8", "12", "14", "13, 8", "abc"}) {
    UpgradeCheck r = ValidateUpgrade("GET", "websocket", "Upgrade", kKey, v, 1);
    EXPECT_FALSE(r.ok) << v;
    EXPECT_EQ(r.http_status, 426) << v;
    EXPECT_EQ(r.response_headers, "Sec-WebSocket-Version: 13\r\n") << v;
  }
}

TEST(Handshake, FirstSubprotocol) {
  EXPECT_EQ(FirstSubprotocol(""), "");
  EXPECT_EQ(FirstSubprotocol("chat"), "chat");
  EXPECT_EQ(FirstSubprotocol("chat, superchat"), "chat");
  EXPECT_EQ(FirstSubprotocol("  asobi.v1 ,x"), "asobi.v1");
  EXPECT_EQ(FirstSubprotocol(", chat"), "");
  EXPECT_EQ(FirstSubprotocol("a\r\nSet-Cookie: x"), "");  // never reaches the response
  EXPECT_EQ(FirstSubprotocol("has space"), "");
}

TEST(Handshake, BuildUpgradeResponse) {
  EXPECT_EQ(BuildUpgradeResponse(kKey, "", ""),
            "HTTP/1.1 101 Switching Protocols\r\n"
            "Upgrade: websocket\r\n"
            "Connection: Upgrade\r\n"
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
            "\r\n");
  EXPECT_EQ(BuildUpgradeResponse(kKey, "chat", "X-Content-Type-Options: nosniff\r\n"),
            "HTTP/1.1 101 Switching Protocols\r\n"
            "Upgrade: websocket\r\n"
            "Connection: Upgrade\r\n"
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
            "Sec-WebSocket-Protocol: chat\r\n"
            "X-Content-Type-Options: nosniff\r\n"
            "\r\n");
}

}  // namespace
}  // namespace asobi
