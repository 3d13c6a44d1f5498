// Helpers shared by the `game.*` namespace files (lua.md §9 result shapes).
#pragma once

#include <string_view>

struct lua_State;

namespace asobi::script::game_api {

/// One `game.<namespace>.<name>` function.
struct ApiFunction {
  const char* name;
  int (*fn)(lua_State* L);
};

/// One namespace: "" for functions directly on `game`. `kinds` is a bit mask of the HostKind
/// values it is installed for (1 << int(kind)); `test_only` namespaces need
/// InstallOptions::test_functions.
struct ApiNamespace {
  const char* name;
  const ApiFunction* functions;
  int count;
  unsigned kinds;
  bool test_only;
};

/// Match, world, zone and RPC states.
inline constexpr unsigned kAllHosts = 0xF;
inline constexpr unsigned kMatchOnly = 0x1;

/// Pushes `{error = "<message>"}` and returns 1 (for `return ApiError(L, ...)`).
int ApiError(lua_State* L, std::string_view message);
/// Pushes `{error = "<fn> requires (<shape>)"}` and returns 1: wrong arity or argument types
/// (§9: never raise).
int ApiUsage(lua_State* L, const char* fn, const char* shape);
/// Pushes `{ok = <value at index>}` and returns 1.
int ApiOk(lua_State* L, int index);

}  // namespace asobi::script::game_api
