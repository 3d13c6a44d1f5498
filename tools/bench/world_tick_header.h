// The bench's view of a binary world.tick frame (websocket.md §11.1): just the header and the
// record count, enough to follow frame_seq per zone and size frames without decoding records.
// The strict decoder is src/protocol/world_tick (above the bench's layers). Pure functions.
#pragma once

#include <cstdint>
#include <string_view>

namespace asobi::bench {

/// Header fields of one binary world.tick.
struct BinaryTickHeader {
  uint8_t kind = 0;  // 1 sequenced, 2 ungated (leave removals)
  int32_t zx = 0, zy = 0;
  uint64_t frame_seq = 0, tick = 0;
  bool kf = false;
  uint16_t records = 0;
};

/// Reads the header, the field-name dictionary and the record count of `frame` (a WebSocket
/// binary payload). False when it is shorter than 29 bytes, kind is not 1/2, kf not 0/1, the
/// dictionary has over 32 names or runs past the end, or the bytes left cannot hold
/// `records` records of at least 5 bytes each.
bool ParseBinaryTickHeader(std::string_view frame, BinaryTickHeader* h);

}  // namespace asobi::bench
