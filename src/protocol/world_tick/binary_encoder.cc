// EncodeBinaryWorldTick (websocket.md §11.1, §11.3; DECISIONS.md wire 6).
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "protocol/json_writer.h"
#include "protocol/world_tick/binary_world_tick.h"
#include "protocol/world_tick/wire_bytes.h"

namespace asobi::world_tick {
namespace {

constexpr uint8_t kSkip = 0xFF;  // field not sent (reserved name, or a remove's field)

// The frame's distinct field names in first-appearance order (at most 32).
class Dictionary {
 public:
  int Find(std::string_view name) const {
    for (int i = 0; i < size_; ++i) {
      if (names_[i] == name) return i;
    }
    return -1;
  }
  // Adds a new name; kNone, or why it cannot be in a binary dictionary.
  Refusal Add(std::string_view name, int* index) {
    if (name.size() > kMaxNameBytes) return Refusal::kNameTooLong;
    if (!IsValidUtf8(name)) return Refusal::kInvalidUtf8;
    if (size_ == static_cast<int>(kMaxFieldNames)) return Refusal::kTooManyNames;
    names_[size_] = name;
    *index = size_++;
    return Refusal::kNone;
  }
  int size() const { return size_; }
  std::string_view name(int i) const { return names_[i]; }

 private:
  std::string_view names_[kMaxFieldNames];
  int size_ = 0;
};

bool IsOwnedByRecord(std::string_view name) { return name == "op" || name == "id"; }

// Pass 1: the dictionary, and each field's index in it (kSkip for fields not sent).
Refusal BuildDictionary(const WorldTickFrame& frame, Dictionary* dict,
                        std::vector<uint8_t>* index) {
  index->assign(frame.fields.size(), kSkip);
  // Entities of one zone mostly list the same fields in the same order: guess that the n-th
  // field of a record has the name of the n-th field of the previous one before searching.
  int guess[kMaxFieldNames] = {};
  for (const EntityDelta& r : frame.records) {
    if (r.op == DeltaOp::kRemove) continue;
    uint32_t seen = 0;  // dictionary indices used by this record
    uint32_t n = 0;     // position of the field in this record
    for (uint32_t f = r.fields_begin; f < r.fields_end; ++f, ++n) {
      const std::string& name = frame.fields[f].name;
      if (IsOwnedByRecord(name)) continue;
      int i = -1;
      if (n < kMaxFieldNames && guess[n] < dict->size() && dict->name(guess[n]) == name) {
        i = guess[n];
      } else {
        i = dict->Find(name);
      }
      if (i < 0) {
        if (Refusal why = dict->Add(name, &i); why != Refusal::kNone) return why;
      }
      if (seen & (uint32_t{1} << i)) return Refusal::kDuplicateName;
      seen |= uint32_t{1} << i;
      (*index)[f] = static_cast<uint8_t>(i);
      if (n < kMaxFieldNames) guess[n] = i;
    }
  }
  return Refusal::kNone;
}

Refusal PutValue(const FieldValue& v, uint8_t index, std::string* out) {
  switch (v.type()) {
    case FieldValue::Type::kNull:
      PutU8(out, (kTypeNull << 5) | index);
      return Refusal::kNone;
    case FieldValue::Type::kBool:
      PutU8(out, ((v.bool_value() ? kTypeTrue : kTypeFalse) << 5) | index);
      return Refusal::kNone;
    case FieldValue::Type::kInt: {
      const int64_t i = v.int_value();
      if (i < std::numeric_limits<int32_t>::min() || i > std::numeric_limits<int32_t>::max()) {
        return Refusal::kIntOutOfRange;
      }
      PutU8(out, (kTypeI32 << 5) | index);
      PutLe(out, static_cast<uint32_t>(static_cast<int32_t>(i)), 4);
      return Refusal::kNone;
    }
    case FieldValue::Type::kDouble: {
      const double d = v.double_value();
      if (!std::isfinite(d)) {  // the JSON wire writes null for NaN and ±inf
        PutU8(out, (kTypeNull << 5) | index);
        return Refusal::kNone;
      }
      const float f = static_cast<float>(d);
      if (!std::isfinite(f)) return Refusal::kFloatOutOfRange;
      uint32_t bits;
      std::memcpy(&bits, &f, sizeof bits);
      PutU8(out, (kTypeF32 << 5) | index);
      PutLe(out, bits, 4);
      return Refusal::kNone;
    }
    case FieldValue::Type::kString: {
      const std::string& s = v.text();
      if (s.size() > kMaxStringBytes) return Refusal::kStringTooLong;
      if (!IsValidUtf8(s)) return Refusal::kInvalidUtf8;
      PutU8(out, (kTypeString << 5) | index);
      PutLe(out, s.size(), 2);
      out->append(s);
      return Refusal::kNone;
    }
    case FieldValue::Type::kJson:
      return Refusal::kNotScalar;
  }
  return Refusal::kNotScalar;
}

Refusal PutRecord(const WorldTickFrame& frame, const EntityDelta& r,
                  const std::vector<uint8_t>& index, std::string* out) {
  if (r.slot < 0 || r.slot > kMaxSlot) return Refusal::kMissingSlot;
  PutU8(out, static_cast<uint8_t>(r.op));
  PutLe(out, static_cast<uint32_t>(r.slot), 2);
  PutU8(out, r.gen);
  if (r.op == DeltaOp::kAdd) {
    if (r.id.size() > kMaxNameBytes) return Refusal::kIdTooLong;
    if (!IsValidUtf8(r.id)) return Refusal::kInvalidUtf8;
    PutU8(out, static_cast<uint8_t>(r.id.size()));
    out->append(r.id);
  }
  const size_t count_at = out->size();
  PutU8(out, 0);
  if (r.op == DeltaOp::kRemove) return Refusal::kNone;
  uint8_t count = 0;  // at most 32: names are distinct within a record
  for (uint32_t f = r.fields_begin; f < r.fields_end; ++f) {
    if (index[f] == kSkip) continue;
    if (Refusal why = PutValue(frame.fields[f].value, index[f], out); why != Refusal::kNone) {
      return why;
    }
    ++count;
  }
  (*out)[count_at] = static_cast<char>(count);
  return Refusal::kNone;
}

void PutHeader(const WorldTickFrame& frame, const Dictionary& dict, std::string* out) {
  const bool ungated = frame.kind == FrameKind::kUngated;
  PutU8(out, static_cast<uint8_t>(frame.kind));
  PutLe(out, static_cast<uint32_t>(frame.zone_x), 4);
  PutLe(out, static_cast<uint32_t>(frame.zone_y), 4);
  PutLe(out, ungated ? 0 : frame.frame_seq, 8);
  PutU8(out, !ungated && frame.kf ? 1 : 0);
  PutLe(out, frame.tick, 8);
  PutU8(out, static_cast<uint8_t>(dict.size()));
  for (int i = 0; i < dict.size(); ++i) {
    PutU8(out, static_cast<uint8_t>(dict.name(i).size()));
    out->append(dict.name(i));
  }
  PutLe(out, frame.records.size(), 2);
}

}  // namespace

std::string_view RefusalName(Refusal r) {
  switch (r) {
    case Refusal::kNone:
      return "none";
    case Refusal::kTooManyNames:
      return "too_many_names";
    case Refusal::kNameTooLong:
      return "name_too_long";
    case Refusal::kIdTooLong:
      return "id_too_long";
    case Refusal::kStringTooLong:
      return "string_too_long";
    case Refusal::kInvalidUtf8:
      return "invalid_utf8";
    case Refusal::kDuplicateName:
      return "duplicate_name";
    case Refusal::kNotScalar:
      return "not_scalar";
    case Refusal::kIntOutOfRange:
      return "int_out_of_range";
    case Refusal::kFloatOutOfRange:
      return "float_out_of_range";
    case Refusal::kMissingSlot:
      return "missing_slot";
    case Refusal::kTooManyRecords:
      return "too_many_records";
  }
  return "unknown";
}

Refusal EncodeBinaryWorldTick(const WorldTickFrame& frame, std::string* out) {
  if (frame.records.size() > kMaxRecords) return Refusal::kTooManyRecords;
  thread_local std::vector<uint8_t> index;  // scratch: the dictionary index of each field
  Dictionary dict;
  if (Refusal why = BuildDictionary(frame, &dict, &index); why != Refusal::kNone) return why;
  const size_t start = out->size();
  out->reserve(start + kMinBinaryFrameBytes + frame.records.size() * 8 + frame.fields.size() * 5);
  PutHeader(frame, dict, out);
  for (const EntityDelta& r : frame.records) {
    if (Refusal why = PutRecord(frame, r, index, out); why != Refusal::kNone) {
      out->resize(start);
      return why;
    }
  }
  return Refusal::kNone;
}

}  // namespace asobi::world_tick
