// Installation of the `game` table (lua.md §9) into an instance's Lua state.
#pragma once

#include "script/game_api/api_host.h"

struct lua_State;

namespace asobi::script::game_api {

/// Options for InstallGameApi.
struct InstallOptions {
  /// Also install `game.test.*` (functions for the engine's own tests, e.g. a suspending
  /// call that proves the coroutine machinery). Off in production.
  bool test_functions = false;
  /// Install `game.storage` (lua.md §9: absent when storage is disabled, `--storage false`).
  bool storage = true;
};

/// Creates the global `game` table from the namespace tables (api_table.cc) and binds `host`
/// to the state (registry). Namespaces that do not apply to `host->kind()` are left out.
/// `host` must outlive the state. Protected mode.
void InstallGameApi(lua_State* L, ApiHost* host, const InstallOptions& options = {});

/// The host bound to `L`'s state, or null.
ApiHost* HostOf(lua_State* L);

}  // namespace asobi::script::game_api
