// DecodeBinaryWorldTick (websocket.md §11.1): strict, total on any input.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "protocol/json_writer.h"
#include "protocol/world_tick/binary_world_tick.h"
#include "protocol/world_tick/wire_bytes.h"

namespace asobi::world_tick {
namespace {

class Decoder {
 public:
  Decoder(std::string_view bytes, WorldTickFrame* out) : in_(bytes), out_(out) {}

  Status Run() {
    out_->Clear();
    bool ok = Header() && Dictionary() && Records();
    if (ok && in_.remaining() != 0) ok = Fail("trailing bytes");
    if (ok && next_new_ != names_count_) ok = Fail("unused field name");
    if (!ok) return MakeError("malformed", error_);
    return Ok{};
  }

 private:
  bool Fail(std::string_view what) {
    error_ = std::string(what) + " at byte " + std::to_string(in_.pos());
    return false;
  }
  bool Need(bool ok) { return ok || Fail("truncated frame"); }

  bool Header() {
    uint8_t kind = 0, kf = 0;
    uint64_t x = 0, y = 0, seq = 0, tick = 0;
    if (!Need(in_.U8(&kind) && in_.Le(4, &x) && in_.Le(4, &y) && in_.Le(8, &seq) && in_.U8(&kf) &&
              in_.Le(8, &tick))) {
      return false;
    }
    if (kind != 1 && kind != 2) return Fail("unknown kind");
    if (kf > 1) return Fail("kf is not 0 or 1");
    out_->kind = static_cast<FrameKind>(kind);
    if (out_->kind == FrameKind::kUngated && (seq != 0 || kf != 0)) {
      return Fail("ungated frame with frame_seq or kf");
    }
    out_->zone_x = static_cast<int32_t>(static_cast<uint32_t>(x));
    out_->zone_y = static_cast<int32_t>(static_cast<uint32_t>(y));
    out_->frame_seq = seq;
    out_->kf = kf == 1;
    out_->tick = tick;
    return true;
  }

  bool Dictionary() {
    if (!Need(in_.U8(&names_count_))) return false;
    if (names_count_ > kMaxFieldNames) return Fail("dictionary over 32 names");
    for (int i = 0; i < names_count_; ++i) {
      uint8_t len = 0;
      std::string_view name;
      if (!Need(in_.U8(&len) && in_.Bytes(len, &name))) return false;
      if (!IsValidUtf8(name)) return Fail("field name is not UTF-8");
      for (int j = 0; j < i; ++j) {
        if (names_[j] == name) return Fail("duplicate field name");
      }
      names_[i] = name;
    }
    return true;
  }

  bool Records() {
    uint64_t count = 0;
    if (!Need(in_.Le(2, &count))) return false;
    // Every record takes at least 5 bytes: never reserve more than the input can hold.
    out_->records.reserve(std::min<uint64_t>(count, in_.remaining() / 5));
    for (uint64_t i = 0; i < count; ++i) {
      if (!Record()) return false;
    }
    return true;
  }

  bool Record() {
    uint8_t op = 0, gen = 0, field_count = 0;
    uint64_t slot = 0;
    if (!Need(in_.U8(&op) && in_.Le(2, &slot) && in_.U8(&gen))) return false;
    if (op > 2) return Fail("unknown op");
    std::string_view id;
    if (op == static_cast<uint8_t>(DeltaOp::kAdd)) {
      uint8_t id_len = 0;
      if (!Need(in_.U8(&id_len) && in_.Bytes(id_len, &id))) return false;
      if (!IsValidUtf8(id)) return Fail("entity id is not UTF-8");
    }
    out_->AddRecord(static_cast<DeltaOp>(op), id, static_cast<int32_t>(slot), gen);
    if (!Need(in_.U8(&field_count))) return false;
    if (op == static_cast<uint8_t>(DeltaOp::kRemove) && field_count != 0) {
      return Fail("remove with fields");
    }
    uint32_t seen = 0;
    for (int f = 0; f < field_count; ++f) {
      if (!Field(&seen)) return false;
    }
    return true;
  }

  bool Field(uint32_t* seen) {
    uint8_t header = 0;
    if (!Need(in_.U8(&header))) return false;
    const uint8_t type = header >> 5, index = header & 0x1F;
    if (index >= names_count_) return Fail("field index past the dictionary");
    if (index > next_new_) return Fail("field names not in first-appearance order");
    if (index == next_new_) ++next_new_;
    if (*seen & (uint32_t{1} << index)) return Fail("field repeated in a record");
    *seen |= uint32_t{1} << index;
    FieldValue value;
    if (!Value(type, &value)) return false;
    out_->AddField(names_[index], std::move(value));
    return true;
  }

  bool Value(uint8_t type, FieldValue* v) {
    uint64_t raw = 0;
    switch (type) {
      case kTypeF32: {
        if (!Need(in_.Le(4, &raw))) return false;
        const uint32_t bits = static_cast<uint32_t>(raw);
        float f;
        std::memcpy(&f, &bits, sizeof f);
        // The encoder writes null for non-finite values, never an f32 NaN or infinity.
        if (!std::isfinite(f)) return Fail("non-finite f32");
        *v = FieldValue::Double(f);
        return true;
      }
      case kTypeI32:
        if (!Need(in_.Le(4, &raw))) return false;
        *v = FieldValue::Int(static_cast<int32_t>(static_cast<uint32_t>(raw)));
        return true;
      case kTypeTrue:
      case kTypeFalse:
        *v = FieldValue::Bool(type == kTypeTrue);
        return true;
      case kTypeString: {
        std::string_view s;
        if (!Need(in_.Le(2, &raw) && in_.Bytes(raw, &s))) return false;
        if (!IsValidUtf8(s)) return Fail("string value is not UTF-8");
        *v = FieldValue::String(std::string(s));
        return true;
      }
      case kTypeNull:
        *v = FieldValue::Null();
        return true;
      default:
        return Fail("reserved field type");
    }
  }

  ByteReader in_;
  WorldTickFrame* out_;
  std::string error_;
  uint8_t names_count_ = 0;
  uint8_t next_new_ = 0;  // dictionary names seen in records so far
  std::string_view names_[kMaxFieldNames];
};

}  // namespace

Status DecodeBinaryWorldTick(std::string_view bytes, WorldTickFrame* out) {
  return Decoder(bytes, out).Run();
}

}  // namespace asobi::world_tick
