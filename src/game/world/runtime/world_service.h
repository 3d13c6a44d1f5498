// WorldService: the world runtime on one shard: the worlds whose state runs here, the zones
// that live here, and which world each of this shard's connections is in. One per shard,
// reached on its own thread with OnThisShard(); everything else talks to it by mailbox
// (world_router.h).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "base/shared_buffer.h"
#include "game/client.h"
#include "game/game_shard.h"
#include "game/match/match_host.h"
#include "game/modes/mode_watcher.h"
#include "game/world/runtime/world_node.h"
#include "game/world/runtime/world_settings.h"
#include "game/world/runtime/world_store.h"
#include "game/world/runtime/zone_snapshot.h"

namespace asobi::world {

class World;
class Zone;

class WorldService {
 public:
  /// `host` and `game` (this shard's) and `node` must outlive the service.
  WorldService(match::MatchHost& host, GameShard& game, WorldNode& node);
  ~WorldService();

  /// The service of the calling shard, or null.
  static WorldService* OnThisShard();

  match::MatchHost& host() { return host_; }
  GameShard& game() { return game_; }
  WorldNode& node() { return node_; }

  /// Worlds owned by this shard.
  World* FindWorld(const std::string& world_id);
  void AddWorld(std::unique_ptr<World> w);
  /// Destroys a finished world (after its current call returned: posted to the next turn).
  void DropWorld(const std::string& world_id);

  /// Zones living on this shard.
  Zone* FindZone(const std::string& world_id, ZoneKey key);
  /// Creates and starts a zone (no-op when it exists) with its initial zone_state (JSON
  /// object, "" = {}); false when its script failed.
  bool LoadZone(const std::string& world_id, int world_shard, ZoneKey key,
                std::shared_ptr<const WorldSettings> settings,
                const std::string& zone_state_json = "");
  void DropZone(const std::string& world_id, ZoneKey key);

  /// This shard's world persistence (zone_persist.cc, world_persist.cc), or null without a
  /// database.
  WorldStore* store() { return store_.get(); }
  /// Keeps `snapshot` for zone `key` of `world_id` (this shard's zone): the next LoadZone of
  /// that zone starts from it (entities and zone_state) instead of the zone_state it is given.
  void StashSnapshot(const std::string& world_id, ZoneSnapshot snapshot);
  /// Unloads zone `key` of `world_id` (zone_persist.cc): unless it has subscribers (or, when
  /// not `park`, holds entities or input), snapshots it (kept here; written when persistent),
  /// drops it and tells the world (World::ZoneUnloaded); otherwise tells the world it stays
  /// (World::ZoneKept).
  void UnloadZone(const std::string& world_id, ZoneKey key, bool park);
  /// Forgets every zone and stashed snapshot of a finished world on this shard.
  void ForgetWorld(const std::string& world_id);
  /// Snapshots every zone of a persistent world on this shard and writes them; `done` runs
  /// once the writes completed (or failed). Shutdown (worlds.cc).
  void SaveAll(std::function<void()> done);

  /// Hot reload (lua.md §16, world_reload.cc): tells every world state and zone on this shard
  /// about the mode watcher's changed files; those concerned reload at their next tick.
  void OnScriptsChanged(const modes::ChangedFiles& files);

  /// The world this shard's connection `ref` joined, or null.
  const std::string* ClientWorld(const ClientRef& ref) const;
  void SetClientWorld(const ClientRef& ref, const std::string& world_id);
  /// Forgets `ref`; returns the world it was in ("" if none).
  std::string RemoveClientWorld(const ClientRef& ref);

  /// Sends `frame` (a ready WebSocket frame) to each live connection of `to` on this shard.
  void DeliverLocal(const SharedBuffer& frame, const std::vector<ClientRef>& to);
  /// Sends `frame` to `to` wherever it lives (mailbox; dropped when full). This shard only.
  void DeliverTo(const SharedBuffer& frame, const std::vector<ClientRef>& to);

 private:
  static uint64_t RefKey(const ClientRef& r) { return (uint64_t(r.index) << 32) | r.gen; }

  match::MatchHost& host_;
  GameShard& game_;
  WorldNode& node_;
  std::map<std::string, std::unique_ptr<World>> worlds_;
  std::map<std::tuple<std::string, int, int>, std::unique_ptr<Zone>> zones_;
  std::unordered_map<uint64_t, std::string> client_world_;
  std::unique_ptr<WorldStore> store_;
  std::map<std::tuple<std::string, int, int>, ZoneSnapshot> stash_;
};

}  // namespace asobi::world
