// One parsed HTTP/1.1 request (no sockets). Filled by ParseRequest (http_parser.h).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace asobi::http {

/// A complete request as read off the wire. Owns copies of all bytes, so the receive buffer
/// may be compacted once ParseRequest has returned kComplete. Lives on the shard that owns
/// the connection; not thread-safe. Reusing one object across requests keeps the capacity
/// of its strings (the parser assigns into the existing elements).
struct HttpRequest {
  std::string method;     ///< Case-sensitive token as sent ("GET", "POST", ...).
  std::string target;     ///< Raw request-target as sent (origin- or absolute-form).
  std::string path;       ///< Path part of the target, not URL-decoded (rest.md §1.1).
  std::string query;      ///< Bytes after the first '?' (without it); empty if none.
  int version_minor = 1;  ///< 0 for HTTP/1.0, 1 for HTTP/1.1.
  /// Header fields in wire order; names lowercased, values with surrounding spaces/tabs
  /// trimmed. Repeated fields stay separate entries.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;        ///< Exactly Content-Length bytes (empty when there is none).
  bool keep_alive = true;  ///< Whether the connection may carry another request after this.

  /// Value of the first header named `lower_name` (must be lowercase), or "" if absent.
  /// The view points into this request and dies with it.
  std::string_view Header(std::string_view lower_name) const {
    for (const auto& [name, value] : headers) {
      if (name == lower_name) return value;
    }
    return {};
  }

  /// Whether a header named `lower_name` (lowercase) is present, even with an empty value.
  bool HasHeader(std::string_view lower_name) const {
    for (const auto& h : headers) {
      if (h.first == lower_name) return true;
    }
    return false;
  }
};

}  // namespace asobi::http
