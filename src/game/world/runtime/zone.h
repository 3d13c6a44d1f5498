// Zone: one live zone of a world (lua.md §8, websocket.md §10.5): its own Lua state running
// `zone_tick` and `handle_input`, its entity table, the broadcast baseline and the players
// subscribed to its world.tick frames. Owned by the WorldService of the zone's shard
// (ZoneShard), driven by messages from the world's owner shard; never touched elsewhere.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/result.h"
#include "game/client.h"
#include "game/world/runtime/border_band.h"
#include "game/world/runtime/lua_instance.h"
#include "game/world/runtime/world_settings.h"
#include "game/world/runtime/zone_effects.h"
#include "game/world/runtime/zone_snapshot.h"
#include "game/world/wire/binary_wire_repair.h"
#include "game/world/wire/world_tick_buffers.h"
#include "protocol/world_tick/slot_table.h"
#include "protocol/world_tick/world_tick_frame.h"
#include "script/game_api/api_host.h"

namespace asobi::world {

class WorldNode;
class WorldService;

/// Budgets of lua.md §8, ms.
inline constexpr int kZoneMainChunkBudgetMs = 5000;
inline constexpr int kZoneTickBudgetMs = 500;
inline constexpr int kHandleInputBudgetMs = 50;
inline constexpr int kHandleEffectsBudgetMs = 50;
/// Budget overruns of a zone's callbacks within kZoneOverrunWindowMs that restart the zone.
inline constexpr int kZoneOverrunLimit = 3;
inline constexpr int64_t kZoneOverrunWindowMs = 30'000;
/// Inputs a zone keeps queued between two ticks; further ones are dropped (counted).
inline constexpr size_t kZoneInputQueueMax = 1024;

class Zone final : public script::game_api::ApiHost {
 public:
  /// Where an entity that left this zone goes: the world's owner shard routes it.
  struct Crossing {
    std::string id;
    std::string entity_json;
    ZoneKey to;
  };

  Zone(WorldService& service, std::string world_id, int world_shard, ZoneKey key,
       std::shared_ptr<const WorldSettings> settings);
  ~Zone() override;

  /// Creates the zone's Lua state (main chunk, 5000 ms) with `zone_state_json` (a JSON object
  /// from generate_world / on_zone_loaded, "" = {}) as its zone_state; the engine sets its `x`
  /// and `y` to the zone's coordinates. Errors: "script_failed".
  Status Start(const std::string& zone_state_json = "");

  // Hot reload (lua.md §16, zone_reload.cc).
  /// The mode watcher's changed files: when they concern this zone's state it reloads at the
  /// start of its next tick.
  void NoteScriptsChanged(const modes::ChangedFiles& files);
  /// The world reloaded: its new settings (spawn templates, the mode with the code it now
  /// runs) apply from now on, and this state reloads that code at its next tick unless it runs
  /// or tried it already. World -> zone message, zone shard.
  void UpdateSettings(std::shared_ptr<const WorldSettings> settings);

  /// Start from a snapshot (zone_persist.cc): its zone_state (x/y set again) and its entities.
  /// Errors: as Start.
  Status StartFrom(ZoneSnapshot snapshot);
  /// The zone's entities and zone_state now (`persistent_only`: as EncodeEntities).
  ZoneSnapshot TakeSnapshot(bool persistent_only);
  /// UnloadZone's test: no subscribers and (`park`, or no entities, no queued input, not busy).
  bool Unloadable(bool park);
  /// The world kept this zone (a member is there): it may ask to unload again later.
  void ResetUnloadRequest() {
    unload_requested_ = false;
    idle_since_ms_ = -1;
  }

  ZoneKey key() const { return key_; }
  const std::string& world_id() const { return world_id_; }

  /// Puts entity `id` (a JSON object; `x`/`y` decide nothing here) into the entity table.
  void AddEntity(const std::string& id, const std::string& entity_json);
  /// Removes entity `id` from the table (it leaves in the next delta).
  void RemoveEntity(const std::string& id);
  /// Subscribes `player_id`'s connection: sends it a keyframe of the baseline (§10.5 sender 2).
  /// `binary`: the connection negotiated the binary world.tick wire (§11).
  void Subscribe(const std::string& player_id, ClientRef client, bool binary);
  /// Unsubscribes and sends the ungated removal frame of the baseline (§10.5 sender 3).
  void Unsubscribe(const std::string& player_id);
  /// Queues a world.input (envelope `seq`, -1 when absent) for the next tick (dropped past
  /// kZoneInputQueueMax).
  void QueueInput(const std::string& player_id, std::string input_json, int64_t seq);
  /// world.resync: sends the subscriber `player_id` a keyframe (§10.5 sender 2).
  void Resync(const std::string& player_id);
  /// Runs tick `tick` (§8 order: zone_tick, inputs, crossings, deltas every
  /// broadcast_interval ticks) and returns the entities that left this zone. An idle zone (no
  /// subscribers, no entities, no queued input) runs only every `cold_tick_divisor`-th tick
  /// (never with 0, until a subscriber, an entity or an input arrives).
  std::vector<Crossing> Tick(uint64_t tick);

