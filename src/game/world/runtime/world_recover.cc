#include "game/world/runtime/world_recover.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/log.h"
#include "game/match/match_id.h"
#include "game/world/runtime/world.h"
#include "game/world/runtime/world_service.h"
#include "game/world/runtime/world_store.h"

namespace asobi::world {
namespace {

void Recreate(WorldService& s, const std::string& world_id, const std::string& mode_name,
              std::vector<ZoneSnapshot> zones) {
  if (s.FindWorld(world_id) != nullptr) return;
  auto mode = s.node().modes().Current()->Find(mode_name);
  if (!mode || !mode->is_world) {
    LOG_WARN("persistent world not restored")
        .KV("world", world_id)
        .KV("mode", mode_name)
        .KV("reason", "unknown_mode");
    return;
  }
  WorldListing listing;
  listing.world_id = world_id;
  listing.mode = mode->name;
  listing.listed = mode->listed;
  listing.quick_play = mode->quick_play;
  listing.owner_shard = s.host().shard_id();
  listing.max_players = mode->max_players;
  std::string error = s.node().Insert(listing);
  if (!error.empty()) {
    LOG_WARN("persistent world not restored").KV("world", world_id).KV("reason", error);
    return;
  }
  auto world = std::make_unique<World>(s, listing, mode);
  const size_t count = zones.size();
  world->SetRecovered(std::move(zones));
  Status st = world->Start();
  if (!st.ok()) {
    LOG_WARN("persistent world not restored")
        .KV("world", world_id)
        .KV("reason", st.error().message);
    s.node().Remove(world_id);
    return;
  }
  LOG_INFO("persistent world restored").KV("world", world_id).KV("zones", int64_t(count));
  s.AddWorld(std::move(world));
}

}  // namespace

void RecoverPersistentWorlds(WorldService& service) {
  WorldStore* store = service.store();
  if (store == nullptr) return;
  const int shard = service.host().shard_id();
  const int shards = service.node().shard_count();
  store->LoadWorlds([shard, shards](std::vector<std::pair<std::string, std::string>> worlds) {
    WorldService* s = WorldService::OnThisShard();
    if (s == nullptr || s->store() == nullptr) return;
    for (const auto& entry : worlds) {
      const std::string id = entry.first;
      const std::string mode = entry.second;
      if (match::OwnerShardOf(id, shards) != shard) continue;
      s->store()->LoadZones(id, [id, mode](bool ok, std::vector<ZoneSnapshot> zones) {
        WorldService* here = WorldService::OnThisShard();
        if (here == nullptr) return;
        if (!ok) {
          LOG_WARN("persistent world not restored").KV("world", id).KV("reason", "db_error");
          return;
        }
        Recreate(*here, id, mode, std::move(zones));
      });
    }
  });
}

}  // namespace asobi::world
