// WebSocket opening handshake (RFC 6455 §4.2): validating an HTTP upgrade request and building
// the 101 response. Socket-free: header values come in as string_views from whatever HTTP
// parser the caller uses (this layer does not depend on http/). websocket.md §1, §2.1.
#pragma once

#include <string>
#include <string_view>

namespace asobi {

/// Outcome of ValidateUpgrade. When `ok` is false the caller answers with `http_status`
/// (400 or 426), appends `response_headers` (raw "name: value\r\n" lines, possibly empty) and
/// does not upgrade. `reason` is prose for logs and the error body.
struct UpgradeCheck {
  bool ok = false;
  int http_status = 0;  // 101 when ok, else 400 or 426
  std::string reason;
  /// Extra header lines the error response must carry. For 426 this is
  /// "Sec-WebSocket-Version: 13\r\n" (RFC 6455 §4.4); static storage, never dangles.
  std::string_view response_headers;
};

/// Checks a client's opening handshake (RFC 6455 §4.2.1). Pass empty views for absent headers;
/// values may carry surrounding whitespace; `http_version_minor` is the request's HTTP/1.x
/// minor version. Rules, in this order:
///  - method is exactly "GET"                                  → else 400
///  - HTTP/1.1 (RFC 6455 §4.1: "at least 1.1"; HTTP/1.0 has no Upgrade) → else 400
///  - Upgrade has the token "websocket" (case-insensitive)      → else 400
///  - Connection has the token "upgrade" (case-insensitive) among comma-separated tokens
///                                                              → else 400
///  - Sec-WebSocket-Version present                             → else 400
///  - Sec-WebSocket-Version is "13"                             → else 426 + version header
///  - Sec-WebSocket-Key is base64 of exactly 16 bytes (24 chars, "==" padded) → else 400
/// Pure function; any thread.
UpgradeCheck ValidateUpgrade(std::string_view method, std::string_view upgrade_hdr,
                             std::string_view connection_hdr, std::string_view key,
                             std::string_view version, int http_version_minor);

/// Sec-WebSocket-Accept for `client_key` (RFC 6455 §4.2.2 step 5.4): base64(SHA-1(key +
/// "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")). Surrounding whitespace of the key is ignored.
/// Uses OpenSSL libcrypto; any thread.
std::string ComputeAcceptKey(std::string_view client_key);

/// The first protocol token of a Sec-WebSocket-Protocol header value ("a, b" → "a"), trimmed.
/// Empty when the value is empty or the first token is not a valid RFC 7230 token (so a value
/// with CR/LF or other junk can never reach the response). Returns a view into `header_value`.
std::string_view FirstSubprotocol(std::string_view header_value);

/// The complete "HTTP/1.1 101 Switching Protocols" response, ending with the blank line.
/// `subprotocol` (usually FirstSubprotocol() of the request's header) adds a
/// Sec-WebSocket-Protocol line when non-empty; `extra_headers` are raw "name: value\r\n" lines
/// (e.g. security headers) appended verbatim — the caller guarantees they are well formed.
/// Call only after ValidateUpgrade returned ok. Any thread.
std::string BuildUpgradeResponse(std::string_view client_key, std::string_view subprotocol,
                                 std::string_view extra_headers);

}  // namespace asobi
