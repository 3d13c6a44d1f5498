#include "game/world/runtime/world_router.h"

#include "game/match/match_id.h"
#include "game/world/runtime/world.h"
#include "game/world/runtime/world_service.h"
#include "game/world/runtime/zone.h"

namespace asobi::world {

int WorldShardOf(const WorldService& service, const std::string& world_id) {
  return match::OwnerShardOf(world_id, const_cast<WorldService&>(service).node().shard_count());
}

void RouteToWorld(WorldService& service, const std::string& world_id,
                  std::function<void(World&)> fn, std::function<void()> missing) {
  service.host().SubmitReplyTo(WorldShardOf(service, world_id),
                               [world_id, fn = std::move(fn), missing = std::move(missing)] {
                                 WorldService* s = WorldService::OnThisShard();
                                 World* w = s ? s->FindWorld(world_id) : nullptr;
                                 if (w != nullptr) {
                                   fn(*w);
                                 } else if (missing) {
                                   missing();
                                 }
                               });
}

void RouteToWorldLossy(WorldService& service, const std::string& world_id,
                       std::function<void(World&)> fn) {
  (void)service.host().SubmitTo(WorldShardOf(service, world_id), [world_id, fn = std::move(fn)] {
    WorldService* s = WorldService::OnThisShard();
    if (World* w = s ? s->FindWorld(world_id) : nullptr) fn(*w);
  });
}

void RouteToZone(WorldService& service, int shard, const std::string& world_id, ZoneKey key,
                 std::function<void(Zone&)> fn, bool lossy) {
  Task task = [world_id, key, fn = std::move(fn)] {
    WorldService* s = WorldService::OnThisShard();
    if (Zone* z = s ? s->FindZone(world_id, key) : nullptr) fn(*z);
  };
  if (lossy) {
    (void)service.host().SubmitTo(shard, std::move(task));
  } else {
    service.host().SubmitReplyTo(shard, std::move(task));
  }
}

void RouteWorldBroadcast(WorldService& service, const std::string& world_id, int world_shard,
                         std::string event, std::string payload_json) {
  (void)world_shard;
  RouteToWorld(service, world_id,
               [event = std::move(event), payload = std::move(payload_json)](World& w) {
                 w.BroadcastEvent(event, payload);
               });
}

}  // namespace asobi::world
