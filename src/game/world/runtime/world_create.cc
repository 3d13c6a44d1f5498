#include "game/world/runtime/world_create.h"

#include "base/log.h"
#include "game/match/match_id.h"
#include "game/world/runtime/world.h"
#include "game/world/runtime/world_service.h"

namespace asobi::world {

void CreateWorld(WorldService& service, std::shared_ptr<const modes::ModeConfig> mode,
                 const std::string& owner_player, std::function<void(World&)> started,
                 std::function<void(std::string reason)> failed) {
  WorldNode& node = service.node();
  const int owner = node.PickShard();
  WorldListing listing;
  listing.world_id = match::NewMatchIdForShard(owner, node.shard_count());
  listing.mode = mode->name;
  listing.listed = mode->listed;
  listing.quick_play = mode->quick_play;
  listing.owner_player = owner_player;
  listing.owner_shard = owner;
  listing.max_players = mode->max_players;
  std::string error = node.Insert(listing);
  if (!error.empty()) return failed(error);
  const int caller = service.host().shard_id();
  service.host().SubmitReplyTo(owner, [listing, mode, caller, started = std::move(started),
                                       failed = std::move(failed)]() mutable {
    WorldService* s = WorldService::OnThisShard();
    if (s == nullptr) return;
    auto world = std::make_unique<World>(*s, listing, mode);
    Status st = world->Start();
    if (!st.ok()) {
      LOG_WARN("world failed to start")
          .KV("world", listing.world_id)
          .KV("mode", listing.mode)
          .KV("reason", st.error().message);
      s->node().Remove(listing.world_id);
      s->host().SubmitReplyTo(caller, [failed = std::move(failed)] { failed("script_failed"); });
      return;
    }
    World* raw = world.get();
    s->AddWorld(std::move(world));
    started(*raw);
  });
}

}  // namespace asobi::world
