#include "protocol/world_tick/world_tick_frame.h"

#include "base/check.h"

namespace asobi::world_tick {

bool FieldValue::operator==(const FieldValue& o) const {
  if (type_ != o.type_) return false;
  switch (type_) {
    case Type::kNull:
      return true;
    case Type::kBool:
    case Type::kInt:
      return int_ == o.int_;
    case Type::kDouble:
      return double_ == o.double_;
    case Type::kString:
    case Type::kJson:
      return text_ == o.text_;
  }
  return false;
}

EntityDelta& WorldTickFrame::AddRecord(DeltaOp op, std::string_view id, int32_t slot, uint8_t gen) {
  EntityDelta& r = records.emplace_back();
  r.op = op;
  r.id.assign(id);
  r.slot = slot;
  r.gen = gen;
  r.fields_begin = r.fields_end = static_cast<uint32_t>(fields.size());
  return r;
}

void WorldTickFrame::AddField(std::string_view name, FieldValue value) {
  CHECK(!records.empty());
  EntityDelta& r = records.back();
  DCHECK(r.fields_end == fields.size());
  DeltaField& f = fields.emplace_back();
  f.name.assign(name);
  f.value = std::move(value);
  r.fields_end = static_cast<uint32_t>(fields.size());
}

void WorldTickFrame::Clear() {
  kind = FrameKind::kSequenced;
  zone_x = zone_y = 0;
  frame_seq = 0;
  kf = false;
  tick = 0;
  records.clear();
  fields.clear();
}

}  // namespace asobi::world_tick
