// RegisterWorlds: the world domain's one registration function (ARCHITECTURE.md "Adding a
// domain"): the WorldNode, one WorldService per shard, the world.* WebSocket handlers, the
// /worlds REST routes and the disconnect hook.
#pragma once

#include <functional>

#include "game/domain.h"
#include "game/modes/mode_registry.h"
#include "game/world/runtime/world_node.h"

namespace asobi::world {

struct WorldsOptions {
  modes::ModeRegistry* modes = nullptr;  // the node's modes (null: no world can be created)
  int shard_count = 1;                   // the real shard count
  WorldNodeOptions node;
};

/// Call once from the server's domain table, after the directory (game.send) and after the
/// match runtime (the node-wide join limiter it shares, websocket.md §3). Returns the shutdown
/// step to run before the shards stop: every zone of a persistent world is snapshotted and
/// written (each on its shard's connection), waiting up to 5 s.
std::function<void()> RegisterWorlds(DomainContext& ctx, const WorldsOptions& options);

}  // namespace asobi::world
