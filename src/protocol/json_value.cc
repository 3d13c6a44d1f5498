#include "protocol/json_value.h"

namespace asobi {

bool IsObject(JsonValue v) { return v.type() == simdjson::dom::element_type::OBJECT; }

std::optional<JsonValue> GetField(JsonValue obj, std::string_view key) {
  simdjson::dom::object o;
  if (obj.get_object().get(o) != simdjson::SUCCESS) return std::nullopt;
  JsonValue field;
  if (o.at_key(key).get(field) != simdjson::SUCCESS) return std::nullopt;
  return field;
}

std::optional<std::string_view> GetString(JsonValue obj, std::string_view key) {
  auto field = GetField(obj, key);
  std::string_view s;
  if (!field || field->get_string().get(s) != simdjson::SUCCESS) return std::nullopt;
  return s;
}

std::optional<int64_t> GetInt(JsonValue obj, std::string_view key) {
  auto field = GetField(obj, key);
  int64_t v;
  if (!field || field->get_int64().get(v) != simdjson::SUCCESS) return std::nullopt;
  return v;
}

std::optional<double> GetNumber(JsonValue obj, std::string_view key) {
  auto field = GetField(obj, key);
  double v;
  if (!field || !field->is_number() || field->get_double().get(v) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  return v;
}

std::optional<bool> GetBool(JsonValue obj, std::string_view key) {
  auto field = GetField(obj, key);
  bool v;
  if (!field || field->get_bool().get(v) != simdjson::SUCCESS) return std::nullopt;
  return v;
}

void WriteJsonValue(JsonWriter* w, JsonValue v) {
  using simdjson::dom::element_type;
  switch (v.type()) {
    case element_type::OBJECT: {
      const simdjson::dom::object obj = v.get_object().value_unsafe();
      w->BeginObject();
      for (simdjson::dom::key_value_pair member : obj) {
        w->Key(member.key);
        WriteJsonValue(w, member.value);
      }
      w->EndObject();
      return;
    }
    case element_type::ARRAY: {
      const simdjson::dom::array arr = v.get_array().value_unsafe();
      w->BeginArray();
      for (JsonValue item : arr) WriteJsonValue(w, item);
      w->EndArray();
      return;
    }
    case element_type::STRING:
      w->String(v.get_string().value_unsafe());
      return;
    case element_type::INT64:
      w->Int(v.get_int64().value_unsafe());
      return;
    case element_type::UINT64:
      w->Uint(v.get_uint64().value_unsafe());
      return;
    case element_type::DOUBLE:
      w->Double(v.get_double().value_unsafe());
      return;
    case element_type::BOOL:
      w->Bool(v.get_bool().value_unsafe());
      return;
    case element_type::NULL_VALUE:
      w->Null();
      return;
  }
}

std::string ToJson(JsonValue v) {
  JsonWriter w;
  WriteJsonValue(&w, v);
  return w.Take();
}

}  // namespace asobi
