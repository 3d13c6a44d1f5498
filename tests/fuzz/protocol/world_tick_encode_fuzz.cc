// Fuzz target: the world.tick encoders on frames built from arbitrary bytes (websocket.md
// §10.5, §11; DECISIONS.md wire 6). Whatever the values (any int64, any double bit pattern,
// invalid UTF-8, long names, missing slots), the JSON form must be valid JSON, and the binary
// encoder must either refuse (leaving its output untouched) or produce a frame that decodes to
// exactly the values given, with doubles as their nearest float and NaN/inf as null: a value
// is never truncated. Must never crash or leak.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "base/check.h"
#include "protocol/envelope.h"
#include "protocol/world_tick/binary_world_tick.h"
#include "protocol/world_tick/json_world_tick.h"

namespace {

using namespace asobi::world_tick;

// Reads the fuzz input as a stream of choices; zeros once exhausted.
class Input {
 public:
  Input(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}
  bool empty() const { return p_ == end_; }
  uint64_t Bytes(int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= uint64_t{p_ < end_ ? *p_++ : uint8_t{0}} << (8 * i);
    return v;
  }
  uint8_t U8() { return static_cast<uint8_t>(Bytes(1)); }
  std::string Text(size_t max) {
    size_t n = U8() % (max + 1);
    std::string s;
    while (n-- > 0 && p_ < end_) s.push_back(static_cast<char>(*p_++));
    return s;
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

constexpr std::string_view kNames[] = {"x", "y", "hp", "name", "op", "id", "type", "alive"};

std::string Name(Input& in) {
  const uint8_t c = in.U8();
  if (c < 200) return std::string(kNames[c % 8]);
  if (c < 250) return in.Text(40);        // any bytes
  return std::string(250 + c % 10, 'n');  // over 255 bytes
}

FieldValue Value(Input& in) {
  const uint8_t kind = in.U8() % 16;
  if (kind < 2) return FieldValue::Null();
  if (kind < 4) return FieldValue::Bool(in.U8() & 1);
  if (kind < 7) {
    const int64_t v = static_cast<int64_t>(in.Bytes(8));
    return FieldValue::Int(in.U8() & 1 ? v : static_cast<int32_t>(v));
  }
  if (kind < 9) {  // any bit pattern: NaN, infinities, huge, tiny
    const uint64_t bits = in.Bytes(8);
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return FieldValue::Double(d);
  }
  if (kind < 12) return FieldValue::Double(static_cast<int32_t>(in.Bytes(4)) / 64.0);
  if (kind < 15) return FieldValue::String(in.Text(60));
  return FieldValue::Json("[1,{\"k\":null}]");
}

WorldTickFrame Build(Input& in) {
  WorldTickFrame f;
  f.kind = in.U8() & 1 ? FrameKind::kUngated : FrameKind::kSequenced;
  f.zone_x = static_cast<int32_t>(in.Bytes(4));
  f.zone_y = static_cast<int32_t>(in.Bytes(4));
  f.frame_seq = in.Bytes(7);
  f.kf = in.U8() & 1;
  f.tick = in.Bytes(8);
  for (int r = 0; r < 300 && !in.empty(); ++r) {
    const uint8_t op = in.U8() % 3;
    const uint8_t slot_choice = in.U8();
    const int32_t slot = slot_choice == 255 ? kNoSlot : static_cast<int32_t>(in.Bytes(2));
    f.AddRecord(static_cast<DeltaOp>(op), in.U8() == 0 ? std::string(300, 'i') : in.Text(40), slot,
                in.U8());
    const int fields = in.U8() % 12;
    for (int i = 0; i < fields; ++i) f.AddField(Name(in), Value(in));
  }
  return f;
}

// The value the binary wire must deliver for `v` (it was accepted).
FieldValue Expected(const FieldValue& v) {
  if (v.type() != FieldValue::Type::kDouble) return v;
  if (!std::isfinite(v.double_value())) return FieldValue::Null();
  return FieldValue::Double(static_cast<float>(v.double_value()));
}

void CheckSame(const WorldTickFrame& sent, const WorldTickFrame& got) {
  const bool ungated = sent.kind == FrameKind::kUngated;
  CHECK(got.kind == sent.kind && got.zone_x == sent.zone_x && got.zone_y == sent.zone_y);
  CHECK(got.frame_seq == (ungated ? 0 : sent.frame_seq));
  CHECK(got.kf == (!ungated && sent.kf));
  CHECK(got.tick == sent.tick);
  CHECK(got.records.size() == sent.records.size());
  for (size_t i = 0; i < sent.records.size(); ++i) {
    const EntityDelta &s = sent.records[i], &g = got.records[i];
    CHECK(g.op == s.op && g.slot == s.slot && g.gen == s.gen);
    CHECK(g.id == (s.op == DeltaOp::kAdd ? s.id : std::string()));
    std::vector<const DeltaField*> want;
    if (s.op != DeltaOp::kRemove) {
      for (const DeltaField& f : sent.FieldsOf(s)) {
        if (f.name != "op" && f.name != "id") want.push_back(&f);
      }
    }
    auto have = got.FieldsOf(g);
    CHECK(have.size() == want.size());
    for (size_t j = 0; j < want.size(); ++j) {
      CHECK(have[j].name == want[j]->name);
      CHECK(have[j].value == Expected(want[j]->value));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static asobi::EnvelopeParser* parser = new asobi::EnvelopeParser();
  Input in(data, size);
  const WorldTickFrame frame = Build(in);

  auto env = parser->Parse(EncodeJsonWorldTick(frame));
  CHECK(env.ok());
  CHECK(env->type == "world.tick");

  std::string out = "prefix";
  const Refusal why = EncodeBinaryWorldTick(frame, &out);
  if (why != Refusal::kNone) {
    CHECK(out == "prefix");  // refused: nothing written
    CHECK(RefusalName(why) != "unknown");
    return 0;
  }
  WorldTickFrame back;
  asobi::Status st = DecodeBinaryWorldTick(std::string_view(out).substr(6), &back);
  CHECK(st.ok());
  CheckSame(frame, back);
  return 0;
}
