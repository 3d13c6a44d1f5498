// Zone: zone_tick's fourth result, the dirty set (lua.md §18; docs/decisions.md "Zone dirty
// sets"). Zone shard only.
#include <lua.hpp>

#include "game/world/runtime/zone.h"

namespace asobi::world {
namespace {

// `changed`: nil, or a table whose keys are all strings and whose values are all tables.
bool ValidChanged(lua_State* L, int index) {
  if (lua_isnil(L, index)) return true;
  if (!lua_istable(L, index)) return false;
  bool ok = true;
  lua_pushnil(L);
  while (lua_next(L, index) != 0) {
    if (lua_type(L, -2) != LUA_TSTRING || !lua_istable(L, -1)) ok = false;
    lua_pop(L, 1);
    if (!ok) {
      lua_pop(L, 1);  // the key
      break;
    }
  }
  return ok;
}

// `removed`: nil, or a sequence 1..n of strings with no other keys.
bool ValidRemoved(lua_State* L, int index) {
  if (lua_isnil(L, index)) return true;
  if (!lua_istable(L, index)) return false;
  const size_t n = lua_objlen(L, index);
  size_t count = 0;
  bool ok = true;
  lua_pushnil(L);
  while (lua_next(L, index) != 0) {
    ++count;
    if (lua_type(L, -2) != LUA_TNUMBER || lua_type(L, -1) != LUA_TSTRING) ok = false;
    lua_pop(L, 1);
    if (!ok) {
      lua_pop(L, 1);
      break;
    }
  }
  return ok && count == n;
}

}  // namespace

bool Zone::MergeDirty(lua_State* L, int index) {
  if (!lua_istable(L, index)) return false;
  // Only `changed` and `removed` may be present.
  bool ok = true;
  lua_pushnil(L);
  while (lua_next(L, index) != 0) {
    size_t n = 0;
    const char* k = lua_type(L, -2) == LUA_TSTRING ? lua_tolstring(L, -2, &n) : nullptr;
    const std::string_view key = k ? std::string_view(k, n) : std::string_view();
    if (key != "changed" && key != "removed") ok = false;
    lua_pop(L, 1);
    if (!ok) {
      lua_pop(L, 1);
      return false;
    }
  }
  lua_getfield(L, index, "changed");
  const int changed = lua_gettop(L);
  lua_getfield(L, index, "removed");
  const int removed = lua_gettop(L);
  if (!ValidChanged(L, changed) || !ValidRemoved(L, removed)) {
    lua_pop(L, 2);
    return false;
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, entities_ref_);
  const int entities = lua_gettop(L);
  if (lua_istable(L, changed)) {
    lua_pushnil(L);
    while (lua_next(L, changed) != 0) {
      size_t n = 0;
      const char* id = lua_tolstring(L, -2, &n);
      std::string key(id, n);
      lua_pushvalue(L, -2);  // id
      lua_pushvalue(L, -2);  // entity
      lua_rawset(L, entities);
      dirty_.removed.erase(key);
      dirty_.changed.insert(std::move(key));
      lua_pop(L, 1);
    }
  }
  if (lua_istable(L, removed)) {
    const size_t n = lua_objlen(L, removed);
    for (size_t i = 1; i <= n; ++i) {
      lua_rawgeti(L, removed, int(i));
      size_t len = 0;
      const char* id = lua_tolstring(L, -1, &len);
      std::string key(id, len);
      lua_pushnil(L);
      lua_rawset(L, entities);  // entities[id] = nil (pops the id and the nil)
      dirty_.changed.erase(key);
      dirty_.removed.insert(std::move(key));
    }
  }
  lua_pop(L, 3);
  return true;
}

}  // namespace asobi::world
