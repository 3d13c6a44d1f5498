// The `flat` terrain provider (terrain_provider.h): one tile everywhere.
#include "game/world/terrain/providers.h"

namespace asobi::world::terrain {
namespace {

class FlatProvider final : public TerrainProvider {
 public:
  explicit FlatProvider(Tile tile) : tile_(tile) {}
  void Generate(ChunkCoords, TileGrid* tiles) const override { tiles->fill(tile_); }
  bool cheap() const override { return true; }
  std::string_view name() const override { return "flat"; }

 private:
  Tile tile_;
};

}  // namespace

Result<std::shared_ptr<const TerrainProvider>> CreateFlatProvider(TerrainArgs& args) {
  Tile t;
  t.id = static_cast<uint16_t>(args.Int("tile", 0, 65535, 1));
  t.flags = static_cast<uint8_t>(args.Int("flags", 0, 255, 0));
  t.elevation = static_cast<uint8_t>(args.Int("elevation", 0, 255, 0));
  if (Status st = args.Finish("flat"); !st.ok()) return st.error();
  return std::shared_ptr<const TerrainProvider>(std::make_shared<FlatProvider>(t));
}

}  // namespace asobi::world::terrain
