// Terrain chunk bytes (lua.md §8 `terrain_provider`, websocket.md §10.9 `world.terrain`).
//
// Format (the built-in tile format of upstream Asobi's asobi_terrain, so clients written for
// it decode ours): a zlib stream (RFC 1950) of 64 × 64 tiles, row-major (row y = 0..63, each
// row x = 0..63), 4 bytes per tile: u16 big-endian tile id, u8 flags, u8 elevation; 16,384
// bytes uncompressed. Tile (x, y) of chunk (cx, cy) is world tile (cx·64 + x, cy·64 + y).
// What ids, flags and elevations mean is the provider's (terrain_provider.h).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace asobi::world::terrain {

/// Tiles per chunk side.
inline constexpr int kChunkSide = 64;
/// Tiles per chunk.
inline constexpr size_t kChunkTiles = size_t{kChunkSide} * kChunkSide;
/// Uncompressed bytes per tile and per chunk.
inline constexpr size_t kTileBytes = 4;
inline constexpr size_t kChunkRawBytes = kChunkTiles * kTileBytes;

/// One tile.
struct Tile {
  uint16_t id = 0;
  uint8_t flags = 0;
  uint8_t elevation = 0;
  bool operator==(const Tile&) const = default;
};

/// The tiles of one chunk, index y * 64 + x.
using TileGrid = std::array<Tile, kChunkTiles>;

/// Chunk coordinates (a zone's coordinates: one chunk per zone, sent on subscription).
struct ChunkCoords {
  int32_t x = 0;
  int32_t y = 0;
  bool operator==(const ChunkCoords&) const = default;
};

/// The chunk bytes of `tiles`: the raw 16,384-byte grid, zlib-compressed at the default level.
/// Deterministic for a given zlib build. Any thread. Errors: "terrain_unavailable" when zlib
/// fails (out of memory).
Result<std::string> EncodeChunk(const TileGrid& tiles);

/// Decodes chunk bytes (clients, tests, tools). Inflates at most 16,384 bytes, so hostile input
/// cannot make it allocate more. Errors: "invalid_chunk" for anything but one zlib stream of
/// exactly 16,384 bytes.
Result<TileGrid> DecodeChunk(std::string_view bytes);

/// A chunk coordinate from a Lua number: integral and within int32, else nullopt (NaN, ±inf,
/// fractions, huge values). For `game.terrain.get_chunk(cx, cy)` / `preload` argument checks.
std::optional<int32_t> ChunkCoordFromNumber(double v);

}  // namespace asobi::world::terrain
