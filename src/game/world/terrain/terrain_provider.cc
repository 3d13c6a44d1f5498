#include "game/world/terrain/terrain_provider.h"

#include <string>

#include "game/world/terrain/providers.h"

namespace asobi::world::terrain {

Result<std::shared_ptr<const TerrainProvider>> CreateTerrainProvider(std::string_view module,
                                                                     std::string_view args_json,
                                                                     uint64_t world_seed) {
  if (module != "flat" && module != "perlin") {
    std::string shown(module.substr(0, 64));
    return MakeError("unknown_terrain_provider",
                     "terrain provider '" + shown + "' is not one of: flat, perlin");
  }
  TerrainArgs args(args_json);
  if (module == "flat") return CreateFlatProvider(args);
  return CreatePerlinProvider(args, world_seed);
}

}  // namespace asobi::world::terrain
