// Minimal JSON string writer for the error envelope (http/ may not use protocol/'s writer).
#pragma once

#include <string>
#include <string_view>

namespace asobi::http {

/// Appends `s` to `*out` as a JSON string literal, quotes included (RFC 8259 §7): '"' and
/// '\' are backslash-escaped, bytes below 0x20 become \u00XX, valid UTF-8 is copied as is and
/// each byte of an invalid UTF-8 sequence becomes \ufffd, so the result is always valid JSON.
/// Pure; any thread.
void AppendJsonString(std::string_view s, std::string* out);

}  // namespace asobi::http
