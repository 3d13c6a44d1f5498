// ZoneSnapshot: what a zone keeps of itself across an unload, a park, a runaway restart and a
// server restart (lua.md §8, §18; docs/decisions.md "World persistence"): its entity table
// and zone_state as JSON objects, the world tick it was taken at and when (wall clock ms).
// Plain data; copied between shards by value.
#pragma once

#include <cstdint>
#include <string>

#include "game/world/runtime/world_settings.h"

struct lua_State;

namespace asobi::world {

struct ZoneSnapshot {
  ZoneKey key;
  std::string entities_json = "{}";    // {id: entity}
  std::string zone_state_json = "{}";  // the zone's zone_state
  uint64_t tick = 0;                   // world tick it was taken at
  int64_t at_ms = 0;                   // wall clock (Unix ms)
};

/// Encodes the entity table at `entities` (absolute index) of `L` as a JSON object into `out`.
/// With `persistent_only`, entities whose `type` is "player" or whose `persistent` is false
/// are left out (they do not outlive the server). Entries with non-string keys, non-table
/// values or values JSON cannot hold are skipped. Runs in protected mode by the caller.
void EncodeEntities(lua_State* L, int entities, bool persistent_only, std::string* out);

}  // namespace asobi::world
