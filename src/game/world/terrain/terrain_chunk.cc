#include "game/world/terrain/terrain_chunk.h"

#include <zlib.h>

#include <cmath>
#include <optional>

namespace asobi::world::terrain {
namespace {

void PackTiles(const TileGrid& tiles, unsigned char* raw) {
  for (const Tile& t : tiles) {
    raw[0] = static_cast<unsigned char>(t.id >> 8);
    raw[1] = static_cast<unsigned char>(t.id & 0xFF);
    raw[2] = t.flags;
    raw[3] = t.elevation;
    raw += kTileBytes;
  }
}

}  // namespace

Result<std::string> EncodeChunk(const TileGrid& tiles) {
  unsigned char raw[kChunkRawBytes];
  PackTiles(tiles, raw);
  uLongf size = compressBound(kChunkRawBytes);
  std::string out(size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(out.data()), &size, raw, kChunkRawBytes,
                Z_DEFAULT_COMPRESSION) != Z_OK) {
    return MakeError("terrain_unavailable", "zlib compress failed");
  }
  out.resize(size);
  return out;
}

Result<TileGrid> DecodeChunk(std::string_view bytes) {
  if (bytes.size() > UINT32_MAX) return MakeError("invalid_chunk", "chunk too large");
  unsigned char raw[kChunkRawBytes + 1];  // one spare byte detects an over-long stream
  z_stream z{};
  if (inflateInit(&z) != Z_OK) return MakeError("invalid_chunk", "zlib init failed");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = raw;
  z.avail_out = sizeof raw;
  const int rc = inflate(&z, Z_FINISH);
  const size_t produced = sizeof raw - z.avail_out;
  const bool whole = rc == Z_STREAM_END && z.avail_in == 0 && produced == kChunkRawBytes;
  inflateEnd(&z);
  if (!whole) return MakeError("invalid_chunk", "not one zlib stream of 16384 tile bytes");
  TileGrid tiles;
  const unsigned char* p = raw;
  for (Tile& t : tiles) {
    t.id = static_cast<uint16_t>((p[0] << 8) | p[1]);
    t.flags = p[2];
    t.elevation = p[3];
    p += kTileBytes;
  }
  return tiles;
}

std::optional<int32_t> ChunkCoordFromNumber(double v) {
  if (!std::isfinite(v) || v != std::floor(v)) return std::nullopt;
  if (v < INT32_MIN || v > INT32_MAX) return std::nullopt;
  return static_cast<int32_t>(v);
}

}  // namespace asobi::world::terrain
