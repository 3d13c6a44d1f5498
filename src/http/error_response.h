// The JSON error envelope and the code → HTTP status table (rest.md §1.3, DECISIONS REST 2).
#pragma once

#include <string_view>

#include "http/http_parser.h"
#include "http/response.h"

namespace asobi::http {

/// HTTP status bound to an error `code` (rest.md §1.3 table, `ws.request_failed` → 400),
/// plus the codes this layer adds: `not_found` 404, `method_not_allowed` 405, `bad_request`
/// 400, `uri_too_long` 414, `headers_too_large` 431, `http_version_not_supported` 505,
/// `request_timeout` 408, `unsupported_media_type` 415.
/// An undefined code → 500. Pure; any thread.
int StatusForCode(std::string_view code);

/// Builds `{"error":{"code":<code>,"message":<message>,"details":<details_json>}}` with the
/// status StatusForCode(code). `code` and `message` are JSON-escaped here; `details_json`
/// must be a JSON object (empty → `{}`) and `extra_top_level_json_members`, when non-empty,
/// one or more already-encoded members (e.g. `"retry_after":3`) appended after `error`
/// (the legacy top-level keys of rest.md §1.3). Headers such as `retry-after` are the
/// caller's (extra_headers).
HttpResponse ErrorResponse(std::string_view code, std::string_view message,
                           std::string_view details_json = "{}",
                           std::string_view extra_top_level_json_members = "");

/// 404 envelope with code `not_found` for a path no route matches (rest.md §1.1).
HttpResponse NotFoundResponse();

/// 405 envelope with code `method_not_allowed` and an `allow: <allow>` header (RFC 9110
/// §15.5.6); `allow` is RouteMatch::allow.
HttpResponse MethodNotAllowedResponse(std::string_view allow);

/// Envelope for a ParseRequest kError result (its http_status and code). The caller
/// must send it with keep_alive = false and then close: request framing is lost.
HttpResponse ParseErrorResponse(const ParseResult& result);

}  // namespace asobi::http
