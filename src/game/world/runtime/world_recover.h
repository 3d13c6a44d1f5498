// Re-creating persistent worlds when the server starts (lua.md §2 `persistent`; issue 14 item
// 5; docs/decisions.md "World persistence"): each shard reads persistent_worlds and starts the
// worlds it owns (OwnerShardOf of the id) with the same id, each zone starting from its last
// snapshot when it loads.
#pragma once

namespace asobi::world {

class WorldService;

/// Runs on `service`'s shard at shard start (a no-op without a database). Asynchronous: the
/// worlds appear (status running) once their rows are read; a world whose mode is gone or no
/// longer a world mode, or whose script fails, is logged and left in the database.
void RecoverPersistentWorlds(WorldService& service);

}  // namespace asobi::world
