#include "script/game_api/merge_ops.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

#include "base/json_escape.h"
#include "script/json_append.h"
#include "script/lua_json.h"
#include "simdjson.h"

namespace asobi::script::game_api {
namespace {

constexpr size_t kMaxFieldInMessage = 64;

struct OpName {
  const char* name;
  MergeOp::Kind kind;
};
constexpr OpName kOpNames[] = {
    {"set", MergeOp::Kind::kSet},   {"set_if_absent", MergeOp::Kind::kSetIfAbsent},
    {"incr", MergeOp::Kind::kIncr}, {"min", MergeOp::Kind::kMin},
    {"max", MergeOp::Kind::kMax},   {"latch", MergeOp::Kind::kLatch},
};

const char* NameOf(MergeOp::Kind k) {
  for (const OpName& o : kOpNames) {
    if (o.kind == k) return o.name;
  }
  return "?";
}

Error Invalid(std::string_view field, std::string_view why) {
  std::string r = "invalid_ops: ";
  r.append(field.substr(0, kMaxFieldInMessage));
  r += ": ";
  r.append(why);
  return MakeError(std::move(r));
}

// Reads the one-operator table at the top of the stack for `field`.
Result<MergeOp> ReadOne(lua_State* L, std::string field, size_t max_value_bytes) {
  const int t = lua_gettop(L);
  if (lua_type(L, t) != LUA_TTABLE) return Invalid(field, "expected {operator = value}");
  MergeOp op;
  op.field = std::move(field);
  int count = 0;
  std::string op_name;
  lua_pushnil(L);
  while (lua_next(L, t) != 0) {
    ++count;
    if (count > 1 || lua_type(L, -2) != LUA_TSTRING) {
      lua_settop(L, t);
      return Invalid(op.field,
                     count > 1 ? "exactly one operator per field" : "expected {operator = value}");
    }
    op_name = lua_tostring(L, -2);
    lua_pop(L, 1);
  }
  if (count == 0) return Invalid(op.field, "exactly one operator per field");
  const OpName* found = nullptr;
  for (const OpName& o : kOpNames) {
    if (op_name == o.name) found = &o;
  }
  if (found == nullptr) {
    return Invalid(op.field, "unknown operator " + op_name.substr(0, kMaxFieldInMessage));
  }
  op.kind = found->kind;
  lua_getfield(L, t, found->name);
  switch (op.kind) {
    case MergeOp::Kind::kSet:
    case MergeOp::Kind::kSetIfAbsent: {
      LuaToJsonOptions o;
      o.max_bytes = max_value_bytes;
      Status st = EncodeLuaToJson(L, -1, &op.json, o);
      lua_settop(L, t);
      if (!st.ok()) {
        if (st.error().reason == "too_large") return MakeError("value_too_large");
        return Invalid(op.field, "value cannot be encoded");
      }
      return op;
    }
    case MergeOp::Kind::kIncr:
    case MergeOp::Kind::kMin:
    case MergeOp::Kind::kMax: {
      const bool num = lua_type(L, -1) == LUA_TNUMBER;
      op.number = num ? lua_tonumber(L, -1) : 0;
      lua_settop(L, t);
      if (!num || !std::isfinite(op.number)) {
        return Invalid(op.field, std::string(found->name) + " needs a finite number");
      }
      return op;
    }
    case MergeOp::Kind::kLatch: {
      const bool b = lua_type(L, -1) == LUA_TBOOLEAN;
      op.flag = b && lua_toboolean(L, -1) != 0;
      lua_settop(L, t);
      if (!b) return Invalid(op.field, "latch needs a boolean");
      return op;
    }
  }
  lua_settop(L, t);
  return Invalid(op.field, "unknown operator");
}

// A top-level field of the object being merged.
struct Field {
  enum class Type { kNull, kNumber, kBool, kOther };
  std::string key;
  std::string json;
  Type type = Type::kOther;
  double number = 0;
  bool flag = false;
};

void SetNumber(Field* f, double x) {
  f->type = Field::Type::kNumber;
  f->number = x;
  f->json.clear();
  AppendJsonNumber(&f->json, x);
}

void SetBool(Field* f, bool b) {
  f->type = Field::Type::kBool;
  f->flag = b;
  f->json = b ? "true" : "false";
}

Status Apply(Field* f, bool absent, const MergeOp& op) {
  absent = absent || f->type == Field::Type::kNull;
  const char* name = NameOf(op.kind);
  switch (op.kind) {
    case MergeOp::Kind::kSet:
      f->json = op.json;
      f->type = Field::Type::kOther;  // never read again as a number: ops are one per field
      return Ok{};
    case MergeOp::Kind::kSetIfAbsent:
      if (absent) {
        f->json = op.json;
        f->type = Field::Type::kOther;
      }
      return Ok{};
    case MergeOp::Kind::kIncr:
    case MergeOp::Kind::kMin:
    case MergeOp::Kind::kMax: {
      if (absent) {
        SetNumber(f, op.number);
        return Ok{};
      }
      if (f->type != Field::Type::kNumber) {
        return Invalid(f->key, std::string(name) + " on a stored value that is not a number");
      }
      double x = op.kind == MergeOp::Kind::kIncr  ? f->number + op.number
                 : op.kind == MergeOp::Kind::kMin ? std::min(f->number, op.number)
                                                  : std::max(f->number, op.number);
      if (!std::isfinite(x)) return Invalid(f->key, "result out of range");
      SetNumber(f, x);
      return Ok{};
    }
    case MergeOp::Kind::kLatch:
      if (absent) {
        SetBool(f, op.flag);
        return Ok{};
      }
      if (f->type != Field::Type::kBool) {
        return Invalid(f->key, "latch on a stored value that is not a boolean");
      }
      SetBool(f, f->flag || op.flag);
      return Ok{};
  }
  return Invalid(f->key, "unknown operator");
}

}  // namespace

Result<MergeOps> ReadMergeOps(lua_State* L, int index, size_t max_value_bytes) {
  const int t = index < 0 ? lua_gettop(L) + index + 1 : index;
  if (lua_type(L, t) != LUA_TTABLE) return MakeError("invalid_ops: ops must be a table");
  const int base = lua_gettop(L);
  // lua_next order is unspecified: collect and sort the field names first, so the field an
  // error names is deterministic (the first bad one in name order).
  std::vector<std::string> fields;
  lua_pushnil(L);
  while (lua_next(L, t) != 0) {
    if (lua_type(L, -2) != LUA_TSTRING) {
      lua_settop(L, base);
      return MakeError("invalid_ops: field names must be strings");
    }
    size_t n = 0;
    const char* k = lua_tolstring(L, -2, &n);
    fields.emplace_back(k, n);
    lua_pop(L, 1);
  }
  if (fields.empty()) return MakeError("invalid_ops: no fields");
  std::sort(fields.begin(), fields.end());
  MergeOps ops;
  for (std::string& field : fields) {
    lua_pushlstring(L, field.data(), field.size());
    lua_rawget(L, t);
    Result<MergeOp> op = ReadOne(L, std::move(field), max_value_bytes);
    lua_settop(L, base);
    if (!op.ok()) return op.error();
    ops.push_back(std::move(op).value());
  }
  return ops;
}

Result<std::string> ApplyMergeOps(std::string_view current, const MergeOps& ops) {
  std::vector<Field> fields;
  if (!current.empty()) {
    thread_local simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(current.data(), current.size()).get(root) != simdjson::SUCCESS) {
      return MakeError("internal");
    }
    simdjson::dom::object obj;
    if (root.get_object().get(obj) != simdjson::SUCCESS) return MakeError("not_an_object");
    for (auto kv : obj) {
      Field f;
      f.key = std::string(kv.key);
      f.json = simdjson::minify(kv.value);
      switch (kv.value.type()) {
        case simdjson::dom::element_type::NULL_VALUE:
          f.type = Field::Type::kNull;
          break;
        case simdjson::dom::element_type::INT64:
        case simdjson::dom::element_type::UINT64:
        case simdjson::dom::element_type::DOUBLE:
          f.type = Field::Type::kNumber;
          f.number = double(kv.value.get_double().value_unsafe());
          break;
        case simdjson::dom::element_type::BOOL:
          f.type = Field::Type::kBool;
          f.flag = kv.value.get_bool().value_unsafe();
          break;
        default:
          break;
      }
      fields.push_back(std::move(f));
    }
  }
  for (const MergeOp& op : ops) {
    auto it = std::find_if(fields.begin(), fields.end(),
                           [&](const Field& f) { return f.key == op.field; });
    const bool absent = it == fields.end();
    Field fresh;
    fresh.key = op.field;
    Field* f = absent ? &fresh : &*it;
    Status st = Apply(f, absent, op);
    if (!st.ok()) return st.error();
    if (absent) fields.push_back(std::move(fresh));
  }
  std::string out = "{";
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(&out, fields[i].key, kJsonEscapeLua);
    out += ':';
    out += fields[i].json;
  }
  out += '}';
  return out;
}

}  // namespace asobi::script::game_api
