// JSON text primitives used by the Lua -> JSON encoder (lua.md §14, DECISIONS Lua 4).
#pragma once

#include <string>
#include <string_view>

namespace asobi::script {

/// Largest magnitude written as a JSON integer literal: 2^53 (DECISIONS Lua 4).
inline constexpr double kJsonMaxExactInteger = 9007199254740992.0;

// Strings are written by asobi::AppendJsonString (base/json_escape.h) in the kJsonEscapeLua
// style: `"`, `\` and bytes below 0x20 escaped, every invalid UTF-8 byte (and every surrogate
// sequence) replaced with U+FFFD.

/// Appends a JSON number: an integral value with |x| <= 2^53 as an integer literal, another
/// finite value in the shortest form that reads back to the same double, NaN and +-inf as
/// `null`. Pure, any thread.
void AppendJsonNumber(std::string* out, double x);

/// Appends the text used when a number is an object key (no quotes): the integer literal for
/// integral |x| <= 2^53, otherwise the shortest round-trip form ("inf"/"-inf" for infinities).
void AppendNumberKeyText(std::string* out, double x);

}  // namespace asobi::script
