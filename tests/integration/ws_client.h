// WsClient: a WebSocket client for integration tests (RFC 6455 client side, websocket.md §1,
// §2). Performs the upgrade with chosen headers, sends masked frames of any kind (including
// fragments and raw bytes), and decodes server frames one at a time with a timeout.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http_client.h"
#include "json_doc.h"
#include "test_socket.h"

namespace asobi::itest {

/// The RFC 6455 §1.3 example key and its Sec-WebSocket-Accept.
inline constexpr std::string_view kSampleWsKey = "dGhlIHNhbXBsZSBub25jZQ==";
inline constexpr std::string_view kSampleWsAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

/// Opcodes (RFC 6455 §5.2).
enum WsOpcode : uint8_t {
  kWsContinuation = 0x0,
  kWsText = 0x1,
  kWsBinary = 0x2,
  kWsClose = 0x8,
  kWsPing = 0x9,
  kWsPong = 0xA,
};

/// One frame as received from the server.
struct WsFrame {
  bool fin = false;
  uint8_t opcode = 0;
  bool masked = false;  ///< server frames must not be masked
  uint8_t rsv = 0;      ///< RSV1-3 bits (must be 0 without extensions)
  std::string payload;

  /// Close frames: the status code (1005 when the payload is empty).
  uint16_t CloseCode() const;
  /// Close frames: the reason text after the code.
  std::string_view CloseReason() const;
};

/// Outcome of WsClient::Recv.
enum class WsRecv { kFrame, kTimeout, kEof, kError };

/// How to upgrade.
struct WsUpgradeOptions {
  std::string path = "/ws";
  std::string key = std::string(kSampleWsKey);  ///< empty: no Sec-WebSocket-Key header
  std::string origin;                           ///< empty: no Origin header
  std::string subprotocols;                     ///< empty: no Sec-WebSocket-Protocol header
  std::string extra_headers;                    ///< raw "Name: v\r\n" lines
  int rcvbuf_bytes = 0;                         ///< > 0: SO_RCVBUF of the client socket
};

/// One WebSocket connection. Test-thread only.
class WsClient {
 public:
  /// Connects and sends the upgrade request; returns the server's HTTP response (101 on
  /// success, after which the client speaks WebSocket), or nullopt on connection failure.
  std::optional<HttpResponse> Upgrade(uint16_t port, const WsUpgradeOptions& options = {});

  /// Upgrade that must answer 101; for ASSERT_TRUE(ws.Open(port)).
  ::testing::AssertionResult Open(uint16_t port, const WsUpgradeOptions& options = {});

  /// Sends one masked frame.
  bool SendFrame(uint8_t opcode, std::string_view payload, bool fin = true);
  bool SendText(std::string_view text) { return SendFrame(kWsText, text); }
  bool SendBinary(std::string_view bytes) { return SendFrame(kWsBinary, bytes); }
  bool SendPing(std::string_view payload) { return SendFrame(kWsPing, payload); }
  /// Close frame with `code` and `reason` (code 0: empty payload).
  bool SendClose(uint16_t code, std::string_view reason = "");
  /// One text message split into `parts.size()` frames (text, continuation..., FIN last).
  bool SendFragmentedText(const std::vector<std::string_view>& parts);
  /// Raw bytes (several pre-encoded frames in one write, or a broken frame).
  bool SendRaw(std::string_view bytes, int timeout_ms = kIoTimeoutMs) {
    return socket().SendAll(bytes, timeout_ms);
  }

  /// Decodes the next server frame, waiting at most `timeout_ms`.
  WsRecv Recv(WsFrame* out, int timeout_ms = kIoTimeoutMs);

  /// The next frame must be a text frame holding valid JSON; parsed into *out.
  ::testing::AssertionResult RecvJson(JsonDoc* out, int timeout_ms = kIoTimeoutMs);
  /// SendText(json) then RecvJson.
  ::testing::AssertionResult Request(std::string_view json, JsonDoc* out);

  /// The next frame must be a close frame with `code` and `reason`.
  ::testing::AssertionResult ExpectClose(uint16_t code, std::string_view reason,
                                         int timeout_ms = kIoTimeoutMs);
  /// The server must close the TCP connection (EOF or reset) with no further frames other
  /// than control frames within `timeout_ms`.
  ::testing::AssertionResult ExpectEof(int timeout_ms = kIoTimeoutMs);

  TestSocket& socket() { return http_.socket(); }

 private:
  bool DecodeBuffered(WsFrame* out);

  HttpClient http_;  // the connection; used as HTTP only for the upgrade
  std::string buf_;  // received bytes not decoded yet
};

/// Appends one masked client frame to *out (for building bursts sent with one write).
void EncodeClientFrame(uint8_t opcode, std::string_view payload, bool fin, std::string* out);

}  // namespace asobi::itest
