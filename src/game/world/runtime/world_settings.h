// WorldSettings: one world's numeric mode globals (lua.md §2 "World-only numeric globals") as
// read from its world state at creation, and zone coordinates. Immutable once the world runs;
// zones get a shared copy.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "game/modes/mode_config.h"
#include "game/world/runtime/spawn_templates.h"
#include "game/world/terrain/terrain_provider.h"

namespace asobi::world {

struct WorldSettings {
  int grid_size = 10;              // zones per side
  double zone_size = 200;          // world units per zone side
  int tick_ms = 50;                // `tick_rate`
  int broadcast_interval = 3;      // world.tick deltas every N ticks
  int view_radius = 1;             // interest ring: (2r+1)^2 zones
  int cold_tick_divisor = 10;      // idle zones tick once per N ticks; 0 = not at all
  int max_players = 500;           // mode `max_players`
  double border_band = 0;          // world units mirrored to touching zones (0: none), lua.md §9
  double crossing_hysteresis = 0;  // world units past the border before an entity crosses
  // Persistence and unloading (docs/decisions.md "World persistence").
  bool persistent = false;  // `persistent`: zone snapshots to PostgreSQL, re-created at start
  int64_t zone_idle_timeout_ms = 30000;  // `zone_idle_timeout`: idle this long -> unloaded
  bool zone_park_on_idle = false;        // `zone_park_on_idle`: zones with entities unload too
  int64_t snapshot_interval_ms = 5000;   // `snapshot_interval`: a zone snapshots itself this often
  // World auto-chat (`chat` global, world_chat.h): channels members hold on their behalf.
  bool chat_world = false;  // `world:<wid>`
  bool chat_zone = false;   // `zone:<wid>:<x>,<y>` of the member's zone, follows crossings
  int chat_proximity = -1;  // `prox:` of the zones within this radius; -1 = none
  std::shared_ptr<const modes::ModeConfig> mode;
  /// terrain_provider's generator (lua.md §8), or null: zones send no world.terrain.
  std::shared_ptr<const terrain::TerrainProvider> terrain;
  /// spawn_templates(config)'s set (lua.md §8), read once at world start; never null.
  std::shared_ptr<const SpawnTemplates> templates = std::make_shared<const SpawnTemplates>();
};

/// A zone's grid coordinates.
struct ZoneKey {
  int x = 0;
  int y = 0;
  bool operator==(const ZoneKey&) const = default;
  bool operator<(const ZoneKey& o) const { return x != o.x ? x < o.x : y < o.y; }
};

/// The zone holding world position (px, py): floor(p / zone_size), clamped into the grid
/// (positions outside the world, NaN included, belong to the nearest edge zone).
ZoneKey ZoneOfPosition(const WorldSettings& s, double px, double py);

/// True when an entity of zone `key` at (px, py) stays there although ZoneOfPosition says
/// otherwise: finite, inside the world, and at most `crossing_hysteresis` outside the zone's
/// square on both axes.
bool WithinHysteresis(const WorldSettings& s, ZoneKey key, double px, double py);

/// The shard a zone of a world owned by `owner_shard` lives on: zones are dealt round-robin
/// over every shard in row-major order, starting at the owner, so a crowded world uses every
/// core (issue 14).
int ZoneShard(const WorldSettings& s, int owner_shard, int shard_count, ZoneKey key);

}  // namespace asobi::world
