// Lua -> JSON (lua.md §14, DECISIONS Lua 3/4). See lua_json.h for the rules.
#include <algorithm>
#include <cmath>
#include <lua.hpp>
#include <string>
#include <vector>

#include "base/json_escape.h"
#include "script/json_append.h"
#include "script/lua_json.h"
#include "script/lua_json_internal.h"

namespace asobi::script {
namespace {

struct EncodeContext {
  std::string* out;
  size_t start;
  LuaToJsonOptions options;
  bool too_large = false;
};

enum class TableKind { kEmpty, kDenseArray, kSparseArray, kObject };

class Encoder {
 public:
  Encoder(lua_State* L, EncodeContext* ctx, int mark_set)
      : L_(L), ctx_(ctx), out_(ctx->out), mark_set_(mark_set) {}

  // Encodes the value at absolute index `idx` with `depth` enclosing tables.
  bool Value(int idx, int depth) {
    switch (lua_type(L_, idx)) {
      case LUA_TBOOLEAN:
        out_->append(lua_toboolean(L_, idx) ? "true" : "false");
        break;
      case LUA_TNUMBER:
        AppendJsonNumber(out_, lua_tonumber(L_, idx));
        break;
      case LUA_TSTRING: {
        size_t len;
        const char* s = lua_tolstring(L_, idx, &len);
        if (!Fits(len)) return false;
        asobi::AppendJsonString(out_, std::string_view(s, len), kJsonEscapeLua);
        break;
      }
      case LUA_TTABLE:
        return Table(idx, depth + 1);
      default:
        out_->append("null");
        break;  // nil, functions, userdata, threads
    }
    return Fits(0);
  }

  // Top-level value under JsonShape::kObject: anything but an object becomes {}.
  bool ObjectShaped(int idx) {
    if (lua_type(L_, idx) == LUA_TTABLE) {
      switch (FirstKey(idx)) {
        case FirstKeyKind::kObjectFromHere:
          return Object(idx, 1, true);
        case FirstKeyKind::kClassify:
          if (Classify(idx) == TableKind::kObject) return Object(idx, 1);
          break;
        case FirstKeyKind::kEmpty:
          break;
      }
    }
    out_->append("{}");
    return true;
  }

 private:
  bool Fits(size_t extra) {
    const size_t cap = ctx_->options.max_bytes;
    if (cap != 0 && out_->size() - ctx_->start + extra > cap) {
      ctx_->too_large = true;
      return false;
    }
    return true;
  }

  bool IsMarked(int idx) {
    if (mark_set_ == 0) return false;
    lua_pushvalue(L_, idx);
    lua_rawget(L_, mark_set_);
    const bool marked = lua_toboolean(L_, -1) != 0;
    lua_pop(L_, 1);
    return marked;
  }

  static bool IsArrayKey(double k) {
    return k >= 1 && k <= kJsonMaxExactInteger && std::trunc(k) == k;
  }

  enum class FirstKeyKind { kEmpty, kObjectFromHere, kClassify };

  // Looks at the first key of the table at `idx`. Marked tables and tables whose first key is
  // not an array key are objects: then the first key and value are left on the stack so that
  // Object() continues from them (one lua_next saved per object). Otherwise nothing is left
  // and kEmpty (no keys) or kClassify (decide with Classify) is returned.
  FirstKeyKind FirstKey(int idx) {
    if (IsMarked(idx)) {
      lua_pushnil(L_);
      if (lua_next(L_, idx) == 0) return FirstKeyKind::kClassify;  // a marked {} -> Classify
      return FirstKeyKind::kObjectFromHere;
    }
    lua_pushnil(L_);
    if (lua_next(L_, idx) == 0) return FirstKeyKind::kEmpty;
    if (lua_type(L_, -2) != LUA_TNUMBER || !IsArrayKey(lua_tonumber(L_, -2))) {
      return FirstKeyKind::kObjectFromHere;
    }
    lua_pop(L_, 2);
    return FirstKeyKind::kClassify;
  }

  // One pass over the keys, stopping at the first non-array key. `*count` is the number of
  // keys of an array.
  TableKind Classify(int idx, size_t* count_out = nullptr) {
    if (IsMarked(idx)) return TableKind::kObject;
    size_t count = 0;
    double max_key = 0;
    lua_pushnil(L_);
    while (lua_next(L_, idx) != 0) {
      lua_pop(L_, 1);
      if (lua_type(L_, -1) != LUA_TNUMBER || !IsArrayKey(lua_tonumber(L_, -1))) {
        lua_pop(L_, 1);
        return TableKind::kObject;
      }
      ++count;
      max_key = std::max(max_key, lua_tonumber(L_, -1));
    }
    if (count_out != nullptr) *count_out = count;
    if (count == 0) return TableKind::kEmpty;
    return max_key == static_cast<double>(count) ? TableKind::kDenseArray : TableKind::kSparseArray;
  }

  bool Table(int idx, int depth) {
    if (depth > kLuaJsonMaxDepth) {
      out_->append("\"too_deep\"");
      return Fits(0);
    }
    luaL_checkstack(L_, 4, "json encode");
    switch (FirstKey(idx)) {
      case FirstKeyKind::kObjectFromHere:
        return Object(idx, depth, true);
      case FirstKeyKind::kEmpty:
        out_->append("[]");
        return Fits(0);
      case FirstKeyKind::kClassify:
        break;
    }
    size_t count = 0;
    switch (Classify(idx, &count)) {
      case TableKind::kEmpty:
        out_->append("[]");
        return Fits(0);
      case TableKind::kDenseArray:
        return DenseArray(idx, count, depth);
      case TableKind::kSparseArray:
        return SparseArray(idx, depth);
      case TableKind::kObject:
        return Object(idx, depth);
    }
    return false;
  }

