// The one JSON string escaper (RFC 8259 §7), used by every encoder: outbound frames
// (protocol/json_writer.h), HTTP error envelopes (http/error_response.cc) and Lua -> JSON
// (script/lua_to_json.cc). Pure; any thread.
#pragma once

#include <string>
#include <string_view>

namespace asobi {

/// How AppendJsonString writes the bytes it does not copy verbatim. Every style escapes `"`
/// and `\` with a backslash, copies well-formed UTF-8 as is, and always produces valid JSON
/// that is valid UTF-8. The styles differ only in the details each caller has always used.
struct JsonEscapeStyle {
  /// How ill-formed UTF-8 is replaced.
  enum class Invalid {
    kSubpart,          // one raw U+FFFD (EF BF BD) per maximal ill-formed subpart (Unicode §3.9)
    kEachByte,         // one raw U+FFFD per ill-formed byte
    kEachByteEscaped,  // the six ASCII bytes `\ufffd` per ill-formed byte
  };
  /// true: `\b \f \n \r \t` for those five controls and `\u00xx` for the other bytes below
  /// 0x20; false: `\u00xx` for every byte below 0x20. Hex digits are lower case.
  bool short_controls = true;
  Invalid invalid = Invalid::kSubpart;
};

/// Outbound WebSocket frames and REST bodies (websocket.md §1): short control escapes, one
/// U+FFFD per maximal ill-formed subpart.
inline constexpr JsonEscapeStyle kJsonEscapeWire{};
/// Lua values encoded to JSON (lua.md §14): short control escapes, one U+FFFD per bad byte.
inline constexpr JsonEscapeStyle kJsonEscapeLua{true, JsonEscapeStyle::Invalid::kEachByte};
/// HTTP error envelopes (rest.md §4): pure-ASCII escapes, `\ufffd` per bad byte.
inline constexpr JsonEscapeStyle kJsonEscapeHttpError{false,
                                                      JsonEscapeStyle::Invalid::kEachByteEscaped};

/// Appends `s` to `*out` as a quoted JSON string literal, quotes included, written in `style`.
/// Never fails; `s` may hold any bytes (NUL included).
void AppendJsonString(std::string* out, std::string_view s,
                      const JsonEscapeStyle& style = kJsonEscapeWire);

}  // namespace asobi
