// Small typed accessors over parsed simdjson DOM values, for message handlers reading inbound
// payloads (websocket.md §1.2 step 6, §1.3 "needs" preconditions).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/json_writer.h"
#include "simdjson.h"

namespace asobi {

/// A parsed JSON value. Borrowed: valid only while the parser/document that produced it is
/// alive and has not parsed again (for Envelope values: until the next EnvelopeParser::Parse).
using JsonValue = simdjson::dom::element;

/// True when `v` is a JSON object.
bool IsObject(JsonValue v);

/// Member `key` of object `obj`; nullopt when `obj` is not an object or has no such member.
/// With duplicate keys the first one wins (simdjson lookup order).
std::optional<JsonValue> GetField(JsonValue obj, std::string_view key);

/// Member `key` as a string (unescaped, borrowed from the document); nullopt when absent or
/// not a JSON string.
std::optional<std::string_view> GetString(JsonValue obj, std::string_view key);

/// Member `key` as a signed 64-bit integer; nullopt when absent, not an integer (1.5, "1"), or
/// out of int64 range. A float with an integral value (`2.0`) is not an integer here.
std::optional<int64_t> GetInt(JsonValue obj, std::string_view key);

/// Member `key` as a number of any JSON number kind; nullopt when absent or not a number.
std::optional<double> GetNumber(JsonValue obj, std::string_view key);

/// Member `key` as a boolean; nullopt when absent or not `true`/`false`.
std::optional<bool> GetBool(JsonValue obj, std::string_view key);

/// Appends `v` as minified JSON through `w` (strings re-escaped, numbers per JsonWriter). The
/// result is the same JSON value as the input, not necessarily the same bytes (`"\u0041"`
/// becomes `"A"`, `1.0` becomes `1`). Recursion depth is bounded by the parser's max depth.
void WriteJsonValue(JsonWriter* w, JsonValue v);

/// `v` as a new minified JSON string (see WriteJsonValue).
std::string ToJson(JsonValue v);

}  // namespace asobi
