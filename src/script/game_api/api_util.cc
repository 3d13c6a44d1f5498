#include "script/game_api/api_util.h"

#include <lua.hpp>
#include <string>

namespace asobi::script::game_api {

int ApiError(lua_State* L, std::string_view message) {
  lua_createtable(L, 0, 1);
  lua_pushlstring(L, message.data(), message.size());
  lua_setfield(L, -2, "error");
  return 1;
}

int ApiUsage(lua_State* L, const char* fn, const char* shape) {
  lua_createtable(L, 0, 1);
  lua_pushfstring(L, "%s requires (%s)", fn, shape);
  lua_setfield(L, -2, "error");
  return 1;
}

int ApiOk(lua_State* L, int index) {
  index = index < 0 ? lua_gettop(L) + index + 1 : index;
  lua_createtable(L, 0, 1);
  lua_pushvalue(L, index);
  lua_setfield(L, -2, "ok");
  return 1;
}

}  // namespace asobi::script::game_api
