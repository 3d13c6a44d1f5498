// Outbound frame building: `{"type":..,"cid":..,"payload":..}` (websocket.md §1, §1.1, §2.3).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/json_writer.h"

namespace asobi {

/// Writes the frame head `{"type":<type>,"cid":<cid>,"payload":` through `w` (which must be at
/// top level) and leaves it positioned for exactly one payload value; finish with EndFrame.
/// `cid_json` is the request's cid as JSON (Envelope::cid()); nullptr omits `cid` (pushes,
/// §1.1). Use this to encode a large payload (match.state) straight into the frame buffer.
void BeginFrame(JsonWriter* w, std::string_view type, const std::string* cid_json);

/// Closes a frame opened by BeginFrame after its payload value was written.
void EndFrame(JsonWriter* w);

/// A complete frame with an already-encoded payload (`payload_json` must be one JSON value;
/// outbound payloads are objects, §1). `cid_json` as in BeginFrame. Any thread.
std::string BuildFrame(std::string_view type, std::string_view payload_json,
                       const std::string* cid_json);

/// The `session.heartbeat` reply `{"type":"session.heartbeat","cid":..,"payload":{"ts":ts_ms}}`
/// (§2.3); `ts_ms` is the server's Unix time in ms, `cid_json` as in BeginFrame. Any thread.
std::string BuildHeartbeatReply(int64_t ts_ms, const std::string* cid_json);

}  // namespace asobi
