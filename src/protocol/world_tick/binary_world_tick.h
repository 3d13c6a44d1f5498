// The binary `world.tick` frame (websocket.md §11.1; DECISIONS.md wire 6): encoder and decoder.
//
// Layout (little-endian): u8 kind, i32 zone x, i32 zone y, u64 frame_seq, u8 kf, u64 tick,
// u8 N + N × (u8 len, name) field dictionary in first-appearance order, u16 record count, then
// records: u8 op, u16 slot, u8 gen, on adds u8 id_len + id, u8 field_count, fields. A field is
// one header byte (type << 5 | dictionary index) then its value: 0 f32, 1 i32, 2 true,
// 3 false, 4 u16 length + UTF-8 bytes, 5 null.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "protocol/world_tick/world_tick_frame.h"

namespace asobi::world_tick {

/// Bytes of the fixed header plus an empty dictionary and record count: an empty keyframe.
inline constexpr size_t kMinBinaryFrameBytes = 29;
/// Most distinct field names in one frame (5-bit dictionary index).
inline constexpr size_t kMaxFieldNames = 32;
/// Longest field name and entity id in bytes (u8 length).
inline constexpr size_t kMaxNameBytes = 255;
/// Longest string value in bytes (u16 length).
inline constexpr size_t kMaxStringBytes = 65535;
/// Most records in one frame (u16 count).
inline constexpr size_t kMaxRecords = 65535;

/// Why a frame cannot be encoded as binary (§11.3). A refused frame goes to binary clients as
/// JSON text instead; nothing is ever truncated or rounded out of range.
enum class Refusal : uint8_t {
  kNone = 0,
  kTooManyNames,     // more than 32 distinct field names
  kNameTooLong,      // field name over 255 bytes
  kIdTooLong,        // entity id (on an add) over 255 bytes
  kStringTooLong,    // string value over 65,535 bytes
  kInvalidUtf8,      // name, id or string that is not well-formed UTF-8
  kDuplicateName,    // two fields of one record with the same name
  kNotScalar,        // array/object value (FieldValue::kJson)
  kIntOutOfRange,    // integer outside int32
  kFloatOutOfRange,  // finite double whose magnitude is beyond float's range
  kMissingSlot,      // record without a slot binding (slot outside 0..65535)
  kTooManyRecords,   // more than 65,535 records
};

/// Stable lower_snake name of `r` (logs, metric labels), e.g. "too_many_names".
std::string_view RefusalName(Refusal r);

/// Appends the binary frame of `frame` to `*out` and returns Refusal::kNone, or returns why
/// it cannot (then `*out` is as it was at entry). Values: integers as i32 when within int32,
/// else kIntOutOfRange; doubles as f32 rounded to nearest (the precision loss §11.1 accepts),
/// kFloatOutOfRange when the rounded value would be infinite; NaN and ±infinity as null, the
/// value the JSON wire writes for them. Fields named `op`/`id` and the fields of removes are
/// skipped; an ungated frame writes frame_seq 0 and kf 0. Pure; any thread.
Refusal EncodeBinaryWorldTick(const WorldTickFrame& frame, std::string* out);

/// Decodes one binary frame into `*out` (cleared first). Strict: it accepts exactly the frames
/// EncodeBinaryWorldTick can produce, so re-encoding an accepted frame gives the same bytes
/// unless it has fields named `op`/`id` (never produced by this encoder). Rejects: truncation
/// or trailing bytes, kind other than 1/2, kf other than 0/1, a nonzero frame_seq or kf on an
/// ungated frame, a dictionary over 32 names, duplicate or unused names or names not in
/// first-appearance order, op above 2, a dictionary index past N, the reserved types 6 and 7,
/// the same name twice in a record, fields on a remove, a NaN or infinite f32 (the encoder
/// writes null for those), invalid UTF-8 in a name, id or string.
/// Decoded records have the id only on adds; f32 values become doubles, i32 integers.
/// Errors: reason "malformed", message naming the defect and its byte offset. Any thread.
Status DecodeBinaryWorldTick(std::string_view bytes, WorldTickFrame* out);

}  // namespace asobi::world_tick
