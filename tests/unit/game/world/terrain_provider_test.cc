// terrain_provider(config) resolution (lua.md §8): the allow-list and argument validation.
#include "game/world/terrain/terrain_provider.h"

#include <gtest/gtest.h>

#include <string>

namespace asobi::world::terrain {
namespace {

TileGrid Generate(const TerrainProvider& p, ChunkCoords at = {}) {
  TileGrid t;
  p.Generate(at, &t);
  return t;
}

void ExpectArgsError(std::string_view module, std::string_view args, std::string_view mentions) {
  auto r = CreateTerrainProvider(module, args, 1);
  ASSERT_FALSE(r.ok()) << module << " " << args;
  EXPECT_EQ(r.error().reason, "invalid_terrain_args") << args;
  EXPECT_NE(r.error().message.find(mentions), std::string::npos)
      << args << " -> " << r.error().message;
}

TEST(TerrainProviderTest, OnlyFlatAndPerlinAreAllowed) {
  for (std::string_view name : {"", "Flat", "PERLIN", "perlin2", "flat ", "my_terrain",
                                "asobi_terrain", "../flat", "os.execute"}) {
    auto r = CreateTerrainProvider(name, "", 1);
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.error().reason, "unknown_terrain_provider");
    EXPECT_NE(r.error().message.find("flat, perlin"), std::string::npos) << r.error().message;
  }
  auto flat = CreateTerrainProvider("flat", "", 1);
  ASSERT_TRUE(flat.ok());
  EXPECT_EQ(flat.value()->name(), "flat");
  EXPECT_TRUE(flat.value()->cheap());
  auto perlin = CreateTerrainProvider("perlin", "", 1);
  ASSERT_TRUE(perlin.ok());
  EXPECT_EQ(perlin.value()->name(), "perlin");
  EXPECT_FALSE(perlin.value()->cheap());
}

TEST(TerrainProviderTest, EmptyArgsInEveryShapeTheScriptLayerProduces) {
  for (std::string_view args : {"", "[]", "{}", "null", " { } "}) {
    auto r = CreateTerrainProvider("flat", args, 1);
    ASSERT_TRUE(r.ok()) << args << ": " << r.error().message;
    EXPECT_EQ(Generate(*r.value())[123], (Tile{1, 0, 0}));
  }
}

TEST(TerrainProviderTest, FlatFillsEveryTileOfEveryChunkWithItsTile) {
  auto r = CreateTerrainProvider("flat", R"({"tile":65535,"flags":3,"elevation":200})", 1);
  ASSERT_TRUE(r.ok()) << r.error().message;
  for (ChunkCoords at : {ChunkCoords{0, 0}, ChunkCoords{INT32_MIN, INT32_MAX}}) {
    TileGrid t = Generate(*r.value(), at);
    for (const Tile& tile : t) ASSERT_EQ(tile, (Tile{65535, 3, 200}));
  }
  // An integral float is an integer (Lua numbers are doubles).
  EXPECT_TRUE(CreateTerrainProvider("flat", R"({"tile":7.0})", 1).ok());
}

TEST(TerrainProviderTest, BadFlatArgsNameTheArgument) {
  ExpectArgsError("flat", R"({"tile":65536})", "tile must be an integer from 0 to 65535");
  ExpectArgsError("flat", R"({"tile":-1})", "tile");
  ExpectArgsError("flat", R"({"tile":1.5})", "tile");
  ExpectArgsError("flat", R"({"tile":"grass"})", "tile");
  ExpectArgsError("flat", R"({"flags":256})", "flags");
  ExpectArgsError("flat", R"({"elevation":true})", "elevation");
  ExpectArgsError("flat", R"({"tile":1,"colour":"red"})", "unknown argument colour");
  ExpectArgsError("flat", R"([1,2])", "args must be a table");
  ExpectArgsError("flat", R"(5)", "args must be a table");
  ExpectArgsError("flat", R"("x")", "args must be a table");
  ExpectArgsError("flat", R"({"tile":)", "not valid JSON");
}

TEST(TerrainProviderTest, BadPerlinArgsNameTheArgument) {
  ExpectArgsError("perlin", R"({"octaves":0})", "octaves");
  ExpectArgsError("perlin", R"({"octaves":9})", "octaves");
  ExpectArgsError("perlin", R"({"scale":0})", "scale");
  ExpectArgsError("perlin", R"({"scale":1e9})", "scale");
  ExpectArgsError("perlin", R"({"persistence":0})", "persistence must be a number above 0");
  ExpectArgsError("perlin", R"({"persistence":1.5})", "persistence");
  ExpectArgsError("perlin", R"({"lacunarity":0.5})", "lacunarity");
  ExpectArgsError("perlin", R"({"seed":1.5})", "seed");
  ExpectArgsError("perlin", R"({"seed":"abc"})", "seed");
  ExpectArgsError("perlin", R"({"elevation_min":200,"elevation_max":100})",
                  "elevation_min must not exceed elevation_max");
  ExpectArgsError("perlin", R"({"water_level":150,"sand_level":100})", "must not decrease");
  ExpectArgsError("perlin", R"({"rock_level":300})", "rock_level");
  ExpectArgsError("perlin", R"({"frequency":0.1})", "unknown argument frequency");
  EXPECT_TRUE(CreateTerrainProvider("perlin",
                                    R"({"seed":-5,"scale":16.5,"octaves":8,"persistence":1,)"
                                    R"("lacunarity":4,"elevation_min":10,"elevation_max":10,)"
                                    R"("water_level":0,"sand_level":0,"rock_level":256})",
                                    1)
                  .ok());
}

}  // namespace
}  // namespace asobi::world::terrain
