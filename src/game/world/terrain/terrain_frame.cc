#include "game/world/terrain/terrain_frame.h"

#include <sodium.h>

#include "protocol/frame.h"
#include "protocol/json_writer.h"
#include "ws/ws_codec.h"

namespace asobi::world::terrain {

std::string BuildTerrainFrame(ChunkCoords at, std::string_view chunk_bytes) {
  std::string b64(sodium_base64_ENCODED_LEN(chunk_bytes.size(), sodium_base64_VARIANT_ORIGINAL),
                  '\0');
  sodium_bin2base64(b64.data(), b64.size(),
                    reinterpret_cast<const unsigned char*>(chunk_bytes.data()), chunk_bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  b64.pop_back();  // the terminating NUL sodium writes
  JsonWriter w;
  w.Reserve(80 + b64.size());
  BeginFrame(&w, "world.terrain", nullptr);
  w.BeginObject();
  w.Key("coords");
  w.BeginArray();
  w.Int(at.x);
  w.Int(at.y);
  w.EndArray();
  w.Key("data");
  w.String(b64);
  w.EndObject();
  EndFrame(&w);
  return w.Take();
}

SharedBuffer EncodeTerrainFrame(ChunkCoords at, std::string_view chunk_bytes) {
  return WsCodec::EncodeTextFrameShared(BuildTerrainFrame(at, chunk_bytes));
}

}  // namespace asobi::world::terrain
