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

const ApiFunction kFunctions[] = {
    {"set_joinable", &SetJoinable},
};

}  // namespace

const ApiNamespace kMatchNamespace = {"match", kFunctions, int(std::size(kFunctions)), kMatchOnly,
                                      false};

}  // namespace asobi::script::game_api
