#include "game/world/wire/world_tick_buffers.h"

#include <string>

#include "protocol/json_writer.h"
#include "protocol/world_tick/json_world_tick.h"
#include "ws/ws_codec.h"

namespace asobi::world {

SharedBuffer EncodeWorldTickText(const world_tick::WorldTickFrame& frame) {
  thread_local JsonWriter w;  // reused per thread: its buffer keeps its capacity
  w.Clear();
  world_tick::WriteJsonWorldTick(frame, &w);
  return WsCodec::EncodeTextFrameShared(w.out());
}

SharedBuffer EncodeWorldTickBinary(const world_tick::WorldTickFrame& frame,
                                   world_tick::Refusal* why) {
  thread_local std::string scratch;
  scratch.clear();
  const world_tick::Refusal r = world_tick::EncodeBinaryWorldTick(frame, &scratch);
  if (why != nullptr) *why = r;
  if (r != world_tick::Refusal::kNone) return SharedBuffer();
  return WsCodec::EncodeBinaryFrameShared(scratch);
}

WorldTickBuffers EncodeWorldTickBuffers(const world_tick::WorldTickFrame& frame, bool want_binary) {
  WorldTickBuffers b;
  b.text = EncodeWorldTickText(frame);
  if (want_binary) b.binary = EncodeWorldTickBinary(frame, &b.refusal);
  return b;
}

}  // namespace asobi::world
