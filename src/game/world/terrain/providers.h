// The allow-listed providers' constructors (terrain_provider.h). Internal to terrain/.
#pragma once

#include <cstdint>
#include <memory>

#include "base/result.h"
#include "game/world/terrain/terrain_args.h"
#include "game/world/terrain/terrain_provider.h"

namespace asobi::world::terrain {

/// Build the `flat` / `perlin` provider from `args`. Errors: reason "invalid_terrain_args"
/// (out-of-range value or unknown key; TerrainArgs::Finish).
Result<std::shared_ptr<const TerrainProvider>> CreateFlatProvider(TerrainArgs& args);
Result<std::shared_ptr<const TerrainProvider>> CreatePerlinProvider(TerrainArgs& args,
                                                                    uint64_t world_seed);

}  // namespace asobi::world::terrain