  /// Touching zone `from` published its border band (border_band.h): it replaces the last.
  void ReceiveBand(ZoneKey from, std::shared_ptr<const Band> band);
  /// Touching zone `to` loaded: it gets this zone's current band (when there is one).
  void SendBandTo(ZoneKey to);
  /// Effects other zones sent (game.zone.apply) for this zone's next handle_effects.
  void ReceiveEffects(std::vector<ZoneEffects::Effect> effects);

  size_t subscriber_count() const { return subscribers_.size(); }
  size_t entity_count() const { return baseline_.size(); }

  // script::game_api::ApiHost
  script::game_api::HostKind kind() const override { return script::game_api::HostKind::kZone; }
  const std::string& instance_id() const override { return instance_id_; }
  const std::string& script_name() const override;
  bool AllowLog() override;
  void Broadcast(std::string_view event, std::string_view payload_json) override;
  void Send(std::string_view player_id, std::string_view message_json) override;
  void SetJoinable(bool) override {}
  bool CanSuspend(lua_State*) override { return false; }
  void BeginAsync(script::game_api::AsyncStart) override {}
  void RunAfterMs(int64_t delay_ms, std::function<void()> fn) override;
  bool PushZoneEntities(lua_State* L) override;
  /// game.zone.park() (lua.md §18): false when the zone has subscribers (it is never unloaded
  /// then); else the zone asks its world to unload it after this tick.
  bool ParkZone();
  bool PushNeighbourEntities(lua_State* L) override;
  bool ZoneApply(std::string_view entity_id, std::string event_json) override;
  void ZoneDespawn(std::string_view entity_id) override;
  bool ZoneSpawn(std::string_view template_id, double x, double y,
                 std::string overrides_json) override;

 private:
  friend class WorldService;  // UnloadZone / SaveAll (zone_persist.cc)
  using Fields = std::vector<world_tick::DeltaField>;
  void RunZoneTick(uint64_t tick);
  bool Idle();
  void RunInputs();
  /// handle_effects(effects, entities) with the effects received since the last tick.
  void RunEffects();
  /// Posts this tick's outgoing effects (one message per target zone) and, when it changed,
  /// this zone's border band to the touching zones.
  void PublishToNeighbours();
  int ShardOf(ZoneKey key) const;
  std::vector<Crossing> TakeCrossings();
  void BroadcastDeltas(uint64_t tick);
  /// Records against the baseline for every entity of the table (and removals), then
  /// makes the table the baseline.
  void CollectFullDelta(world_tick::WorldTickFrame* frame);
  /// Records for the ids of dirty_ only; the baseline takes just those.
  void CollectDirtyDelta(world_tick::WorldTickFrame* frame);
  void AddEntityDelta(world_tick::WorldTickFrame* frame, const std::string& id,
                      const Fields& fields);
  /// zone_tick's fourth result at `index` (lua.md §18): `{changed = {id = entity}, removed =
  /// {ids}}`, every part optional. Validates it whole first; when well formed, writes it onto
  /// the entity table (changed set, removed cleared), adds its ids to dirty_ and returns
  /// true; otherwise changes nothing and returns false (zone_dirty.cc).
  bool MergeDirty(lua_State* L, int index);
  void FillKeyframe(world_tick::WorldTickFrame* frame) const;
  /// The removal frame of a subscriber who leaves (§10.5): one `r` record per baseline entity.
  void FillRemovals(world_tick::WorldTickFrame* frame) const;
  /// One frame of the current baseline (the keyframe, or the removal frame), encoded at most
  /// once per wire between two broadcasts and shared by every subscriber who joins, resyncs or
  /// leaves meanwhile: a crowded world's zone crossings subscribe many players per zone per
  /// broadcast interval. BroadcastDeltas empties both (the baseline, its slots and
  /// frame_seq change only there).
  struct BaselineFrame {
    SharedBuffer text;
    SharedBuffer binary;  // empty when not built yet or when it does not fit (binary_tried)
    bool binary_tried = false;
  };
  BaselineFrame keyframe_cache_;
  BaselineFrame removal_cache_;
  /// Sends `cache`'s frame (built with `fill` on first use) to one connection, in its
  /// binary form when `binary` and encodable.
  void SendBaselineFrame(BaselineFrame* cache,
                         void (Zone::*fill)(world_tick::WorldTickFrame*) const, ClientRef to,
                         bool binary);
  /// Sends the shared buffers to every subscriber, each its wire's buffer.
  void Fan(const WorldTickBuffers& buffers);
  /// Slot bindings of `frame`'s records (adds bind, others look up); removes release after.
  void BindSlots(world_tick::WorldTickFrame* frame);
  void LogFailure(const char* callback, const std::string& message);
  /// After a failed call: counts overruns; a memory failure, an unrecoverable state or
  /// kZoneOverrunLimit overruns restart the zone from its snapshot. True when it restarted.
  bool AfterFailure();
  /// A fresh Lua state whose entity table is the broadcast baseline (what subscribers last
  /// saw: never older than the last snapshot); zone_state is the last snapshot's (the one last
  /// written to PostgreSQL for a persistent world; {} before the first) with x, y and
  /// restarted = <restarts so far>; queued inputs are dropped; every subscriber gets a
  /// keyframe; the world state gets on_world_recovered. A zone whose script no longer loads
  /// stops.
  void Restart();
  /// Every tick, before the cold-tick test (zone_persist.cc): the periodic snapshot (written
  /// when the world is persistent and it changed), and the unload request of an idle or
  /// parked zone.
  void MaintainPersistence(uint64_t tick);
  /// After Restart: the world gets on_world_recovered (zone_persist.cc).
  void NotifyRecovered();
  /// Adds game.zone.park to this zone's Lua state (zone_persist.cc), after the main chunk.
  void InstallZoneApi();
  /// Start of Tick (zone_reload.cc): runs a pending reload; a failure keeps the old code.
  void MaybeReload();

