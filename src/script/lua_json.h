// Values crossing the Lua boundary as JSON (lua.md §14, DECISIONS.md Lua 3 and 4).
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "base/result.h"

struct lua_State;

namespace asobi::script {

/// Nesting limit for both directions (lua.md §13, §14).
inline constexpr int kLuaJsonMaxDepth = 64;

/// What the top of an encoded value must be.
enum class JsonShape {
  /// Any JSON value (game.send messages, storage values, results).
  kValue,
  /// An object (match.state payloads, game.broadcast payloads, lua.md §7/§9): a top-level
  /// value that would not encode as an object (scalar, array, empty table) becomes `{}`.
  kObject,
};

/// Options of LuaToJson: the top-level shape wanted and a byte cap on the encoding.
struct LuaToJsonOptions {
  JsonShape shape = JsonShape::kValue;
  /// Error "too_large" when the encoding would exceed this many bytes; 0 = no cap.
  size_t max_bytes = 0;
};

/// Appends the JSON encoding of the Lua value at stack `index` to `*out`. Rules (see
/// src/script/README.md): a table whose keys are all positive integers (<= 2^53) is an array
/// in key order with gaps closed up; any other key makes an object (number keys as decimal
/// text; boolean/table/function keys are skipped); an empty table is `[]` unless marked with
/// MarkTableAsObject (then `{}`, and a marked table is always an object); integral numbers
/// with |x| <= 2^53 are integer literals, other finite numbers the shortest round-trip form,
/// NaN/inf `null`; strings are UTF-8 with invalid bytes replaced by U+FFFD; functions,
/// userdata and threads are `null`; a table nested deeper than 64 levels (cycles included)
/// becomes the string "too_deep". No metamethod is invoked and no Lua code runs.
///
/// On error `*out` is left as it was. Errors: "too_large" (options.max_bytes), "lua_error"
/// (the state ran out of memory or stack while encoding). Owner thread of `L`; the stack is
/// left unchanged.
Status EncodeLuaToJson(lua_State* L, int index, std::string* out,
                       const LuaToJsonOptions& options = {});

/// Pushes the Lua value for a JSON element: object -> table with string keys (null members
/// are absent), array -> sequence 1..n (a null element leaves a hole at its index), numbers
/// -> numbers, booleans -> booleans, top-level null -> nil. Containers nested deeper than
/// `max_depth` fail with "too_deep". On error pushes nothing. Errors: "too_deep",
/// "lua_error" (out of memory). Owner thread of `L`; `element`'s document must outlive the
/// call.
Status PushJsonElement(lua_State* L, simdjson::dom::element element,
                       int max_depth = kLuaJsonMaxDepth);

/// Parses `json` with `parser` and pushes it as PushJsonElement does. Errors: "invalid_json",
/// "too_deep", "lua_error".
Status PushJsonText(lua_State* L, simdjson::dom::parser& parser, std::string_view json,
                    int max_depth = kLuaJsonMaxDepth);

/// Marks the table at `index` to encode as a JSON object, `{}` when empty (DECISIONS Lua 3).
/// The mark lives in a weak-keyed registry set, so the table's own metatable is untouched.
/// Allocates: call in protected mode (from a lua_CFunction).
void MarkTableAsObject(lua_State* L, int index);

/// lua_CFunction for `game.object(t)`: marks `t` (must be a table) and returns it.
int LuaMarkObject(lua_State* L);

/// Creates the registry entries the encoder and decoder use (the object-mark set and their
/// protected trampolines). Called by LuaState::Create in protected mode; states made
/// elsewhere get them lazily. lua_CFunction signature: run it with lua_cpcall.
int RegisterLuaJsonSupport(lua_State* L);

}  // namespace asobi::script
