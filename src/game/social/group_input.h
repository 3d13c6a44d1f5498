// Validation of the group fields of POST/PUT /groups (rest.md §3.3, docs/decisions.md
// "Social"): the changeset rules, with kura's messages for the 422 `errors` map. Pure; any
// thread.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "game/social/social_service.h"
#include "protocol/json_value.h"

namespace asobi::social {

/// One field problem: (field, message).
using FieldProblems = std::vector<std::pair<std::string, std::string>>;

/// Reads the group fields of `body` (a JSON object). `creating`: `name` is required and the
/// defaults apply (max_members 50, open false). Fills `out` with the fields present and
/// returns the problems (empty when valid). Rules: name a string of 2-64 characters;
/// description a string of at most 1024 characters or null; max_members an integer
/// 1-kGroupMembersMax; open a boolean.
FieldProblems ReadGroupFields(JsonValue body, bool creating, GroupChanges* out);

}  // namespace asobi::social
