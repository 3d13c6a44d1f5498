// HTTP/1.1 response model and serializer, with CORS (rest.md §4.4) and the security headers
// every response carries (rest.md §4.5).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace asobi::http {

/// A response to be written. Header names in extra_headers should be lowercase; names and
/// values must not contain CR or LF (a header that does is dropped, and DCHECK fails).
struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";  ///< Sent only when the body is non-empty.
  std::string body;
  std::vector<std::pair<std::string, std::string>> extra_headers;
};

/// Per-connection / per-server choices applied when serializing.
struct ResponseOptions {
  /// `ASOBI_CORS_ORIGINS` (one value, e.g. "*"); empty → no CORS headers. Must outlive the
  /// call.
  std::string_view cors_origin;
  bool keep_alive = true;  ///< `connection: keep-alive` vs `connection: close`.
  /// Answering a HEAD request: headers (content-length of `body`) but no body bytes.
  bool head_request = false;
  /// Preformatted IMF-fixdate for a `date` header (see FormatHttpDate); empty → none.
  std::string_view date;
};

/// Standard reason phrase for `status` ("Not Found"); "Unknown" for unlisted codes.
std::string_view ReasonPhrase(int status);

/// Appends the whole response to `*out`: status line, `content-type` (non-empty body only),
/// `content-length` (except 1xx/204/304, which also never carry a body), `connection`,
/// optional `date`, CORS headers when opts.cors_origin is set
/// (`access-control-allow-origin: <origin>`, `access-control-allow-headers: *`,
/// `access-control-allow-methods: *`), the six rest.md §4.5 security headers, the extra
/// headers, the empty line, then the body. Header names are lowercase. Pure; any thread.
/// `status` must be within 100..999 (else 500 is written and DCHECK fails).
void SerializeResponse(const HttpResponse& response, const ResponseOptions& opts, std::string* out);

/// Appends RFC 9110 §5.6.7 IMF-fixdate for `unix_s` seconds ("Sun, 06 Nov 1994 08:49:37 GMT").
/// Years 0..9999. Meant to be formatted once per second per shard and passed as
/// ResponseOptions::date.
void FormatHttpDate(int64_t unix_s, std::string* out);

}  // namespace asobi::http
