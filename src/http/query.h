// Query-string parameters (rest.md §1.1): lookup, integers with default + clamp, booleans.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace asobi::http {

/// Decodes `%XX` escapes (either hex case) and, when `plus_as_space`, '+' as ' '. A '%' not
/// followed by two hex digits is kept as is. Bytes are not checked for valid UTF-8.
std::string PercentDecode(std::string_view s, bool plus_as_space);

/// Value of the first `name=value` pair in `query` (the part after '?', without it), with
/// names and values percent-decoded ('+' is a space). A pair without '=' has value "".
/// nullopt when the name does not occur. Pure; any thread.
std::optional<std::string> GetParam(std::string_view query, std::string_view name);

/// Integer parameter per rest.md §1.1: a missing value or one that is not a whole base-10
/// int64 (optional sign, nothing else) falls back to `default_value`; the result is then
/// clamped to [min_value, max_value] (the default too). Never an error.
/// Requires min_value <= max_value.
int64_t IntParam(std::string_view query, std::string_view name, int64_t default_value,
                 int64_t min_value, int64_t max_value);

/// Boolean parameter per rest.md §1.1: exactly "true" → true, exactly "false" → false,
/// anything else (or absent) → nullopt, which routes treat as "not given".
std::optional<bool> BoolParam(std::string_view query, std::string_view name);

}  // namespace asobi::http