  bool DenseArray(int idx, size_t n, int depth) {
    out_->push_back('[');
    for (size_t i = 1; i <= n; ++i) {
      if (i > 1) out_->push_back(',');
      lua_rawgeti(L_, idx, static_cast<int>(i));
      const bool ok = Value(lua_gettop(L_), depth);
      lua_pop(L_, 1);
      if (!ok) return false;
    }
    out_->push_back(']');
    return Fits(0);
  }

  bool SparseArray(int idx, int depth) {
    std::vector<double> keys;
    lua_pushnil(L_);
    while (lua_next(L_, idx) != 0) {
      lua_pop(L_, 1);
      keys.push_back(lua_tonumber(L_, -1));
    }
    std::sort(keys.begin(), keys.end());
    out_->push_back('[');
    for (size_t i = 0; i < keys.size(); ++i) {
      if (i > 0) out_->push_back(',');
      lua_pushnumber(L_, keys[i]);
      lua_rawget(L_, idx);
      const bool ok = Value(lua_gettop(L_), depth);
      lua_pop(L_, 1);
      if (!ok) return false;
    }
    out_->push_back(']');
    return Fits(0);
  }

  // `have_pair`: the first key and value are already on the stack (FirstKey).
  bool Object(int idx, int depth, bool have_pair = false) {
    out_->push_back('{');
    bool first = true;
    if (!have_pair) lua_pushnil(L_);
    while (have_pair || lua_next(L_, idx) != 0) {
      have_pair = false;
      const int key_type = lua_type(L_, -2);
      if (key_type != LUA_TSTRING && key_type != LUA_TNUMBER) {
        lua_pop(L_, 1);
        continue;
      }
      if (!first) out_->push_back(',');
      first = false;
      if (key_type == LUA_TSTRING) {
        size_t len;
        const char* k = lua_tolstring(L_, -2, &len);  // a string key: no in-place conversion
        if (!Fits(len)) return false;
        asobi::AppendJsonString(out_, std::string_view(k, len), kJsonEscapeLua);
      } else {
        out_->push_back('"');
        AppendNumberKeyText(out_, lua_tonumber(L_, -2));
        out_->push_back('"');
      }
      out_->push_back(':');
      const bool ok = Value(lua_gettop(L_), depth);
      lua_pop(L_, 1);
      if (!ok) return false;
    }
    out_->push_back('}');
    return Fits(0);
  }

  lua_State* L_;
  EncodeContext* ctx_;
  std::string* out_;
  int mark_set_;  // stack index of the object-mark set, 0 if none
};

// Runs in protected mode: (value, context) -> nothing.
int EncodeTrampoline(lua_State* L) {
  auto* ctx = static_cast<EncodeContext*>(lua_touserdata(L, 2));
  int mark_set = 0;
  if (PushRegistryValue(L, RegistryKey::kObjectMarks)) {
    mark_set = lua_gettop(L);
    // Nothing marked (the usual case): skip the per-table lookup in the set.
    lua_pushnil(L);
    if (lua_next(L, mark_set) == 0) {
      mark_set = 0;
    } else {
      lua_pop(L, 2);
    }
  }
  Encoder encoder(L, ctx, mark_set);
  if (ctx->options.shape == JsonShape::kObject) {
    encoder.ObjectShaped(1);
  } else {
    encoder.Value(1, 0);
  }
  return 0;
}

}  // namespace

Status EncodeLuaToJson(lua_State* L, int index, std::string* out, const LuaToJsonOptions& options) {
  if (index < 0 && index > LUA_REGISTRYINDEX) index = lua_gettop(L) + index + 1;
  EncodeContext ctx{out, out->size(), options};
  PushTrampoline(L, RegistryKey::kEncode, &EncodeTrampoline);
  lua_pushvalue(L, index);
  lua_pushlightuserdata(L, &ctx);
  if (lua_pcall(L, 2, 0, 0) != 0) {
    lua_pop(L, 1);
    out->resize(ctx.start);
    return MakeError("lua_error", "out of memory or stack while encoding JSON");
  }
  if (ctx.too_large) {
    out->resize(ctx.start);
    return MakeError("too_large",
                     "encoded value exceeds " + std::to_string(options.max_bytes) + " bytes");
  }
  return Ok{};
}

void MarkTableAsObject(lua_State* L, int index) {
  if (index < 0 && index > LUA_REGISTRYINDEX) index = lua_gettop(L) + index + 1;
  if (!PushRegistryValue(L, RegistryKey::kObjectMarks)) {
    RegisterLuaJsonSupport(L);
    PushRegistryValue(L, RegistryKey::kObjectMarks);
  }
  lua_pushvalue(L, index);
  lua_pushboolean(L, 1);
  lua_rawset(L, -3);
  lua_pop(L, 1);
}

int LuaMarkObject(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  MarkTableAsObject(L, 1);
  lua_settop(L, 1);
  return 1;
}

int RegisterLuaJsonSupport(lua_State* L) {
  lua_pushlightuserdata(L, RegistryKeyAddress(RegistryKey::kObjectMarks));
  lua_createtable(L, 0, 0);
  lua_createtable(L, 0, 1);
  lua_pushliteral(L, "k");
  lua_setfield(L, -2, "__mode");
  lua_setmetatable(L, -2);
  lua_rawset(L, LUA_REGISTRYINDEX);
  RegisterTrampoline(L, RegistryKey::kEncode, &EncodeTrampoline);
  RegisterDecodeTrampoline(L);
  return 0;
}

}  // namespace asobi::script
