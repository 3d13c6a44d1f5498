#include "script/resume.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <lua.hpp>

#include "script/lua_memory.h"

namespace asobi::script {
namespace {

constexpr size_t kMaxMessageBytes = 1024;

int64_t SteadyNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The message of the error value on top of the dead coroutine `co`.
std::string DescribeError(lua_State* co) {
  size_t len = 0;
  if (lua_type(co, -1) == LUA_TSTRING) {
    const char* s = lua_tolstring(co, -1, &len);
    return std::string(s, std::min(len, kMaxMessageBytes));
  }
  char where[192] = {0};
  lua_Debug ar;
  for (int level = 0; lua_getstack(co, level, &ar) != 0; ++level) {
    if (lua_getinfo(co, "Sl", &ar) == 0) break;
    if (ar.currentline > 0) {
      std::snprintf(where, sizeof(where), "%s:%d: ", ar.short_src, ar.currentline);
      break;
    }
  }
  return std::string(where) + "(error object is a " + lua_typename(co, lua_type(co, -1)) +
         " value)";
}

}  // namespace

const char* ResumeResult::reason_class() const {
  switch (status) {
    case ResumeStatus::kTimeout:
      return "timeout";
    case ResumeStatus::kRuntimeError:
      return "runtime_error";
    default:
      return "ok";
  }
}

ResumeResult ResumeWithBudget(lua_State* L, lua_State* co, int nargs, int64_t budget_ns,
                              Watchdog& watchdog) {
  ResumeResult r;
  LuaMemory* memory = LuaMemory::From(L);
  if (memory != nullptr) memory->BeginCallback();
  // Whole milliseconds, at least one, as Budget(watchdog, L, budget_ms) would arm; the clock
  // read that measures `elapsed_ns` also sets the deadline.
  const int64_t budget_ms = std::max<int64_t>(1, (budget_ns + 999'999) / 1'000'000);
  const int64_t start = SteadyNs();
  int rc;
  bool fired;
  {
    Budget budget(watchdog, L, Budget::AtDeadline{start + budget_ms * 1'000'000});
    rc = lua_resume(co, nargs);
    fired = budget.Finish();
  }
  r.elapsed_ns = SteadyNs() - start;
  const bool refused = memory != nullptr && memory->EndCallback();
  r.memory_exceeded = refused;
  if (rc == 0) {
    r.nresults = lua_gettop(co);
    return r;
  }
  if (rc == LUA_YIELD) {
    if (fired) {
      // The deadline passed just as the coroutine yielded: treat it as a timeout.
      r.status = ResumeStatus::kTimeout;
      r.message = "timeout";
      return r;
    }
    r.status = ResumeStatus::kYielded;
    return r;
  }
  if (fired || IsTimeoutSentinel(co, -1)) {
    r.status = ResumeStatus::kTimeout;
    r.message = "timeout";
    return r;
  }
  r.status = ResumeStatus::kRuntimeError;
  r.unrecoverable = rc == LUA_ERRERR;
  if (rc == LUA_ERRMEM) {
    r.message = refused ? "not enough memory (memory limit)" : "not enough memory";
  } else {
    r.message = DescribeError(co);
  }
  return r;
}

}  // namespace asobi::script
