// WorldTickFrame: the in-memory form of one zone's `world.tick` frame (websocket.md §10.5 and
// §11), from which both wires are encoded: the JSON text frame (json_world_tick.h) and the
// binary frame (binary_world_tick.h). A zone fills one frame per broadcast, encodes it once per
// wire kind, and shares the buffers with every subscriber (ARCHITECTURE.md "Shards").
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace asobi::world_tick {

/// Byte 0 of the binary frame (§11.1). A sequenced frame has a place in the zone's stream
/// (`frame_seq`, `kf`); an ungated frame (leave removals, §10.5 sender 3) has none: its JSON
/// form omits `frame_seq` and `kf`, its binary form writes 0 for both.
enum class FrameKind : uint8_t { kSequenced = 1, kUngated = 2 };

/// A record's operation: JSON `op` "a" / "u" / "r", binary op byte 0 / 1 / 2.
enum class DeltaOp : uint8_t { kAdd = 0, kUpdate = 1, kRemove = 2 };

/// Slot value of a record that has no slot binding (§11.2); such a frame is not encodable as
/// binary (refusal kMissingSlot) but still encodes as JSON.
inline constexpr int32_t kNoSlot = -1;
/// Highest slot number (slots are u16).
inline constexpr int32_t kMaxSlot = 65535;

/// One entity field value: a JSON scalar, or an already-encoded JSON array/object (`kJson`),
/// which only the JSON wire can carry. Integers and doubles stay distinct: an integer goes out
/// as binary i32 when it fits, a double as f32 (§11.1), whatever its value.
class FieldValue {
 public:
  enum class Type : uint8_t { kNull, kBool, kInt, kDouble, kString, kJson };

  FieldValue() = default;
  /// Factories, one per Type; strings are taken by value and moved in.
  static FieldValue Null() { return FieldValue(); }
  static FieldValue Bool(bool v) {
    FieldValue f(Type::kBool);
    f.int_ = v ? 1 : 0;
    return f;
  }
  static FieldValue Int(int64_t v) {
    FieldValue f(Type::kInt);
    f.int_ = v;
    return f;
  }
  static FieldValue Double(double v) {
    FieldValue f(Type::kDouble);
    f.double_ = v;
    return f;
  }
  static FieldValue String(std::string v) {
    FieldValue f(Type::kString);
    f.text_ = std::move(v);
    return f;
  }
  /// `json` must be one valid JSON value (the caller's encoder made it, e.g. from a Lua table).
  static FieldValue Json(std::string json) {
    FieldValue f(Type::kJson);
    f.text_ = std::move(json);
    return f;
  }

  /// Read-only views; only the *_value() accessor matching type() is meaningful.
  Type type() const { return type_; }
  bool bool_value() const { return int_ != 0; }
  int64_t int_value() const { return int_; }
  double double_value() const { return double_; }
  /// The string (kString) or the JSON text (kJson); empty otherwise.
  const std::string& text() const { return text_; }

  /// Same type and same value (doubles compare with ==, so NaN != NaN).
  bool operator==(const FieldValue& o) const;

 private:
  explicit FieldValue(Type t) : type_(t) {}
  Type type_ = Type::kNull;
  int64_t int_ = 0;
  double double_ = 0;
  std::string text_;
};

/// One named field of a record.
struct DeltaField {
  std::string name;
  FieldValue value;
};

/// One entity delta. `id` is the entity id (JSON wire: every record; binary: adds only);
/// `slot`/`gen` its binding in the zone's SlotTable (binary wire). Its fields are
/// `WorldTickFrame::fields[fields_begin, fields_end)`; adds carry all fields, updates the
/// changed ones, removes none (fields of a remove are ignored by both encoders). Fields named
/// `op` or `id` are never sent on either wire: the record's own op and id own those names
/// (docs/decisions.md "World wire and terrain").
struct EntityDelta {
  DeltaOp op = DeltaOp::kUpdate;
  std::string id;
  int32_t slot = kNoSlot;
  uint8_t gen = 0;
  uint32_t fields_begin = 0;
  uint32_t fields_end = 0;
};

/// One zone frame. Reusable: Clear() keeps the vectors' capacity, so a zone can fill the same
/// frame every tick. Not thread-safe; owned by the zone's shard while it is filled and encoded.
struct WorldTickFrame {
  FrameKind kind = FrameKind::kSequenced;
  int32_t zone_x = 0;
  int32_t zone_y = 0;
  uint64_t frame_seq = 0;  // §10.5: 0..2^53-1; ignored on ungated frames
  bool kf = false;         // keyframe; ignored on ungated frames
  uint64_t tick = 0;
  std::vector<EntityDelta> records;
  std::vector<DeltaField> fields;

  /// Appends a record with no fields and returns it (valid until the next AddRecord).
  EntityDelta& AddRecord(DeltaOp op, std::string_view id, int32_t slot = kNoSlot, uint8_t gen = 0);
  /// Appends a field to the last record (there must be one).
  void AddField(std::string_view name, FieldValue value);
  /// The fields of `record` (a record of this frame).
  std::span<const DeltaField> FieldsOf(const EntityDelta& record) const {
    return std::span<const DeltaField>(fields).subspan(record.fields_begin,
                                                       record.fields_end - record.fields_begin);
  }
  /// Empties the frame (header back to defaults), keeping capacity.
  void Clear();
};

}  // namespace asobi::world_tick
