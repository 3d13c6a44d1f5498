// The perlin provider and its gradient noise: determinism (golden chunk hashes, which every
// build must reproduce), value bounds, banding, and smoothness across chunk borders.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <set>

#include "game/world/terrain/gradient_noise.h"
#include "game/world/terrain/terrain_provider.h"

namespace asobi::world::terrain {
namespace {

std::shared_ptr<const TerrainProvider> Perlin(std::string_view args = "", uint64_t seed = 42) {
  auto r = CreateTerrainProvider("perlin", args, seed);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? r.value() : nullptr;
}

TileGrid Generate(const TerrainProvider& p, ChunkCoords at) {
  TileGrid t;
  p.Generate(at, &t);
  return t;
}

// FNV-1a over the tiles in wire order (id big-endian, flags, elevation).
uint64_t Hash(const TileGrid& tiles) {
  uint64_t h = 0xcbf29ce484222325ULL;
  auto mix = [&h](uint8_t b) {
    h ^= b;
    h *= 0x100000001b3ULL;
  };
  for (const Tile& t : tiles) {
    mix(uint8_t(t.id >> 8));
    mix(uint8_t(t.id));
    mix(t.flags);
    mix(t.elevation);
  }
  return h;
}

TEST(TerrainPerlinTest, ChunksAreTheSameInEveryBuildAndRun) {
  // Golden hashes: a change here changes every perlin world already on players' screens.
  // Update them only together with a decisions.md note.
  auto p = Perlin();
  EXPECT_EQ(Hash(Generate(*p, {0, 0})), 0x8acc4342bcd17e21ULL);
  EXPECT_EQ(Hash(Generate(*p, {-1, 3})), 0x3180d39af904cf41ULL);
  EXPECT_EQ(Hash(Generate(*p, {INT32_MIN, INT32_MAX})), 0x514ebb2d9530513aULL);
  auto tuned = Perlin(R"({"seed":7,"scale":20,"octaves":6,"persistence":0.6,"lacunarity":2.5})");
  EXPECT_EQ(Hash(Generate(*tuned, {5, -5})), 0xba991454f8ef9513ULL);
}

TEST(TerrainPerlinTest, SameSeedSameChunkOtherSeedOtherChunk) {
  auto a = Perlin("", 42), b = Perlin("", 42), c = Perlin("", 43), d = Perlin(R"({"seed":42})", 9);
  EXPECT_TRUE(Generate(*a, {2, 3}) == Generate(*b, {2, 3}));
  EXPECT_TRUE(Generate(*a, {2, 3}) == Generate(*d, {2, 3}));  // args seed beats world seed
  EXPECT_FALSE(Generate(*a, {2, 3}) == Generate(*c, {2, 3}));
  EXPECT_FALSE(Generate(*a, {2, 3}) == Generate(*a, {3, 2}));
}

TEST(TerrainPerlinTest, ElevationsStayInRangeAndTilesFollowTheBands) {
  auto p = Perlin(R"({"elevation_min":20,"elevation_max":220,"water_level":90,)"
                  R"("sand_level":110,"rock_level":170})");
  std::set<int> seen;
  for (ChunkCoords at : {ChunkCoords{0, 0}, ChunkCoords{-7, 11}, ChunkCoords{INT32_MAX, INT32_MIN},
                         ChunkCoords{INT32_MIN, INT32_MIN}}) {
    for (const Tile& t : Generate(*p, at)) {
      ASSERT_GE(t.elevation, 20);
      ASSERT_LE(t.elevation, 220);
      seen.insert(t.elevation);
      const uint16_t want = t.elevation < 90    ? 1
                            : t.elevation < 110 ? 2
                            : t.elevation < 170 ? 3
                                                : 4;
      ASSERT_EQ(t.id, want) << int(t.elevation);
      ASSERT_EQ(t.flags, (want == 1 || want == 4) ? 1 : 0);
    }
  }
  EXPECT_GT(seen.size(), 40u);  // terrain, not a constant
}

// The largest elevation step between horizontally (dx=1) or vertically (dy=1) adjacent tiles
// inside one chunk.
int MaxInteriorStep(const TileGrid& t, int dx, int dy) {
  int most = 0;
  for (int y = 0; y + dy < kChunkSide; ++y) {
    for (int x = 0; x + dx < kChunkSide; ++x) {
      most = std::max(most, std::abs(t[y * kChunkSide + x].elevation -
                                     t[(y + dy) * kChunkSide + x + dx].elevation));
    }
  }
  return most;
}

TEST(TerrainPerlinTest, TerrainIsContinuousAcrossChunkBorders) {
  // Crossing a chunk border is like any other step: never larger than the steepest step
  // inside the chunks on either side.
  auto p = Perlin(R"({"scale":24})");
  for (ChunkCoords at : {ChunkCoords{0, 0}, ChunkCoords{-1, -1}, ChunkCoords{INT32_MAX - 1, 0}}) {
    TileGrid here = Generate(*p, at), right = Generate(*p, {at.x + 1, at.y}),
             below = Generate(*p, {at.x, at.y + 1});
    const int h = std::max(MaxInteriorStep(here, 1, 0), MaxInteriorStep(right, 1, 0));
    const int v = std::max(MaxInteriorStep(here, 0, 1), MaxInteriorStep(below, 0, 1));
    EXPECT_LT(h, 40);  // smooth terrain: no cliffs inside a chunk either
    EXPECT_LT(v, 40);
    for (int i = 0; i < kChunkSide; ++i) {
      EXPECT_LE(std::abs(here[i * kChunkSide + 63].elevation - right[i * kChunkSide].elevation), h);
      EXPECT_LE(std::abs(here[63 * kChunkSide + i].elevation - below[i].elevation), v);
    }
  }
}

TEST(TerrainPerlinTest, NoiseIsBoundedAndZeroOnTheLattice) {
  GradientNoise n(1234);
  for (int i = -50; i <= 50; ++i) {
    EXPECT_EQ(n.Noise(i, -i), 0.0);
    for (double f : {0.1, 0.5, 0.77}) {
      const double v = n.Noise(i + f, i * 0.37 + f);
      ASSERT_TRUE(std::isfinite(v));
      ASSERT_LE(std::abs(v), 1.0);
      const double s = n.Fbm(i * 13.7, i * -3.1, 1.0 / 40, 8, 2.0, 0.5);
      ASSERT_LE(std::abs(s), 1.0);
    }
  }
  EXPECT_TRUE(std::isfinite(n.Noise(1e15 + 0.5, -1e15 + 0.25)));
}

}  // namespace
}  // namespace asobi::world::terrain
