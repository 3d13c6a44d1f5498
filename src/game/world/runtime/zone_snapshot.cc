#include "game/world/runtime/zone_snapshot.h"

#include <cstring>
#include <lua.hpp>

#include "base/json_escape.h"
#include "script/lua_json.h"

namespace asobi::world {
namespace {

// True when the entity table at `index` must not outlive the server.
bool Transient(lua_State* L, int index) {
  lua_getfield(L, index, "type");
  size_t n = 0;
  const char* type = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &n) : nullptr;
  const bool player = type != nullptr && n == 6 && std::memcmp(type, "player", 6) == 0;
  lua_pop(L, 1);
  lua_getfield(L, index, "persistent");
  const bool off = lua_type(L, -1) == LUA_TBOOLEAN && !lua_toboolean(L, -1);
  lua_pop(L, 1);
  return player || off;
}

}  // namespace

void EncodeEntities(lua_State* L, int entities, bool persistent_only, std::string* out) {
  out->clear();
  out->push_back('{');
  bool first = true;
  lua_pushnil(L);
  while (lua_next(L, entities) != 0) {
    if (lua_type(L, -2) == LUA_TSTRING && lua_istable(L, -1) &&
        !(persistent_only && Transient(L, lua_gettop(L)))) {
      std::string json;
      if (script::EncodeLuaToJson(L, lua_gettop(L), &json).ok() && !json.empty() &&
          json[0] == '{') {
        if (!first) out->push_back(',');
        first = false;
        size_t n = 0;
        const char* k = lua_tolstring(L, -2, &n);
        AppendJsonString(out, std::string_view(k, n));
        out->push_back(':');
        out->append(json);
      }
    }
    lua_pop(L, 1);
  }
  out->push_back('}');
}

}  // namespace asobi::world
