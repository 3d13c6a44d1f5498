// game.match.* (lua.md §9 "Match control"): match hosts only.
#include <lua.hpp>

#include "script/game_api/api_namespaces.h"
#include "script/game_api/game_api.h"

namespace asobi::script::game_api {
namespace {

int SetJoinable(lua_State* L) {
  if (lua_type(L, 1) != LUA_TBOOLEAN) return ApiUsage(L, "game.match.set_joinable", "open");
  if (ApiHost* host = HostOf(L)) host->SetJoinable(lua_toboolean(L, 1) != 0);
  lua_pushboolean(L, 1);
  return 1;
}

// game.match.ready(player_id) -> true | {error = "not_in_match"} (docs/scripting.md).
int Ready(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, 1) != LUA_TSTRING) {
    return ApiUsage(L, "game.match.ready", "player_id");
  }
  size_t len = 0;
  const char* id = lua_tolstring(L, 1, &len);
  ApiHost* host = HostOf(L);
  if (host == nullptr || !host->MarkReady(std::string_view(id, len))) {
    return ApiError(L, "not_in_match");
  }
  lua_pushboolean(L, 1);
  return 1;
}

const ApiFunction kFunctions[] = {
    {"set_joinable", &SetJoinable},
    {"ready", &Ready},
};

}  // namespace

const ApiNamespace kMatchNamespace = {"match", kFunctions, int(std::size(kFunctions)), kMatchOnly,
                                      false};

}  // namespace asobi::script::game_api
