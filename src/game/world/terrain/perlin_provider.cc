// The `perlin` terrain provider (terrain_provider.h): fBm gradient noise elevation with four
// tile bands.
#include <cmath>

#include "game/world/terrain/gradient_noise.h"
#include "game/world/terrain/providers.h"

namespace asobi::world::terrain {
namespace {

enum : uint16_t { kWater = 1, kSand = 2, kGrass = 3, kRock = 4 };
constexpr uint8_t kNotWalkable = 1;

struct PerlinParams {
  uint64_t seed = 0;
  double scale = 48;
  int octaves = 4;
  double persistence = 0.5;
  double lacunarity = 2;
  int elevation_min = 0;
  int elevation_max = 255;
  int water_level = 112;
  int sand_level = 120;
  int rock_level = 150;
};

class PerlinProvider final : public TerrainProvider {
 public:
  explicit PerlinProvider(const PerlinParams& p) : p_(p), noise_(p.seed) {}

  void Generate(ChunkCoords at, TileGrid* tiles) const override {
    const int64_t x0 = int64_t{at.x} * kChunkSide, y0 = int64_t{at.y} * kChunkSide;
    const double frequency = 1.0 / p_.scale;
    const double span = p_.elevation_max - p_.elevation_min;
    for (int y = 0; y < kChunkSide; ++y) {
      for (int x = 0; x < kChunkSide; ++x) {
        // Sample at the tile's centre so no tile sits exactly on a lattice point.
        const double n = noise_.Fbm(double(x0 + x) + 0.5, double(y0 + y) + 0.5, frequency,
                                    p_.octaves, p_.lacunarity, p_.persistence);
        const int e = p_.elevation_min + static_cast<int>(std::floor((n + 1.0) * 0.5 * span + 0.5));
        (*tiles)[size_t(y) * kChunkSide + x] = TileAt(e);
      }
    }
  }
  bool cheap() const override { return false; }
  std::string_view name() const override { return "perlin"; }

 private:
  Tile TileAt(int e) const {
    Tile t;
    t.elevation = static_cast<uint8_t>(e);
    if (e < p_.water_level) {
      t.id = kWater;
      t.flags = kNotWalkable;
    } else if (e < p_.sand_level) {
      t.id = kSand;
    } else if (e < p_.rock_level) {
      t.id = kGrass;
    } else {
      t.id = kRock;
      t.flags = kNotWalkable;
    }
    return t;
  }

  PerlinParams p_;
  GradientNoise noise_;
};

}  // namespace

Result<std::shared_ptr<const TerrainProvider>> CreatePerlinProvider(TerrainArgs& args,
                                                                    uint64_t world_seed) {
  PerlinParams p;
  p.seed = static_cast<uint64_t>(
      args.Int("seed", INT64_MIN, INT64_MAX, static_cast<int64_t>(world_seed)));
  p.scale = args.Number("scale", 1, 65536, p.scale);
  p.octaves = static_cast<int>(args.Int("octaves", 1, 8, p.octaves));
  p.persistence = args.Number("persistence", 0, 1, p.persistence, /*lo_open=*/true);
  p.lacunarity = args.Number("lacunarity", 1, 4, p.lacunarity);
  p.elevation_min = static_cast<int>(args.Int("elevation_min", 0, 255, p.elevation_min));
  p.elevation_max = static_cast<int>(args.Int("elevation_max", 0, 255, p.elevation_max));
  p.water_level = static_cast<int>(args.Int("water_level", 0, 256, p.water_level));
  p.sand_level = static_cast<int>(args.Int("sand_level", 0, 256, p.sand_level));
  p.rock_level = static_cast<int>(args.Int("rock_level", 0, 256, p.rock_level));
  if (p.elevation_min > p.elevation_max) args.Fail("elevation_min must not exceed elevation_max");
  if (p.water_level > p.sand_level || p.sand_level > p.rock_level) {
    args.Fail("water_level, sand_level and rock_level must not decrease");
  }
  if (Status st = args.Finish("perlin"); !st.ok()) return st.error();
  return std::shared_ptr<const TerrainProvider>(std::make_shared<PerlinProvider>(p));
}

}  // namespace asobi::world::terrain
