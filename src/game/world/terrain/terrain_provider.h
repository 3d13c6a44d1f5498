// TerrainProvider: what a world's `terrain_provider(config)` callback selects (lua.md §8):
// `{ module = <allow-listed name>, args = {...} }`. The allow-list is `flat` and `perlin`;
// a script cannot name any other code. Providers are pure functions of (args, seed, chunk
// coordinates), so chunks can be generated on any thread, cached, and regenerated at will.
//
// `flat` args (all optional): `tile` (tile id 0..65535, default 1), `flags` (0..255, default 0),
// `elevation` (0..255, default 0). Every tile of every chunk is that tile.
//
// `perlin` args (all optional): `seed` (integer, default: the world's seed), `scale` (tiles per
// noise cell, 1..65536, default 48), `octaves` (1..8, default 4), `persistence` (0 < p <= 1,
// default 0.5), `lacunarity` (1..4, default 2), `elevation_min` / `elevation_max` (0..255,
// defaults 0 / 255, min <= max), `water_level`, `sand_level`, `rock_level` (0..256, defaults 112,
// 120, 150, non-decreasing). Elevation e = fBm noise mapped from [-1, 1] onto
// [elevation_min, elevation_max], rounded; tile id 1 water (e < water_level), 2 sand
// (< sand_level), 3 grass (< rock_level), 4 rock; flags bit 0 set on water and rock
// ("not walkable"). See docs/decisions.md "World wire and terrain".
//
// Args arrive as JSON (the Lua `args` table encoded by the script layer; an empty table is
// `[]`, DECISIONS.md Lua 3). Unknown keys, wrong types and out-of-range values are errors.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "base/result.h"
#include "game/world/terrain/terrain_chunk.h"

namespace asobi::world::terrain {

/// A terrain generator. Immutable and thread-safe: Generate runs on worker threads, several
/// at once.
class TerrainProvider {
 public:
  virtual ~TerrainProvider() = default;
  /// Fills `tiles` for chunk `at`. Deterministic; never fails.
  virtual void Generate(ChunkCoords at, TileGrid* tiles) const = 0;
  /// True when Generate is cheap enough to run on a shard thread (flat: a fill), so callers
  /// may skip the worker pool.
  virtual bool cheap() const = 0;
  /// The allow-listed module name ("flat" or "perlin").
  virtual std::string_view name() const = 0;
};

/// Builds the provider named `module` from `args_json` (a JSON object, `[]` or empty for no
/// args). `world_seed` is the default seed of seeded providers. Any thread.
/// Errors: "unknown_terrain_provider" (module not allow-listed; the message lists the allowed
/// names), "invalid_terrain_args" (the message names the argument and what it must be).
Result<std::shared_ptr<const TerrainProvider>> CreateTerrainProvider(std::string_view module,
                                                                     std::string_view args_json,
                                                                     uint64_t world_seed);

}  // namespace asobi::world::terrain
