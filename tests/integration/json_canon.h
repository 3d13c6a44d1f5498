// Canon: JSON with object keys sorted, to compare values a Lua script produced (Lua tables
// have no key order) in integration tests.
#pragma once

#include <string>

#include "protocol/json_value.h"

namespace asobi::itest {

/// Appends `v` to `out` as minified JSON with the keys of every object sorted.
void Canon(simdjson::dom::element v, std::string* out);

/// `json` with object keys sorted and minified; "<invalid:json>" when `json` does not parse.
std::string Canon(const std::string& json);

}  // namespace asobi::itest
