// Reading `phases(config)`'s return (lua.md §5) from a Lua table into PhaseDefs: shared by the
// match script and the world state (lua.md §8 "as for matches"). Protected mode only (may
// allocate); any shard.
#pragma once

#include <string>
#include <vector>

#include "game/match/match_phases.h"

struct lua_State;

namespace asobi::match {

/// Reads the array at stack index `index` into `*defs` (entries without a string `name` are
/// dropped). False with `*warning` set when the value is not a non-empty array (the caller
/// then runs with no phases). Call in protected mode.
bool ReadPhaseArray(lua_State* s, int index, std::vector<PhaseDef>* defs, std::string* warning);

}  // namespace asobi::match
