// Host-side Lua API sequences in protected mode (lua.md §13: the panic handler is a CHECK
// failure, so every host use of a state that can allocate must run protected).
#pragma once

#include <string>
#include <utility>

struct lua_State;

namespace asobi::script {

/// Outcome of RunProtected.
struct ProtectedStatus {
  bool ok = true;
  /// The error was LUA_ERRMEM (a memory cap refused, or the system is out of memory).
  bool out_of_memory = false;
  /// The Lua error text (empty on success).
  std::string message;
};

/// Runs `thunk(L, ctx)` inside lua_cpcall. A Lua error raised inside it (out of memory, a
/// raising API call) is caught and reported; whatever the thunk left on L's stack is dropped
/// (lua_cpcall semantics), so results must be kept in C++ or in the registry. lua_cpcall
/// itself does not allocate. Owner thread of `L`. The thunk must not throw C++ exceptions
/// and should not hold C++ objects with destructors across calls that may raise.
ProtectedStatus RunProtectedRaw(lua_State* L, void (*thunk)(lua_State*, void*), void* ctx);

/// RunProtectedRaw for any callable `fn(lua_State*)`.
template <typename F>
ProtectedStatus RunProtected(lua_State* L, F&& fn) {
  auto thunk = [](lua_State* s, void* ctx) { (*static_cast<std::remove_reference_t<F>*>(ctx))(s); };
  return RunProtectedRaw(L, thunk, &fn);
}

}  // namespace asobi::script
