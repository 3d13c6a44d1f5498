// Helpers shared by the script layer's unit tests.
#pragma once

#include <lua.hpp>
#include <string>
#include <string_view>

#include "script/budget.h"

namespace asobi::script::test_util {

/// Compiles `code` (chunk name "=test") and runs it with CallWithBudget, keeping `nresults`
/// results on the stack on success. A compile error comes back as a runtime_error.
inline CallResult RunLua(lua_State* L, std::string_view code, int nresults = 0,
                         int budget_ms = 2000) {
  if (luaL_loadbuffer(L, code.data(), code.size(), "=test") != 0) {
    CallResult r;
    r.status = CallStatus::kRuntimeError;
    r.message = lua_tostring(L, -1);
    lua_pop(L, 1);
    return r;
  }
  return CallWithBudget(L, 0, nresults, budget_ms);
}

/// Runs `return <expr>` and returns tostring() of the result, or "ERROR: <message>".
inline std::string Eval(lua_State* L, std::string_view expr) {
  std::string code = "return tostring(" + std::string(expr) + ")";
  CallResult r = RunLua(L, code, 1);
  if (!r.ok()) return "ERROR: " + r.message;
  std::string out = lua_tostring(L, -1);
  lua_pop(L, 1);
  return out;
}

}  // namespace asobi::script::test_util
