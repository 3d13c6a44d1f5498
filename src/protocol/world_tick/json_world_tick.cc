#include "protocol/world_tick/json_world_tick.h"

#include "protocol/frame.h"

namespace asobi::world_tick {
namespace {

std::string_view OpName(DeltaOp op) {
  switch (op) {
    case DeltaOp::kAdd:
      return "a";
    case DeltaOp::kUpdate:
      return "u";
    case DeltaOp::kRemove:
      return "r";
  }
  return "u";
}

void WriteValue(const FieldValue& v, JsonWriter* w) {
  switch (v.type()) {
    case FieldValue::Type::kNull:
      w->Null();
      return;
    case FieldValue::Type::kBool:
      w->Bool(v.bool_value());
      return;
    case FieldValue::Type::kInt:
      w->Int(v.int_value());
      return;
    case FieldValue::Type::kDouble:
      w->Double(v.double_value());
      return;
    case FieldValue::Type::kString:
      w->String(v.text());
      return;
    case FieldValue::Type::kJson:
      w->Raw(v.text());
      return;
  }
}

void WriteRecord(const WorldTickFrame& frame, const EntityDelta& r, JsonWriter* w) {
  w->BeginObject();
  w->Key("op");
  w->String(OpName(r.op));
  w->Key("id");
  w->String(r.id);
  if (r.op != DeltaOp::kRemove) {
    for (const DeltaField& f : frame.FieldsOf(r)) {
      if (f.name == "op" || f.name == "id") continue;
      w->Key(f.name);
      WriteValue(f.value, w);
    }
  }
  w->EndObject();
}

}  // namespace

void WriteJsonWorldTick(const WorldTickFrame& frame, JsonWriter* w) {
  BeginFrame(w, "world.tick", nullptr);
  w->BeginObject();
  w->Key("zone");
  w->BeginArray();
  w->Int(frame.zone_x);
  w->Int(frame.zone_y);
  w->EndArray();
  if (frame.kind == FrameKind::kSequenced) {
    w->Key("frame_seq");
    w->Uint(frame.frame_seq);
    w->Key("kf");
    w->Bool(frame.kf);
  }
  w->Key("tick");
  w->Uint(frame.tick);
  w->Key("updates");
  w->BeginArray();
  for (const EntityDelta& r : frame.records) WriteRecord(frame, r, w);
  w->EndArray();
  w->EndObject();
  EndFrame(w);
}

std::string EncodeJsonWorldTick(const WorldTickFrame& frame) {
  JsonWriter w;
  w.Reserve(64 + frame.records.size() * 48 + frame.fields.size() * 16);
  WriteJsonWorldTick(frame, &w);
  return w.Take();
}

}  // namespace asobi::world_tick
