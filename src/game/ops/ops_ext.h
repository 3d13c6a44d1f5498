// Extension actions (rest.md §3.14 `GET|POST|PUT|DELETE /ops/ext/:extension/:action`): the
// game's ops script (config.lua global `ops`, docs/decisions.md "Ops extension actions")
// registers `<extension>.<action>` handlers with their permission class; mutating calls
// (POST, PUT, DELETE) are audited as `ext.<extension>.<action>`.
#pragma once

#include "game/domain.h"
#include "game/modes/mode_registry.h"

namespace asobi::ops {

/// Registers the four routes and the per-shard Lua runtime of the ops script (only on shards
/// with a database). `modes` may be null (then every action is 404 `ops.not_found`).
void RegisterExtActions(DomainContext& ctx, modes::ModeRegistry* modes);

}  // namespace asobi::ops