  WorldService& service_;
  const std::string world_id_;
  const int world_shard_;
  const ZoneKey key_;
  std::shared_ptr<const WorldSettings> settings_;  // replaced by UpdateSettings
  std::string instance_id_;
  std::unique_ptr<LuaInstance> lua_;
  int entities_ref_ = -2;
  int zone_state_ref_ = -2;
  std::map<std::string, Fields> baseline_;  // what subscribers were last sent
  uint64_t frame_seq_ = 0;
  struct Subscriber {
    ClientRef client;
    bool binary = false;
  };
  std::map<std::string, Subscriber> subscribers_;
  world_tick::SlotTable slots_;  // in step with baseline_ (§11.2)
  BinaryWireRepair repair_;
  struct Input {
    std::string player_id;
    std::string json;
    int64_t seq = -1;
  };
  std::deque<Input> inputs_;
  /// world.ack (§10.8): the highest seq consumed this tick and the last one acked, per player.
  std::map<std::string, int64_t> consumed_;
  std::map<std::string, int64_t> acked_;
  void SendAcks(uint64_t tick);
  int64_t log_window_ms_ = 0;
  int log_count_ = 0;
  int64_t failure_log_ms_ = 0;
  std::vector<int64_t> overruns_ms_;
  bool dead_ = false;
  bool busy_ = false;  // zone_tick's third result (lua.md §18): never demoted to cold ticks
  bool cold_ = false;  // idle at the last tick (counted in WorldNode::zones_cold)
  WorldNode* node_ = nullptr;  // the node's counters (zones_live, zones_cold); outlives the zone
  /// zone_tick's dirty sets since the last broadcast (lua.md §18). `only` holds while every
  /// change since then came from zone_tick calls that each returned a well-formed dirty set;
  /// any other change (a join, leave, input, effect, spawn, despawn, crossing, a zone_tick
  /// without one or a failed one) clears it and the next broadcast diffs every entity.
  struct DirtySet {
    bool only = false;  // false until the first broadcast (which diffs everything)
    std::set<std::string> changed;
    std::set<std::string> removed;
    void Reset() {
      only = true;
      changed.clear();
      removed.clear();
    }
  };
  DirtySet dirty_;
  SharedBuffer terrain_frame_;  // this zone's world.terrain frame (chunk = zone), or empty
  int restarts_ = 0;            // the script failed to load again after a restart
  // Persistence (zone_persist.cc).
  ZoneSnapshot last_snapshot_;     // the latest periodic snapshot (persistent entities only)
  std::string last_saved_;         // its entities + zone_state as last written (dedupe)
  int64_t last_snapshot_ms_ = -1;  // monotonic ms; -1: none yet
  int64_t idle_since_ms_ = -1;     // idle (unloadable) since; -1: not idle
  uint64_t last_tick_ = 0;
  bool unload_requested_ = false;  // asked the world; waiting for UnloadZone
  bool park_requested_ = false;    // game.zone.park() this tick
  ZoneEffects effects_;
  BorderBand band_;
  ZoneSpawner spawner_;  // game.zone.spawn and respawns (zone_spawns.cc)
  /// Adds the spawns due at `tick` before zone_tick; after the crossings, schedules the
  /// respawns of watched entities that are gone (`crossed` left for another zone).
  void AddDueSpawns(uint64_t tick);
  void ReapSpawns(uint64_t tick, const std::vector<Crossing>& crossed);
};

}  // namespace asobi::world
