// JSON -> Lua (lua.md §14). See lua_json.h for the rules.
#include <algorithm>
#include <cstdint>
#include <lua.hpp>
#include <string>
#include <string_view>

#include "script/lua_json.h"
#include "script/lua_json_internal.h"

namespace asobi::script {
namespace {

namespace dom = simdjson::dom;

struct DecodeContext {
  dom::element element;
  int max_depth;
  bool too_deep = false;
};

class Decoder {
 public:
  Decoder(lua_State* L, DecodeContext* ctx) : L_(L), ctx_(ctx) {}

  // Pushes exactly one value; `depth` counts the containers enclosing `el`.
  void Push(dom::element el, int depth) {
    switch (el.type()) {
      case dom::element_type::ARRAY:
        PushArray(el, depth + 1);
        break;
      case dom::element_type::OBJECT:
        PushObject(el, depth + 1);
        break;
      case dom::element_type::INT64: {
        const int64_t v = el.get_int64().value_unsafe();
        lua_pushnumber(L_, static_cast<double>(v));
        break;
      }
      case dom::element_type::UINT64: {
        const uint64_t v = el.get_uint64().value_unsafe();
        lua_pushnumber(L_, static_cast<double>(v));
        break;
      }
      case dom::element_type::DOUBLE: {
        const double v = el.get_double().value_unsafe();
        lua_pushnumber(L_, v);
        break;
      }
      case dom::element_type::STRING: {
        const std::string_view v = el.get_string().value_unsafe();
        lua_pushlstring(L_, v.data(), v.size());
        break;
      }
      case dom::element_type::BOOL: {
        const bool v = el.get_bool().value_unsafe();
        lua_pushboolean(L_, v ? 1 : 0);
        break;
      }
      case dom::element_type::NULL_VALUE:
        lua_pushnil(L_);
        break;
    }
  }

 private:
  void EnterContainer(int depth) {
    if (depth > ctx_->max_depth) {
      ctx_->too_deep = true;
      luaL_error(L_, "too_deep");
    }
    luaL_checkstack(L_, 3, "json decode");
  }

  void PushArray(dom::element el, int depth) {
    EnterContainer(depth);
    const dom::array arr = el.get_array().value_unsafe();
    lua_createtable(L_, static_cast<int>(std::min<size_t>(arr.size(), 1 << 20)), 0);
    int i = 0;
    for (dom::element child : arr) {
      ++i;
      if (child.is_null()) continue;  // leaves a hole at index i
      Push(child, depth);
      lua_rawseti(L_, -2, i);
    }
  }

  void PushObject(dom::element el, int depth) {
    EnterContainer(depth);
    const dom::object obj = el.get_object().value_unsafe();
    lua_createtable(L_, 0, static_cast<int>(std::min<size_t>(obj.size(), 1 << 20)));
    for (dom::key_value_pair field : obj) {
      if (field.value.is_null()) continue;  // null -> absent key
      lua_pushlstring(L_, field.key.data(), field.key.size());
      Push(field.value, depth);
      lua_rawset(L_, -3);
    }
  }

  lua_State* L_;
  DecodeContext* ctx_;
};

// Runs in protected mode: (context) -> value.
int DecodeTrampoline(lua_State* L) {
  auto* ctx = static_cast<DecodeContext*>(lua_touserdata(L, 1));
  Decoder(L, ctx).Push(ctx->element, 0);
  return 1;
}

}  // namespace

Status PushJsonElement(lua_State* L, simdjson::dom::element element, int max_depth) {
  DecodeContext ctx{element, max_depth};
  PushTrampoline(L, RegistryKey::kDecode, &DecodeTrampoline);
  lua_pushlightuserdata(L, &ctx);
  if (lua_pcall(L, 1, 1, 0) != 0) {
    lua_pop(L, 1);
    if (ctx.too_deep) {
      return MakeError("too_deep", "JSON nested deeper than " + std::to_string(max_depth));
    }
    return MakeError("lua_error", "out of memory or stack while decoding JSON");
  }
  return Ok{};
}

Status PushJsonText(lua_State* L, simdjson::dom::parser& parser, std::string_view json,
                    int max_depth) {
  dom::element element;
  if (auto error = parser.parse(json.data(), json.size()).get(element); error) {
    return MakeError("invalid_json", simdjson::error_message(error));
  }
  return PushJsonElement(L, element, max_depth);
}

void RegisterDecodeTrampoline(lua_State* L) {
  RegisterTrampoline(L, RegistryKey::kDecode, &DecodeTrampoline);
}

}  // namespace asobi::script
