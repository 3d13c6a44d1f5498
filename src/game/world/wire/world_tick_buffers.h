// World tick fan-out buffers: one zone frame encoded once per wire kind into WebSocket frames
// that every subscriber on any shard shares (websocket.md §10.5, §11; ARCHITECTURE.md
// "Shards"). A subscriber's connection sends `For(client.binary_wire())` with
// Client::SendEncoded.
#pragma once

#include "base/shared_buffer.h"
#include "protocol/world_tick/binary_world_tick.h"
#include "protocol/world_tick/world_tick_frame.h"

namespace asobi::world {

/// The WebSocket text frame of `frame`'s JSON form (`{"type":"world.tick","payload":...}`),
/// ready for Client::SendEncoded. Every frame has one. Any thread.
SharedBuffer EncodeWorldTickText(const world_tick::WorldTickFrame& frame);

/// The WebSocket binary frame of `frame` (§11.1), or an empty buffer when the frame cannot be
/// binary; then `*why` (if non-null) says why and binary clients get the text frame instead
/// (DECISIONS.md wire 6). Any thread.
SharedBuffer EncodeWorldTickBinary(const world_tick::WorldTickFrame& frame,
                                   world_tick::Refusal* why);

/// One frame's shared buffers, one per wire.
struct WorldTickBuffers {
  SharedBuffer text;    // always set
  SharedBuffer binary;  // empty: not wanted, or refused (see refusal)
  world_tick::Refusal refusal = world_tick::Refusal::kNone;

  /// The buffer for a client: binary when it negotiated the binary wire and the frame has a
  /// binary form, else the text frame (a binary client must accept text world.tick, §11).
  const SharedBuffer& For(bool binary_wire) const {
    return binary_wire && !binary.empty() ? binary : text;
  }
};

/// Encodes `frame` as text, and as binary too when `want_binary` (the zone has binary
/// subscribers and BinaryWireRepair planned a delta). Any thread.
WorldTickBuffers EncodeWorldTickBuffers(const world_tick::WorldTickFrame& frame, bool want_binary);

}  // namespace asobi::world
