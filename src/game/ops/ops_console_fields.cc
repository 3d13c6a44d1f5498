#include "game/ops/ops_console_fields.h"

#include "base/uuid.h"
#include "game/rest_util.h"
#include "protocol/json_writer.h"

namespace asobi::ops {
namespace {

void Problems(HttpCall& call, const std::vector<std::pair<std::string, std::string>>& problems) {
  JsonWriter w;
  w.BeginObject();
  for (const auto& [field, msg] : problems) {
    w.Key(field);
    w.BeginArray();
    w.String(msg);
    w.EndArray();
  }
  w.EndObject();
  std::string extra;
  extra.append("\"fields\":").append(w.out());
  std::string details;
  details.append("{").append(extra).append("}");
  RespondError(call, "validation_failed", {}, details, extra);
}

}  // namespace

db::Param EditFields::Text(std::string_view key, bool required) {
  std::optional<JsonValue> v = GetField(body_, key);
  if (!v) {
    if (required) problems_.push_back({std::string(key), "is required"});
    return db::Param::Null();
  }
  std::optional<std::string_view> s = GetString(body_, key);
  if (!s || s->empty() || s->size() > kEditTextBytesMax) {
    problems_.push_back({std::string(key), "must be a string of 1-255 bytes"});
    return db::Param::Null();
  }
  return db::Param::Text(*s);
}

db::Param EditFields::Bool(std::string_view key) {
  if (!GetField(body_, key)) return db::Param::Null();
  std::optional<bool> b = GetBool(body_, key);
  if (!b) {
    problems_.push_back({std::string(key), "must be a boolean"});
    return db::Param::Null();
  }
  return db::Param::Bool(*b);
}

db::Param EditFields::Int32(std::string_view key, int64_t lo, int64_t hi, bool required) {
  if (!GetField(body_, key)) {
    if (required) problems_.push_back({std::string(key), "is required"});
    return db::Param::Null();
  }
  std::optional<int64_t> n = GetInt(body_, key);
  if (!n || *n < lo || *n > hi) {
    problems_.push_back({std::string(key), "must be an integer from " + std::to_string(lo) +
                                               " to " + std::to_string(hi)});
    return db::Param::Null();
  }
  return db::Param::Int32(int32_t(*n));
}

db::Param EditFields::Uuid(std::string_view key, bool required) {
  if (!GetField(body_, key)) {
    if (required) problems_.push_back({std::string(key), "is required"});
    return db::Param::Null();
  }
  std::optional<std::string_view> s = GetString(body_, key);
  if (!s || !IsCanonicalUuid(*s)) {
    problems_.push_back({std::string(key), "must be a lowercase UUID"});
    return db::Param::Null();
  }
  return db::Param::Uuid(*s);
}

db::Param EditFields::Object(std::string_view key) {
  std::optional<JsonValue> v = GetField(body_, key);
  if (!v) return db::Param::Null();
  std::string json = IsObject(*v) ? ToJson(*v) : std::string();
  if (json.empty() || json.size() > kEditJsonBytesMax) {
    problems_.push_back({std::string(key), "must be a JSON object of at most 16384 bytes"});
    return db::Param::Null();
  }
  return db::Param::Jsonb(json);
}

std::string EditFields::TextOf(std::string_view key) const {
  std::optional<std::string_view> s = GetString(body_, key);
  return s && s->size() <= kEditTextBytesMax ? std::string(*s) : std::string();
}

bool EditFields::NonePresent(std::initializer_list<std::string_view> keys) const {
  for (std::string_view k : keys) {
    if (GetField(body_, k)) return false;
  }
  return true;
}

void EditFields::RespondProblems(HttpCall& call) const { Problems(call, problems_); }

void RespondFieldProblem(HttpCall& call, std::string_view key, std::string_view message) {
  Problems(call, {{std::string(key), std::string(message)}});
}

}  // namespace asobi::ops
