// The `world.terrain` push (websocket.md §10.9): `{coords: [cx, cy], data: <standard base64
// with padding of the chunk bytes>}`, sent to a zone's new subscriber when the world has a
// terrain provider.
#pragma once

#include <string>
#include <string_view>

#include "base/shared_buffer.h"
#include "game/world/terrain/terrain_chunk.h"

namespace asobi::world::terrain {

/// The frame text `{"type":"world.terrain","payload":{"coords":[x,y],"data":"..."}}`. Any
/// thread.
std::string BuildTerrainFrame(ChunkCoords at, std::string_view chunk_bytes);

/// The same frame as one WebSocket text frame in a shared buffer, encoded once and sent to
/// every subscriber with Client::SendEncoded. Any thread.
SharedBuffer EncodeTerrainFrame(ChunkCoords at, std::string_view chunk_bytes);

}  // namespace asobi::world::terrain
