// Merge operators of game.storage.update/player_update and game.kv.merge (lua.md §18): `ops`
// maps field names to a table naming exactly one operator: set, set_if_absent, incr, min, max,
// latch. They apply to the top-level fields of a JSON object. Pure; any thread.
//
// Errors (reason strings, lua.md §18 "an {error} naming the field"; docs/decisions.md
// "Storage"): `invalid_ops: <field>: <why>` for an unknown operator, a bare value, zero or two
// operators, an operand of the wrong type, or an operator on a stored field of the wrong type;
// `not_an_object` when the stored value is not a JSON object.
#pragma once

#include <lua.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace asobi::script::game_api {

/// One field's operator.
struct MergeOp {
  enum class Kind { kSet, kSetIfAbsent, kIncr, kMin, kMax, kLatch };
  std::string field;
  Kind kind = Kind::kSet;
  /// kSet/kSetIfAbsent: the encoded JSON value.
  std::string json;
  /// kIncr/kMin/kMax: the operand.
  double number = 0;
  /// kLatch: the operand.
  bool flag = false;
};
using MergeOps = std::vector<MergeOp>;

/// Reads the ops table at stack `index` (a non-empty table with string keys). Values of `set`
/// and `set_if_absent` are encoded as lua.md §14 says, capped at `max_value_bytes` each
/// (error `value_too_large`). Never raises.
Result<MergeOps> ReadMergeOps(lua_State* L, int index, size_t max_value_bytes);

/// Applies `ops` in order to the JSON object `current` ("" = absent, treated as `{}`) and
/// returns the merged object's JSON text (existing fields keep their order, new ones follow).
Result<std::string> ApplyMergeOps(std::string_view current, const MergeOps& ops);

}  // namespace asobi::script::game_api
