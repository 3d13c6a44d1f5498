#include "game/match/phase_entries.h"

#include <lua.hpp>
#include <string_view>

#include "script/lua_json.h"

namespace asobi::match {
namespace {

// One `phases` entry at the top of the stack into `*d` (lua.md §5). False: dropped.
bool ReadPhaseEntry(lua_State* s, PhaseDef* d) {
  if (!lua_istable(s, -1)) return false;
  lua_getfield(s, -1, "name");
  if (lua_type(s, -1) != LUA_TSTRING) {
    lua_pop(s, 1);
    return false;
  }
  d->name = lua_tostring(s, -1);
  lua_pop(s, 1);
  lua_getfield(s, -1, "duration");
  if (!lua_isnil(s, -1)) {
    d->has_duration = true;
    const double ms = lua_type(s, -1) == LUA_TNUMBER ? lua_tonumber(s, -1) : 0.0;
    d->duration_ms = ms > 0 && ms < 1e15 ? int64_t(ms) : 0;
  }
  lua_pop(s, 1);
  lua_getfield(s, -1, "start");
  if (lua_type(s, -1) == LUA_TSTRING) {
    if (std::string_view(lua_tostring(s, -1)) == "all_ready") d->start = PhaseStart::kAllReady;
  } else if (lua_type(s, -1) == LUA_TNUMBER) {
    const double ms = lua_tonumber(s, -1);
    d->start = PhaseStart::kTimer;
    d->start_value = ms > 0 && ms < 1e15 ? int64_t(ms) : 0;
  } else if (lua_istable(s, -1)) {
    lua_getfield(s, -1, "players");
    lua_getfield(s, -2, "timer");
    if (lua_type(s, -2) == LUA_TNUMBER) {
      d->start = PhaseStart::kPlayers;
      const double n = lua_tonumber(s, -2);
      d->start_value = n > 0 && n < 1e9 ? int64_t(n) : 0;
    } else if (lua_type(s, -1) == LUA_TNUMBER) {
      d->start = PhaseStart::kTimer;
      const double ms = lua_tonumber(s, -1);
      d->start_value = ms > 0 && ms < 1e15 ? int64_t(ms) : 0;
    }
    lua_pop(s, 2);
  }
  lua_pop(s, 1);
  lua_getfield(s, -1, "config");
  if (lua_istable(s, -1)) {
    script::LuaToJsonOptions o;
    o.shape = script::JsonShape::kObject;
    std::string json;
    if (script::EncodeLuaToJson(s, -1, &json, o).ok()) d->config_json = std::move(json);
  }
  lua_pop(s, 1);
  return true;
}

// A table whose keys are exactly 1..n (n >= 1).
bool IsArray(lua_State* s, int index) {
  const size_t n = lua_objlen(s, index);
  if (n == 0) return false;
  size_t keys = 0;
  lua_pushnil(s);
  while (lua_next(s, index) != 0) {
    lua_pop(s, 1);
    ++keys;
  }
  return keys == n;
}

}  // namespace

bool ReadPhaseArray(lua_State* s, int t, std::vector<PhaseDef>* defs, std::string* warning) {
  if (!lua_istable(s, t) || !IsArray(s, t)) {
    *warning = std::string("phases returned ") +
               (lua_istable(s, t) ? "a non-array table" : lua_typename(s, lua_type(s, t)));
    return false;
  }
  const size_t n = lua_objlen(s, t);
  for (size_t i = 1; i <= n; ++i) {
    lua_rawgeti(s, t, int(i));
    PhaseDef d;
    if (ReadPhaseEntry(s, &d)) defs->push_back(std::move(d));
    lua_pop(s, 1);
  }
  return true;
}

}  // namespace asobi::match
