// The match.input payload (websocket.md §5.6, lua.md §14): the payload is the input; a
// payload whose only key is `data` holding an object, or a JSON string that decodes to an
// object, is unwrapped (deprecated client shapes). Anything else non-object is rejected
// before Lua with `invalid_payload`.
#pragma once

#include <optional>
#include <string>

#include "protocol/json_value.h"

namespace asobi::match {

/// The input object as minified JSON, or nullopt (answer `invalid_payload`): not an object
/// after unwrapping, a bad `data` string, or nested deeper than `max_depth` containers (the
/// Lua marshalling limit, lua.md §13). Any thread (thread-local parser for `data` strings).
std::optional<std::string> NormalizeInput(JsonValue payload, int max_depth = 64);

}  // namespace asobi::match
