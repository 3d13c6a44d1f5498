// ZoneEffects: the cross-zone effects of one zone (lua.md §8 `handle_effects`, §9
// `game.zone.apply`): the effects this zone sent during the current tick (at most
// kMaxEffectsPerTick, batched per target zone and posted once the tick's callbacks are done)
// and the effects other zones sent to it, delivered to `handle_effects` at its next tick.
// Owned by its Zone; zone shard only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "game/world/runtime/world_settings.h"

struct lua_State;

namespace asobi::world {

/// Largest effect `event`, as encoded JSON bytes (lua.md §9: 4 KiB).
inline constexpr size_t kMaxEffectBytes = 4096;
/// Effects one zone may send per tick (lua.md §9); further game.zone.apply calls answer false.
inline constexpr int kMaxEffectsPerTick = 64;
/// Effects a zone keeps queued for its next tick: what its 8 neighbours may send in one tick.
/// Further ones are dropped (counted; only reachable when a zone misses ticks).
inline constexpr size_t kZoneEffectQueueMax = 8 * kMaxEffectsPerTick;

class ZoneEffects {
 public:
  /// One effect: the target entity and the event (encoded JSON).
  struct Effect {
    std::string entity_id;
    std::string event_json;
  };

  /// A tick starts: the per-tick send count starts again.
  void NewTick() { sent_ = 0; }
  /// Records an effect for entity `entity_id` owned by zone `to`. False (nothing recorded)
  /// when `event_json` exceeds kMaxEffectBytes or kMaxEffectsPerTick were sent this tick.
  bool Send(ZoneKey to, std::string entity_id, std::string event_json);
  /// The effects recorded since the last call, per target zone (then forgotten).
  std::map<ZoneKey, std::vector<Effect>> TakeOutgoing();

  /// Queues effects another zone sent (dropped past kZoneEffectQueueMax).
  void Receive(std::vector<Effect> effects);
  bool has_incoming() const { return !incoming_.empty(); }
  /// Pushes the queued effects as the array `handle_effects` gets and forgets them: each is
  /// `{entity_id, event, entity_id = <id>, event = <value>}` (positional as lua.md §8 writes
  /// it, and named). An event that no longer parses is pushed as an empty table. Protected
  /// mode.
  void PushIncoming(lua_State* L);
  /// Forgets the queued effects (the script has no handle_effects).
  void ClearIncoming() { incoming_.clear(); }
  uint64_t dropped() const { return dropped_; }

 private:
  int sent_ = 0;
  std::map<ZoneKey, std::vector<Effect>> outgoing_;
  std::vector<Effect> incoming_;
  uint64_t dropped_ = 0;
};

}  // namespace asobi::world
