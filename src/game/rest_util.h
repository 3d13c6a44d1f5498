// Helpers shared by REST handlers: JSON bodies (rest.md §1.1), error replies (§1.3), the
// bearer middleware (§2.1) and rate limiting (§4.2).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "game/http_api.h"
#include "protocol/json_value.h"

namespace asobi {

/// Decodes the request body as a JSON object: an empty body is `{}` (rest.md §1.1, SDK
/// compatibility). On failure responds 400 `invalid_json` (or `invalid_payload` when the JSON
/// is not an object) and returns false. The value lives until the next ParseBody on this
/// thread.
bool ParseBody(HttpCall& call, JsonValue* out);

/// Responds with the error envelope for `code` (status from rest.md §1.3).
void RespondError(HttpCall& call, std::string_view code, std::string_view message = {},
                  std::string_view details_json = "{}", std::string_view extra_members = {});
/// Responds 200 (or `status`) with a JSON body.
void RespondJson(HttpCall& call, std::string body, int status = 200);

/// Bearer middleware: resolves `Authorization: Bearer <token>` to a player, applies the
/// route's rate-limit group keyed by that player, then runs `next(player_id)`. Answers 401
/// `unauthenticated` / 429 `rate_limited` / 503 `not_ready` itself.
void WithPlayer(HttpCall& call, std::function<void(const std::string& player_id)> next);

/// Rate limit keyed by client IP for unauthenticated routes; false after answering 429.
bool AllowByIp(HttpCall& call);

/// The raw bearer token of the request, or "" when the header is absent or not `Bearer `.
std::string_view BearerToken(const http::HttpRequest& req);

}  // namespace asobi
