#include "game/world/runtime/world_service.h"

#include "base/log.h"
#include "game/world/runtime/world.h"
#include "game/world/runtime/world_store.h"
#include "game/world/runtime/zone.h"

namespace asobi::world {
namespace {

thread_local WorldService* t_service = nullptr;

}  // namespace

WorldService::WorldService(match::MatchHost& host, GameShard& game, WorldNode& node)
    : host_(host), game_(game), node_(node) {
  t_service = this;
  if (game.db != nullptr) store_ = std::make_unique<WorldStore>(*game.db);
}

WorldService::~WorldService() {
  zones_.clear();
  worlds_.clear();
  if (t_service == this) t_service = nullptr;
}

WorldService* WorldService::OnThisShard() { return t_service; }

World* WorldService::FindWorld(const std::string& world_id) {
  auto it = worlds_.find(world_id);
  return it == worlds_.end() ? nullptr : it->second.get();
}

void WorldService::AddWorld(std::unique_ptr<World> w) {
  const std::string id = w->id();
  worlds_[id] = std::move(w);
}

void WorldService::DropWorld(const std::string& world_id) {
  auto it = worlds_.find(world_id);
  if (it == worlds_.end()) return;
  // The world may be on the stack (Finish from its own tick): destroy it on the next turn.
  std::shared_ptr<World> doomed(it->second.release());
  worlds_.erase(it);
  host_.SubmitReplyTo(host_.shard_id(), [doomed] {});
}

Zone* WorldService::FindZone(const std::string& world_id, ZoneKey key) {
  auto it = zones_.find({world_id, key.x, key.y});
  return it == zones_.end() ? nullptr : it->second.get();
}

bool WorldService::LoadZone(const std::string& world_id, int world_shard, ZoneKey key,
                            std::shared_ptr<const WorldSettings> settings,
                            const std::string& zone_state_json) {
  if (FindZone(world_id, key) != nullptr) return true;
  auto zone = std::make_unique<Zone>(*this, world_id, world_shard, key, std::move(settings));
  auto stashed = stash_.find({world_id, key.x, key.y});
  Status st = stashed == stash_.end() ? zone->Start(zone_state_json)
                                      : zone->StartFrom(std::move(stashed->second));
  if (stashed != stash_.end()) stash_.erase(stashed);
  if (!st.ok()) {
    LOG_WARN("zone failed to load")
        .KV("world", world_id)
        .KV("x", key.x)
        .KV("y", key.y)
        .KV("reason", st.error().message);
    return false;
  }
  zones_[{world_id, key.x, key.y}] = std::move(zone);
  return true;
}

void WorldService::DropZone(const std::string& world_id, ZoneKey key) {
  zones_.erase({world_id, key.x, key.y});
}

const std::string* WorldService::ClientWorld(const ClientRef& ref) const {
  auto it = client_world_.find(RefKey(ref));
  return it == client_world_.end() ? nullptr : &it->second;
}

void WorldService::SetClientWorld(const ClientRef& ref, const std::string& world_id) {
  client_world_[RefKey(ref)] = world_id;
}

std::string WorldService::RemoveClientWorld(const ClientRef& ref) {
  auto it = client_world_.find(RefKey(ref));
  if (it == client_world_.end()) return "";
  std::string id = std::move(it->second);
  client_world_.erase(it);
  return id;
}

void WorldService::DeliverLocal(const SharedBuffer& frame, const std::vector<ClientRef>& to) {
  for (const ClientRef& ref : to) {
    Client* c = game_.find_client ? game_.find_client(ref) : nullptr;
    if (c != nullptr) c->SendEncoded(frame);
  }
}

void WorldService::DeliverTo(const SharedBuffer& frame, const std::vector<ClientRef>& to) {
  if (to.size() == 1) {
    const ClientRef ref = to[0];
    if (ref.shard == host_.shard_id()) return DeliverLocal(frame, to);
    (void)host_.SubmitTo(ref.shard, [frame, to] {
      if (WorldService* s = OnThisShard()) s->DeliverLocal(frame, to);
    });
    return;
  }
  std::map<int, std::vector<ClientRef>> by_shard;
  for (const ClientRef& ref : to) by_shard[ref.shard].push_back(ref);
  for (auto& [shard, refs] : by_shard) {
    if (shard == host_.shard_id()) {
      DeliverLocal(frame, refs);
      continue;
    }
    // A full mailbox drops this frame for that shard's subscribers (they see a frame_seq gap).
    (void)host_.SubmitTo(shard, [frame, refs = std::move(refs)] {
      if (WorldService* s = OnThisShard()) s->DeliverLocal(frame, refs);
    });
  }
}

}  // namespace asobi::world
