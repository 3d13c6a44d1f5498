// game.season.* (docs/seasons.md, docs/scripting.md "Seasons"): current() and next(), read
// from the seasons file the server loaded (no suspension, usable from every callback). Each
// returns nil when there is no such season, else
// {id, name, starts_at, ends_at, time_left_ms, leaderboards = {...}, config = {...}} with
// times in Unix ms; time_left_ms counts to ends_at for current() and to starts_at for next().
// Nothing here raises.
#include <lua.hpp>
#include <optional>
#include <string>

#include "base/clock.h"
#include "script/game_api/api_backends.h"
#include "script/game_api/api_namespaces.h"
#include "script/game_api/season_backend.h"
#include "script/lua_json.h"
#include "simdjson.h"

namespace asobi::script::game_api {
namespace {

void SetInt(lua_State* L, const char* key, int64_t v) {
  lua_pushnumber(L, double(v));
  lua_setfield(L, -2, key);
}

void SetString(lua_State* L, const char* key, const std::string& v) {
  lua_pushlstring(L, v.data(), v.size());
  lua_setfield(L, -2, key);
}

int PushSeason(lua_State* L, const std::optional<SeasonBackend::Info>& s, int64_t until_ms,
               int64_t now_ms) {
  if (!s) {
    lua_pushnil(L);
    return 1;
  }
  lua_createtable(L, 0, 7);
  SetString(L, "id", s->id);
  SetString(L, "name", s->name);
  SetInt(L, "starts_at", s->starts_at_ms);
  SetInt(L, "ends_at", s->ends_at_ms);
  SetInt(L, "time_left_ms", until_ms > now_ms ? until_ms - now_ms : 0);
  lua_createtable(L, int(s->leaderboards.size()), 0);
  for (size_t i = 0; i < s->leaderboards.size(); ++i) {
    lua_pushlstring(L, s->leaderboards[i].data(), s->leaderboards[i].size());
    lua_rawseti(L, -2, int(i + 1));
  }
  lua_setfield(L, -2, "leaderboards");
  thread_local simdjson::dom::parser parser;
  if (PushJsonText(L, parser, s->config_json).ok()) {
    MarkTableAsObject(L, -1);
  } else {
    lua_newtable(L);
  }
  lua_setfield(L, -2, "config");
  return 1;
}

int Current(lua_State* L) {
  if (lua_gettop(L) != 0) return ApiUsage(L, "game.season.current", "");
  SeasonBackend* b = ApiBackends::OnThisShard().season;
  if (b == nullptr) return ApiError(L, "season is not available");
  const int64_t now = UnixMs();
  std::optional<SeasonBackend::Info> s = b->Current(now);
  return PushSeason(L, s, s ? s->ends_at_ms : 0, now);
}

int Next(lua_State* L) {
  if (lua_gettop(L) != 0) return ApiUsage(L, "game.season.next", "");
  SeasonBackend* b = ApiBackends::OnThisShard().season;
  if (b == nullptr) return ApiError(L, "season is not available");
  const int64_t now = UnixMs();
  std::optional<SeasonBackend::Info> s = b->Next(now);
  return PushSeason(L, s, s ? s->starts_at_ms : 0, now);
}

const ApiFunction kFunctions[] = {
    {"current", &Current},
    {"next", &Next},
};

}  // namespace

const ApiNamespace kSeasonNamespace = {"season", kFunctions, int(std::size(kFunctions)), kAllHosts,
                                       false};

}  // namespace asobi::script::game_api
