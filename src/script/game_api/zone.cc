// game.zone.* (lua.md §9 "Zone and terrain", zone states of a world only): spawn, despawn and
// apply (cross-zone effects). Installed in every state; outside a zone each function answers
// {error = "game.zone.<fn> is not available outside a zone"}. `park` is h14-persist's.
#include <cmath>
#include <lua.hpp>
#include <string>

#include "script/game_api/api_namespaces.h"
#include "script/game_api/game_api.h"
#include "script/lua_json.h"

namespace asobi::script::game_api {
namespace {

// The zone host, or null after pushing the "not available" error.
ApiHost* ZoneHost(lua_State* L, const char* fn) {
  ApiHost* host = HostOf(L);
  if (host != nullptr && host->kind() == HostKind::kZone) return host;
  std::string m("game.zone.");
  m.append(fn);
  m.append(" is not available outside a zone");
  ApiError(L, m);
  return nullptr;
}

bool FiniteNumber(lua_State* L, int index) {
  return lua_type(L, index) == LUA_TNUMBER && std::isfinite(lua_tonumber(L, index));
}

// apply(entity_id, event) -> true, or false: no touching zone publishes the entity, the
// event's JSON exceeds 4 KiB, or this zone already sent 64 effects this tick.
int Apply(lua_State* L) {
  ApiHost* host = ZoneHost(L, "apply");
  if (host == nullptr) return 1;
  if (lua_gettop(L) != 2 || lua_type(L, 1) != LUA_TSTRING || lua_isnil(L, 2)) {
    return ApiUsage(L, "game.zone.apply", "entity_id, event");
  }
  std::string event;
  LuaToJsonOptions options;
  options.max_bytes = 4096;
  const bool fits = EncodeLuaToJson(L, 2, &event, options).ok();
  size_t n = 0;
  const char* id = lua_tolstring(L, 1, &n);
  lua_pushboolean(L, fits && host->ZoneApply(std::string_view(id, n), std::move(event)) ? 1 : 0);
  return 1;
}

// despawn(entity_id) -> true (the entity leaves this zone's table at once).
int Despawn(lua_State* L) {
  ApiHost* host = ZoneHost(L, "despawn");
  if (host == nullptr) return 1;
  if (lua_gettop(L) != 1 || lua_type(L, 1) != LUA_TSTRING) {
    return ApiUsage(L, "game.zone.despawn", "entity_id");
  }
  size_t n = 0;
  const char* id = lua_tolstring(L, 1, &n);
  host->ZoneDespawn(std::string_view(id, n));
  lua_pushboolean(L, 1);
  return 1;
}

// spawn(template_id, x, y[, overrides]) -> true, or false for an unknown template.
int Spawn(lua_State* L) {
  ApiHost* host = ZoneHost(L, "spawn");
  if (host == nullptr) return 1;
  const int top = lua_gettop(L);
  if (top < 3 || top > 4 || lua_type(L, 1) != LUA_TSTRING || !FiniteNumber(L, 2) ||
      !FiniteNumber(L, 3) || (top == 4 && !lua_isnil(L, 4) && !lua_istable(L, 4))) {
    return ApiUsage(L, "game.zone.spawn", "template_id, x, y[, overrides]");
  }
  std::string overrides = "{}";
  if (top == 4 && lua_istable(L, 4)) {
    LuaToJsonOptions options;
    options.max_bytes = 64 * 1024;
    std::string json;
    if (!EncodeLuaToJson(L, 4, &json, options).ok()) {
      return ApiError(L, "game.zone.spawn: overrides exceed 64 KiB");
    }
    if (!json.empty() && json[0] == '{') overrides = std::move(json);
  }
  size_t n = 0;
  const char* id = lua_tolstring(L, 1, &n);
  const bool ok = host->ZoneSpawn(std::string_view(id, n), lua_tonumber(L, 2), lua_tonumber(L, 3),
                                  std::move(overrides));
  lua_pushboolean(L, ok ? 1 : 0);
  return 1;
}

const ApiFunction kFunctions[] = {
    {"apply", &Apply},
    {"despawn", &Despawn},
    {"spawn", &Spawn},
};

}  // namespace

const ApiNamespace kZoneNamespace = {"zone", kFunctions, int(std::size(kFunctions)), kAllHosts,
                                     false};

}  // namespace asobi::script::game_api
