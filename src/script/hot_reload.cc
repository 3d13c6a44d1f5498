#include "script/hot_reload.h"

#include <lua.hpp>
#include <string>

#include "script/budget.h"
#include "script/protected_call.h"
#include "script/require.h"
#include "script/script_file.h"

namespace asobi::script {
namespace {

// Copies every key of _G into a new table left on the stack (shallow snapshot, §16).
void SnapshotGlobals(lua_State* L) {
  lua_newtable(L);
  const int snap = lua_gettop(L);
  lua_pushnil(L);
  while (lua_next(L, LUA_GLOBALSINDEX) != 0) {
    lua_pushvalue(L, -2);
    lua_insert(L, -2);
    lua_rawset(L, snap);
  }
}

// Makes _G equal the snapshot at `snap` again (keys added since are removed).
void RestoreGlobals(lua_State* L, int snap) {
  lua_newtable(L);  // keys to drop
  const int drop = lua_gettop(L);
  int n = 0;
  lua_pushnil(L);
  while (lua_next(L, LUA_GLOBALSINDEX) != 0) {
    lua_pop(L, 1);
    lua_pushvalue(L, -1);
    lua_rawget(L, snap);
    const bool absent = lua_isnil(L, -1);
    lua_pop(L, 1);
    if (absent) {
      lua_pushvalue(L, -1);
      lua_rawseti(L, drop, ++n);
    }
  }
  for (int i = 1; i <= n; ++i) {
    lua_rawgeti(L, drop, i);
    lua_pushnil(L);
    lua_rawset(L, LUA_GLOBALSINDEX);
  }
  lua_pop(L, 1);
  lua_pushnil(L);
  while (lua_next(L, snap) != 0) {
    lua_pushvalue(L, -2);
    lua_insert(L, -2);
    lua_rawset(L, LUA_GLOBALSINDEX);
  }
}

}  // namespace

Status ReloadMainChunk(lua_State* L, const std::string& source, const std::string& chunk_name,
                       int budget_ms, const std::string& main_abs,
                       std::vector<std::string>* files) {
  Status result = Ok{};
  std::vector<std::string> old_files = *files;
  files->assign(1, main_abs);
  ProtectedStatus ps = RunProtected(L, [&](lua_State* s) {
    Status loaded = LoadChunk(s, source, chunk_name);
    if (!loaded.ok()) {
      result = MakeError("reload_failed", loaded.error().message);
      return;
    }
    const int chunk = lua_gettop(s);
    SnapshotGlobals(s);
    const int snap = lua_gettop(s);
    lua_pushliteral(s, "_ASOBI_LOADED");
    lua_rawget(s, LUA_GLOBALSINDEX);
    const int loaded_cache = lua_gettop(s);
    ClearRequireCache(s);
    lua_pushvalue(s, chunk);
    CallResult r = CallWithBudget(s, 0, 0, budget_ms);
    if (r.ok()) return;
    result = MakeError("reload_failed",
                       r.status == CallStatus::kTimeout
                           ? "top level exceeded its " + std::to_string(budget_ms) + " ms budget"
                           : r.message);
    RestoreGlobals(s, snap);
    lua_pushliteral(s, "_ASOBI_LOADED");
    lua_pushvalue(s, loaded_cache);
    lua_rawset(s, LUA_GLOBALSINDEX);
  });
  if (!ps.ok && result.ok()) result = MakeError("reload_failed", ps.message);
  if (!result.ok()) {
    if (!old_files.empty()) files->insert(files->end(), old_files.begin() + 1, old_files.end());
    return result;
  }
  return Ok{};
}

}  // namespace asobi::script
