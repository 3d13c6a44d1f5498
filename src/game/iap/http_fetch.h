// HttpFetch: one blocking HTTP(S) request through libcurl, for the IAP providers (rest.md
// §3.6). Blocking: call it on a WorkerPool thread only, never on a shard.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"

namespace asobi::iap {

/// One outgoing request; `headers` are full `Name: value` lines.
struct FetchRequest {
  std::string method = "GET";        // GET or POST
  std::string url;                   // http:// or https:// only
  std::vector<std::string> headers;  // "Name: value"
  std::string body;                  // sent with POST
  int64_t timeout_ms = 10000;        // the whole request, connect included
};

/// HTTP status code and the whole body (at most kMaxFetchBodyBytes).
struct FetchReply {
  long status = 0;
  std::string body;
};

/// Bodies larger than this are refused (error "response_too_large").
inline constexpr size_t kMaxFetchBodyBytes = 1 << 20;

/// Performs `req`. Errors: reason "fetch_failed" (connect, TLS, timeout; message from
/// libcurl), "response_too_large". Any HTTP status is a success here. Thread-safe.
Result<FetchReply> HttpFetch(const FetchRequest& req);

/// Percent-encodes `s` for a URL path segment or form value (libcurl's escaping).
std::string UrlEscape(const std::string& s);

}  // namespace asobi::iap
