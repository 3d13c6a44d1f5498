#include "script/budget.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <lua.hpp>

#include "script/lua_memory.h"

namespace asobi::script {
namespace {

// Address used as a unique registry key.
char kErrorHandlerKey;

constexpr size_t kMaxMessageBytes = 1024;

int64_t SteadyNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Where the last error handled by ErrorHandler on this thread was raised ("file:line").
// Written at raise time, read by CallWithBudget right after its lua_pcall returns.
thread_local char t_where[192];

// Message handler of CallWithBudget: records the innermost Lua frame's position without
// allocating (it may run after a memory cap refused everything) and returns the error as is.
int ErrorHandler(lua_State* L) {
  t_where[0] = '\0';
  if (IsTimeoutSentinel(L, 1)) return 1;
  lua_Debug ar;
  for (int level = 1; lua_getstack(L, level, &ar) != 0; ++level) {
    if (lua_getinfo(L, "Sl", &ar) == 0) break;
    if (ar.currentline > 0) {
      std::snprintf(t_where, sizeof(t_where), "%s:%d", ar.short_src, ar.currentline);
      break;
    }
  }
  return 1;
}

void PushErrorHandler(lua_State* L) {
  lua_pushlightuserdata(L, &kErrorHandlerKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    lua_pushcfunction(L, &ErrorHandler);  // state not made by LuaState: allocates
  }
}

std::string DescribeError(lua_State* L, int rc) {
  if (rc == LUA_ERRERR) return "error in error handling";
  size_t len = 0;
  if (lua_type(L, -1) == LUA_TSTRING) {
    const char* s = lua_tolstring(L, -1, &len);
    return std::string(s, std::min(len, kMaxMessageBytes));
  }
  std::string msg;
  if (rc == LUA_ERRRUN && t_where[0] != '\0') {
    msg.append(t_where);
    msg.append(": ");
  }
  msg.append("(error object is a ");
  msg.append(lua_typename(L, lua_type(L, -1)));
  msg.append(" value)");
  return msg;
}

CallResult Classify(lua_State* L, int rc, bool fired, bool refused) {
  CallResult r;
  r.memory_exceeded = refused;
  if (fired || IsTimeoutSentinel(L, -1)) {
    r.status = CallStatus::kTimeout;
    r.message = "timeout";
    return r;
  }
  r.status = CallStatus::kRuntimeError;
  r.unrecoverable = rc == LUA_ERRERR;
  if (rc == LUA_ERRMEM) {
    r.message = refused ? "not enough memory (memory limit)" : "not enough memory";
  } else {
    r.message = DescribeError(L, rc);
  }
  return r;
}

}  // namespace

// ---- Budget ----

Budget::Budget(Watchdog& watchdog, lua_State* L, int budget_ms)
    : watchdog_(watchdog),
      L_(L),
      ticket_(watchdog.Arm(L, SteadyNs() + int64_t{budget_ms} * 1'000'000)),
      armed_(true) {}

Budget::Budget(Watchdog& watchdog, lua_State* L, AtDeadline deadline)
    : watchdog_(watchdog), L_(L), ticket_(watchdog.Arm(L, deadline.steady_ns)), armed_(true) {}

bool Budget::Finish() {
  if (!armed_) return fired_;
  armed_ = false;
  bool other_fired = false;
  fired_ = watchdog_.Disarm(ticket_, &other_fired);
  if (fired_ && !other_fired) lua_sethook(L_, nullptr, 0, 0);
  return fired_;
}

// ---- Calls ----

const char* CallResult::reason_class() const {
  switch (status) {
    case CallStatus::kOk:
      return "ok";
    case CallStatus::kTimeout:
      return "timeout";
    case CallStatus::kRuntimeError:
      return "runtime_error";
  }
  return "runtime_error";
}

CallResult CallWithBudget(lua_State* L, int nargs, int nresults, int budget_ms) {
  return CallWithBudget(L, nargs, nresults, budget_ms, Watchdog::Default());
}

CallResult CallWithBudget(lua_State* L, int nargs, int nresults, int budget_ms,
                          Watchdog& watchdog) {
  const int handler_index = lua_gettop(L) - nargs;
  PushErrorHandler(L);
  lua_insert(L, handler_index);
  LuaMemory* memory = LuaMemory::From(L);
  if (memory != nullptr) memory->BeginCallback();
  int rc;
  bool fired = false;
  if (budget_ms > 0) {
    Budget budget(watchdog, L, budget_ms);
    rc = lua_pcall(L, nargs, nresults, handler_index);
    fired = budget.Finish();
  } else {
    rc = lua_pcall(L, nargs, nresults, handler_index);
  }
  const bool refused = memory != nullptr && memory->EndCallback();
  lua_remove(L, handler_index);
  if (rc == 0) return CallResult{};
  CallResult result = Classify(L, rc, fired, refused);
  lua_pop(L, 1);
  return result;
}

bool LinkedLuaJitPolls() {
#ifdef ASOBI_LUAJIT_CPOLL
  return luaJIT_asobi_cpoll == 1;
#else
  return false;
#endif
}

int RegisterBudgetSupport(lua_State* L) {
  lua_pushlightuserdata(L, &kErrorHandlerKey);
  lua_pushcfunction(L, &ErrorHandler);
  lua_rawset(L, LUA_REGISTRYINDEX);
  return 0;
}

}  // namespace asobi::script
