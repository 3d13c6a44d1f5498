// The registration table of `game.*` namespaces and InstallGameApi.
#include <lua.hpp>

#include "script/game_api/api_namespaces.h"
#include "script/game_api/game_api.h"

namespace asobi::script::game_api {
namespace {

char kHostKey;

// Every namespace, in installation order.
const ApiNamespace* const kNamespaces[] = {
    &kCoreNamespace,        &kMatchNamespace,  &kTestNamespace,   &kEconomyNamespace,
    &kLeaderboardNamespace, &kNotifyNamespace, &kBotsNamespace,   &kStorageNamespace,
    &kChatNamespace,        &kKvNamespace,     &kSeasonNamespace, &kSpatialNamespace,
    &kZoneNamespace,
};

void SetFunctions(lua_State* L, const ApiNamespace& ns) {
  for (int i = 0; i < ns.count; ++i) {
    lua_pushcfunction(L, ns.functions[i].fn);
    lua_setfield(L, -2, ns.functions[i].name);
  }
}

}  // namespace

void InstallGameApi(lua_State* L, ApiHost* host, const InstallOptions& options) {
  lua_pushlightuserdata(L, &kHostKey);
  lua_pushlightuserdata(L, host);
  lua_rawset(L, LUA_REGISTRYINDEX);
  const unsigned kind_bit = 1u << static_cast<int>(host->kind());
  lua_newtable(L);
  for (const ApiNamespace* ns : kNamespaces) {
    if ((ns->kinds & kind_bit) == 0 || (ns->test_only && !options.test_functions)) continue;
    if (ns == &kStorageNamespace && !options.storage) continue;  // {storage, false} (§9)
    if (ns->name[0] == '\0') {
      SetFunctions(L, *ns);
      continue;
    }
    lua_newtable(L);
    SetFunctions(L, *ns);
    lua_setfield(L, -2, ns->name);
  }
  lua_setglobal(L, "game");
}

ApiHost* HostOf(lua_State* L) {
  lua_pushlightuserdata(L, &kHostKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  auto* host = static_cast<ApiHost*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  return host;
}

}  // namespace asobi::script::game_api
