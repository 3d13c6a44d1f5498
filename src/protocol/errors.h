// The `error` frame and the reason → code mapping (websocket.md §4).
#pragma once

#include <string>
#include <string_view>

#include "protocol/json_writer.h"

namespace asobi {

/// Fallback code for every reason without its own code (websocket.md §4.1).
inline constexpr std::string_view kRequestFailedCode = "ws.request_failed";

/// The stable `error.code` for a legacy `reason` string: the table of websocket.md §4.2 plus
/// `unauthenticated` → `unauthenticated` (DECISIONS.md wire 2); `internal` and
/// `internal_error` → `internal`; anything else (unknown, game-defined, empty) →
/// `ws.request_failed`. Returns a static string. Any thread.
std::string_view CodeForReason(std::string_view reason);

/// Human prose for `error.message` for `reason` (free text, never parsed by clients, §4.1).
/// Reasons without a specific text get a generic one pointing at `details.reason`. Returns a
/// static string. Any thread.
std::string_view DefaultMessageForReason(std::string_view reason);

/// Writes the error object value `{"code":..,"message":..,"details":..}` through `w` (the value
/// only, no key). `details_json` must be one JSON object; empty means `{}`. Also used for
/// `rpc.error` payloads (§9.1) and REST error envelopes.
void WriteErrorObject(JsonWriter* w, std::string_view code, std::string_view message,
                      std::string_view details_json);

/// Builds a complete `error` frame (websocket.md §4.1):
///   {"type":"error","cid":<cid>,"payload":{"reason":..,"type":..,"error":{code,message,details}}}
/// - `cid_json`: the request's cid as JSON (Envelope::cid()); nullptr = no `cid` key (pushes and
///   errors raised before parsing, §1.1).
/// - `extra_type`: empty = none; else the extra `type` key placed inside `payload` next to
///   `reason` ("matchmaker.add", "matchmaker.remove", "match.input"; §4.1, §5.6, §6.1, §6.2).
/// - `details_json`: empty = the default (`{}` for reasons with their own code,
///   `{"reason":"<reason>"}` for `ws.request_failed`); else one JSON object used verbatim (for
///   ws.request_failed the caller includes "reason" itself).
/// The message is DefaultMessageForReason(reason). Any thread.
std::string BuildErrorFrame(std::string_view reason, const std::string* cid_json,
                            std::string_view extra_type = {}, std::string_view details_json = {});

/// As BuildErrorFrame, appending the frame through `w` (which must be at top level), so a
/// caller can reuse a buffer.
void WriteErrorFrame(JsonWriter* w, std::string_view reason, const std::string* cid_json,
                     std::string_view extra_type = {}, std::string_view details_json = {});

}  // namespace asobi
