// Terrain chunk bytes (terrain_chunk.h): the tile layout, zlib framing, and what the decoder
// refuses.
#include "game/world/terrain/terrain_chunk.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cmath>
#include <string>

namespace asobi::world::terrain {
namespace {

std::string Compress(const std::string& raw) {
  uLongf size = compressBound(raw.size());
  std::string out(size, '\0');
  EXPECT_EQ(compress(reinterpret_cast<Bytef*>(out.data()), &size,
                     reinterpret_cast<const Bytef*>(raw.data()), raw.size()),
            Z_OK);
  out.resize(size);
  return out;
}

TEST(TerrainChunkTest, TilesAreRowMajorBigEndianIdThenFlagsThenElevation) {
  TileGrid tiles{};
  tiles[0] = Tile{0x1234, 5, 6};
  tiles[1] = Tile{7, 0, 0};                      // (x 1, y 0)
  tiles[kChunkSide] = Tile{0xFFFF, 0xFF, 0xFF};  // (x 0, y 1)
  Result<std::string> bytes = EncodeChunk(tiles);
  ASSERT_TRUE(bytes.ok());
  std::string raw(kChunkRawBytes, '\0');
  uLongf size = raw.size();
  ASSERT_EQ(uncompress(reinterpret_cast<Bytef*>(raw.data()), &size,
                       reinterpret_cast<const Bytef*>(bytes->data()), bytes->size()),
            Z_OK);
  ASSERT_EQ(size, kChunkRawBytes);
  EXPECT_EQ(raw.substr(0, 8), std::string("\x12\x34\x05\x06\x00\x07\x00\x00", 8));
  EXPECT_EQ(raw.substr(kChunkSide * 4, 4), std::string("\xFF\xFF\xFF\xFF", 4));
  Result<TileGrid> back = DecodeChunk(*bytes);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_TRUE(*back == tiles);
}

TEST(TerrainChunkTest, DecoderRefusesAnythingButOneStreamOfExactlyOneChunk) {
  const std::string good = *EncodeChunk(TileGrid{});
  for (const std::string& bad :
       {std::string(), std::string("not zlib"), good.substr(0, good.size() - 1), good + "x",
        Compress(std::string(kChunkRawBytes - 1, '\0')),
        Compress(std::string(kChunkRawBytes + 1, '\0')),
        Compress(std::string(50 * kChunkRawBytes, '\0'))}) {
    Result<TileGrid> r = DecodeChunk(bad);
    ASSERT_FALSE(r.ok()) << bad.size();
    EXPECT_EQ(r.error().reason, "invalid_chunk");
  }
}

TEST(TerrainChunkTest, ChunkCoordinatesFromLuaNumbers) {
  EXPECT_EQ(ChunkCoordFromNumber(3.0), 3);
  EXPECT_EQ(ChunkCoordFromNumber(-7), -7);
  EXPECT_EQ(ChunkCoordFromNumber(2147483647.0), INT32_MAX);
  EXPECT_EQ(ChunkCoordFromNumber(-2147483648.0), INT32_MIN);
  for (double bad :
       {0.5, -1.25, 2147483648.0, -2147483649.0, 1e300, std::nan(""), HUGE_VAL, -HUGE_VAL}) {
    EXPECT_EQ(ChunkCoordFromNumber(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace asobi::world::terrain
