// Validation of the `ctx` of match.join / match.find_or_create (websocket.md §5.4).
#pragma once

#include <string>

#include "protocol/json_value.h"

namespace asobi::match {

/// Checks `ctx` (the payload member; nullopt when absent): a flat object of at most 8 keys,
/// keys 1-64 bytes, values strings of at most 256 bytes, integers or booleans. Returns "" and
/// sets `*ctx_json` to its minified JSON ("{}" when absent), or the violated reason:
/// invalid_join_ctx (not an object, incl. null), join_ctx_too_many_keys, invalid_join_ctx_key
/// (empty key), join_ctx_key_too_long, join_ctx_value_too_long, invalid_join_ctx_value
/// (float, array, object or null). Pure; any thread.
std::string ValidateJoinCtx(const std::optional<JsonValue>& ctx, std::string* ctx_json);

}  // namespace asobi::match
