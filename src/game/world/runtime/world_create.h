// Creating a world (websocket.md §10.2, rest.md §3.11 POST /worlds): reserve it in the
// WorldNode (capacity limits), start its world state on the owner shard, then continue there.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "game/modes/mode_config.h"

namespace asobi::world {

class World;
class WorldService;

/// Runs on the calling shard. Reserves a world of world mode `mode` created by `owner_player`
/// and starts it on its owner shard; then runs `started(world)` there. On failure runs
/// `failed(reason)` on the calling shard: `world_capacity_reached`,
/// `player_world_limit_reached` (checked here, at once) or `script_failed` (the script's
/// top level or init failed; the reservation is released).
void CreateWorld(WorldService& service, std::shared_ptr<const modes::ModeConfig> mode,
                 const std::string& owner_player, std::function<void(World&)> started,
                 std::function<void(std::string reason)> failed);

}  // namespace asobi::world
