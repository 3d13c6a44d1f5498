// Rate-limited logging of failed Lua callbacks (lua.md §15): `lua callback failed` with
// callback, script, reason_class, detail and suppressed_since_last; at most 3 lines per 10 s
// per (script, callback). The limit is kept per shard (thread-local).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace asobi::match {

/// Logs one failure unless over the limit (then counts it as suppressed). `detail` is cut to
/// 500 bytes with control characters stripped. Any shard thread.
void LogCallbackFailure(std::string_view script, std::string_view callback,
                        std::string_view reason_class, std::string_view detail, int64_t now_ms);

/// `detail` without control characters, at most `max_bytes` (cut at a UTF-8 boundary).
std::string CleanDetail(std::string_view detail, size_t max_bytes = 500);

}  // namespace asobi::match
