// Incremental, socket-free HTTP/1.1 request parser (RFC 9112 subset, rest.md §4.3).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http/http_request.h"

namespace asobi::http {

/// Bounds on what one request may occupy in the receive buffer. A request that is still
/// incomplete but already past a bound is rejected, so a connection never buffers more than
/// about uri_bytes_max + header_bytes_max + body_bytes_max bytes for one request.
struct HttpLimits {
  size_t body_bytes_max = 1048576;  ///< Content-Length above this → 413 (rest.md §4.3).
  size_t uri_bytes_max = 8192;      ///< request-target longer than this → 414.
  size_t header_bytes_max = 16384;  ///< Header section (after the request line, incl. the
                                    ///< final empty line) longer than this → 431.
  size_t headers_count_max = 100;   ///< More header fields than this → 431.
  bool require_host = true;         ///< HTTP/1.1 request without Host → 400 (RFC 9112 §3.2).
};

/// Longest accepted method token; longer → 400.
inline constexpr size_t kMethodBytesMax = 16;

/// Outcome of one ParseRequest call on the bytes buffered so far.
enum class ParseStatus {
  kComplete,  ///< One whole request (incl. body) is at the front of the buffer.
  kNeedMore,  ///< Valid so far; call again once more bytes arrived.
  kError,     ///< Not a request we accept: answer `http_status` and close the connection.
};

/// What ParseRequest decided.
struct ParseResult {
  ParseStatus status = ParseStatus::kNeedMore;
  /// kError only: HTTP status to answer (400, 411, 413, 414, 431, 505).
  int http_status = 0;
  /// kError only: rest.md §1.3 error code for the envelope (see StatusForCode in
  /// response.h): "bad_request", "length_required", "payload_too_large", "uri_too_long",
  /// "headers_too_large", "http_version_not_supported". Static storage.
  std::string_view code;
  /// kNeedMore only: total bytes the request needs once its headers are known (headers plus
  /// Content-Length), else 0. The caller may skip re-parsing until it has that many bytes.
  size_t request_bytes = 0;
  /// kNeedMore only: headers are complete, the body is not, and the client sent
  /// `Expect: 100-continue`; the caller should write "HTTP/1.1 100 Continue\r\n\r\n" once.
  bool expect_continue = false;
};

/// Progress over one request that arrives in pieces, so that a call on the grown buffer does
/// not re-scan header lines an earlier call already checked (a header section trickled in
/// byte by byte costs O(n), not O(n²)). One per connection; reset it (`= {}`) whenever the
/// front of the buffer moves to the next request. Offsets are relative to the buffer front.
struct ParseCursor {
  size_t header_lines_end = 0;  ///< just past the last complete header line checked; 0 = none
  size_t header_lines = 0;      ///< complete header lines before header_lines_end
};

/// Parses ONE request from the front of `buf` (which may hold several pipelined requests or
/// a partial one). On kComplete fills `*out` and sets `*consumed` to the bytes of this request
/// (an optional single leading CRLF, request line, headers and body); the caller drops them
/// and may call again for the next request. On kNeedMore/kError `*out` is unspecified and
/// `*consumed` is 0. Without `cursor` each call re-reads `buf` from its start (bounded by the
/// limits); with one, complete header lines checked by an earlier call on the same request
/// are skipped until the end of the header section arrives, which is then parsed once in
/// full (the request line, at most uri_bytes_max + 26 bytes, is re-read while incomplete).
/// The result is the same with or without a cursor. Pure function; any thread.
///
/// Accepted: `method SP request-target SP HTTP/1.x CRLF`, origin-form ("/p?q") or
/// absolute-form ("http://host/p?q") targets, visible-ASCII targets only.
/// Decisions (documented in README.md):
///  - Any syntactically valid method token (≤ 16 bytes) is accepted; the router answers
///    404/405 for methods it does not know (no 501).
///  - Lines must end in CRLF: a bare LF or a bare CR is 400. One empty line before the
///    request line is skipped (RFC 9112 §2.2); obs-fold (header continuation lines) is 400.
///  - Header names must be tokens (no spaces before ':'); values may not hold control bytes
///    other than HTAB.
///  - Content-Length: digits only; repeated fields must agree; a list value ("5, 5"), a sign
///    or any other byte is 400. A value above body_bytes_max is 413 as soon as the headers are
///    in, before any body byte.
///  - Any Transfer-Encoding (chunked included) is 411 `length_required` (rest.md §4.3).
///    POST, PUT and PATCH without Content-Length are 411 too (rest.md §4.3: a body needs a
///    Content-Length); other methods without one have an empty body.
///  - Versions other than HTTP/1.0 and HTTP/1.1 are 505; a malformed version is 400.
///  - More than one Host field is 400; no Host on HTTP/1.1 is 400 when limits.require_host.
///  - keep_alive: HTTP/1.1 unless a Connection token "close"; HTTP/1.0 only with a
///    Connection token "keep-alive" (and no "close").
ParseResult ParseRequest(std::string_view buf, const HttpLimits& limits, HttpRequest* out,
                         size_t* consumed, ParseCursor* cursor = nullptr);

}  // namespace asobi::http
