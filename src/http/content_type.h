// Content-Type checks for request bodies (rest.md §1.1: JSON bodies only).
#pragma once

#include <string_view>

namespace asobi::http {

/// Whether a Content-Type header value names JSON: the media type (before any `;`
/// parameters, surrounding spaces and tabs ignored, ASCII case-insensitive) is
/// `application/json` or an `application/<subtype>+json` structured-syntax type (RFC 6839
/// §3.1, e.g. `application/merge-patch+json`). Neither can be sent cross-origin without a
/// CORS preflight, unlike `text/plain`, so a page on another origin cannot make a browser
/// post JSON here unasked. An empty value is not JSON. Pure; any thread.
bool IsJsonContentType(std::string_view value);

}  // namespace asobi::http
