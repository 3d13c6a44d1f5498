// game.bots.* (lua.md §9 "Match control and bots", §10): match hosts only. Both calls are
// asynchronous; the host applies the no-op rules (full, duplicate name, 64 bots).
#include <lua.hpp>

#include "script/game_api/api_namespaces.h"
#include "script/game_api/game_api.h"

namespace asobi::script::game_api {
namespace {

// 1-32 bytes of [A-Za-z0-9_-] (lua.md §9).
bool ValidBotName(const char* s, size_t len) {
  if (len == 0 || len > 32) return false;
  for (size_t i = 0; i < len; ++i) {
    const char c = s[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

int Add(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, 1) != LUA_TSTRING) {
    return ApiUsage(L, "game.bots.add", "name");
  }
  size_t len = 0;
  const char* name = lua_tolstring(L, 1, &len);
  if (!ValidBotName(name, len)) return ApiError(L, "invalid_bot_name");
  if (ApiHost* host = HostOf(L)) host->AddBot(std::string_view(name, len));
  lua_pushboolean(L, 1);
  return 1;
}

int Remove(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, 1) != LUA_TSTRING) {
    return ApiUsage(L, "game.bots.remove", "name_or_id");
  }
  size_t len = 0;
  const char* name = lua_tolstring(L, 1, &len);
  if (len == 0 || len > 64) return ApiError(L, "invalid_bot_name");
  if (ApiHost* host = HostOf(L)) host->RemoveBot(std::string_view(name, len));
  lua_pushboolean(L, 1);
  return 1;
}

const ApiFunction kFunctions[] = {
    {"add", &Add},
    {"remove", &Remove},
};

}  // namespace

const ApiNamespace kBotsNamespace = {"bots", kFunctions, int(std::size(kFunctions)), kMatchOnly,
                                     false};

}  // namespace asobi::script::game_api
