// The JSON text `world.tick` frame (websocket.md §10.5), encoded from the same WorldTickFrame as
// the binary wire.
#pragma once

#include <string>

#include "protocol/json_writer.h"
#include "protocol/world_tick/world_tick_frame.h"

namespace asobi::world_tick {

/// Writes the whole frame `{"type":"world.tick","payload":{"zone":[x,y],"frame_seq":n,
/// "kf":b,"tick":t,"updates":[...]}}` through `w` (at top level). Ungated frames omit
/// `frame_seq` and `kf`. Each record is `{"op":"a"|"u"|"r","id":..., fields...}`; removes have
/// no fields, fields named `op`/`id` are skipped (the record's own keys), values follow
/// JsonWriter (NaN/±inf as null, integral doubles within ±2^53 as integers), kJson values are
/// written verbatim. Every frame is encodable. Pure; any thread.
void WriteJsonWorldTick(const WorldTickFrame& frame, JsonWriter* w);

/// The frame text of WriteJsonWorldTick as a new string.
std::string EncodeJsonWorldTick(const WorldTickFrame& frame);

}  // namespace asobi::world_tick
