// game.chat.* (lua.md §9 Chat): send(channel_id, sender_id, content) -> true. Plain (never
// suspends): the message is handed to the chat domain, which delivers and stores it
// asynchronously. Ours (docs/decisions.md "Player directory, chat and DMs"): a malformed
// channel id answers `{error = "invalid_channel_id"}` and content over 2000 bytes
// `{error = "content_too_large"}`; wrong argument types answer the usage error.
#include <lua.hpp>
#include <string>

#include "script/game_api/api_backends.h"
#include "script/game_api/api_namespaces.h"
#include "script/game_api/chat_backend.h"

namespace asobi::script::game_api {
namespace {

std::string ToString(lua_State* L, int index) {
  size_t n = 0;
  const char* s = lua_tolstring(L, index, &n);
  return std::string(s, n);
}

int Send(lua_State* L) {
  if (lua_gettop(L) != 3 || lua_type(L, 1) != LUA_TSTRING || lua_type(L, 2) != LUA_TSTRING ||
      lua_type(L, 3) != LUA_TSTRING) {
    return ApiUsage(L, "game.chat.send", "channel_id, sender_id, content");
  }
  ChatBackend* backend = ApiBackends::OnThisShard().chat;
  if (backend == nullptr) return ApiError(L, "chat is not available");
  std::string_view bad = backend->Send(ToString(L, 1), ToString(L, 2), ToString(L, 3));
  if (!bad.empty()) return ApiError(L, bad);
  lua_pushboolean(L, 1);
  return 1;
}

const ApiFunction kFunctions[] = {
    {"send", &Send},
};

}  // namespace

const ApiNamespace kChatNamespace = {"chat", kFunctions, int(std::size(kFunctions)), kAllHosts,
                                     false};

}  // namespace asobi::script::game_api
