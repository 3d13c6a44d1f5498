// game.test.* : functions for the engine's own tests, installed only with
// InstallOptions::test_functions. `suspend(ms)` is a stand-in for a *DB* call (lua.md §9
// "Synchronous persistence"): it suspends the callback's coroutine and resumes it with
// `{ok = true}` after `ms` (or `{error = "timeout"}` past the 2000 ms limit).
#include <lua.hpp>

#include "script/game_api/api_namespaces.h"
#include "script/game_api/game_api.h"

namespace asobi::script::game_api {
namespace {

int Suspend(lua_State* L) {
  if (lua_type(L, 1) != LUA_TNUMBER || lua_tonumber(L, 1) < 0) {
    return ApiUsage(L, "game.test.suspend", "ms");
  }
  ApiHost* host = HostOf(L);
  if (host == nullptr || !host->CanSuspend(L)) return ApiError(L, "cannot_suspend_here");
  const int64_t ms = int64_t(lua_tonumber(L, 1));
  host->BeginAsync([host, ms](AsyncComplete done) {
    host->RunAfterMs(ms, [done = std::move(done)] {
      done([](lua_State* s) {
        lua_createtable(s, 0, 1);
        lua_pushboolean(s, 1);
        lua_setfield(s, -2, "ok");
        return 1;
      });
    });
  });
  return lua_yield(L, 0);
}

const ApiFunction kFunctions[] = {
    {"suspend", &Suspend},
};

}  // namespace

const ApiNamespace kTestNamespace = {"test", kFunctions, int(std::size(kFunctions)), kAllHosts,
                                     true};

}  // namespace asobi::script::game_api
