// Routing between the shards of the world runtime (ARCHITECTURE.md "Shards and ownership"):
// a world's state runs on OwnerShardOf(world_id) (match_id.h), a zone on ZoneShard(...).
// Every function here runs on the calling shard and posts to the owner; the task it posts
// looks the instance up again there and does nothing when it has gone.
#pragma once

#include <functional>
#include <string>

#include "game/world/runtime/world_settings.h"

namespace asobi::world {

class World;
class WorldService;
class Zone;

/// The shard that owns world `world_id` (among the node's shards).
int WorldShardOf(const WorldService& service, const std::string& world_id);

/// Runs `fn(world)` on the world's owner shard; `missing()` there (may be null) when the world
/// is gone. Control traffic: never dropped (SubmitReplyTo).
void RouteToWorld(WorldService& service, const std::string& world_id,
                  std::function<void(World&)> fn, std::function<void()> missing = nullptr);
/// Like RouteToWorld, but dropped when the owner's mailbox is full (client-driven input).
void RouteToWorldLossy(WorldService& service, const std::string& world_id,
                       std::function<void(World&)> fn);
/// Runs `fn(zone)` on zone `key`'s shard (`shard`), when the zone is live there. Control
/// traffic is never dropped; with `lossy` (client input) it is dropped when the mailbox is full.
void RouteToZone(WorldService& service, int shard, const std::string& world_id, ZoneKey key,
                 std::function<void(Zone&)> fn, bool lossy = false);
/// game.broadcast from a zone: the world sends `world.<event>` to every member.
void RouteWorldBroadcast(WorldService& service, const std::string& world_id, int world_shard,
                         std::string event, std::string payload_json);

}  // namespace asobi::world
