// Wall-clock budgets for Lua callbacks (lua.md §13) and the protected call that applies them.
#pragma once

#include <cstdint>
#include <string>

#include "script/watchdog.h"

struct lua_State;

namespace asobi::script {

/// RAII: one armed deadline for `L`, `budget_ms` from now. Finish() (or the destructor)
/// disarms it and, if it fired, removes the hook. Owner thread of `L` only.
class Budget {
 public:
  /// Arms `watchdog` for `L`, `budget_ms` ms from now (steady clock).
  Budget(Watchdog& watchdog, lua_State* L, int budget_ms);
  /// Tag for the constructor taking an absolute deadline.
  struct AtDeadline {
    int64_t steady_ns;  // steady clock, ns since its epoch
  };
  /// Armed until `deadline` (for callers that already read the clock).
  Budget(Watchdog& watchdog, lua_State* L, AtDeadline deadline);
  ~Budget() { Finish(); }
  Budget(const Budget&) = delete;
  Budget& operator=(const Budget&) = delete;

  /// Disarms; returns true if the deadline fired. Idempotent.
  bool Finish();

 private:
  Watchdog& watchdog_;
  lua_State* L_;
  Watchdog::Ticket ticket_;
  bool armed_;
  bool fired_ = false;
};

/// Whether the linked LuaJIT was built with LUAJIT_ENABLE_CHECKHOOK (third_party/luajit). If
/// not (Debian's libluajit2-5.1 package), a budget cannot stop a JIT-compiled loop: the
/// server should warn at start-up or run states with the JIT off.
constexpr bool BudgetStopsCompiledLoops() {
#ifdef ASOBI_LUAJIT_CHECKHOOK
  return true;
#else
  return false;
#endif
}

/// Whether the linked LuaJIT carries our patch third_party/luajit/asobi-cpoll.patch: pattern
/// functions (string.find/match/gmatch/gsub), plain string.find, string.rep, string.format's
/// %q, table.concat, table.sort, table.insert and table.maxn then poll for the budget hook
/// while they run, so a
/// budget stops them too. Without it (Debian's library, `-Dluajit=system`) such a call runs to
/// its end and only the next Lua instruction notices the expired budget.
constexpr bool BudgetStopsLibraryCalls() {
#ifdef ASOBI_LUAJIT_CPOLL
  return true;
#else
  return false;
#endif
}

/// True when the LuaJIT actually linked exports the patch's marker (`luaJIT_asobi_cpoll`);
/// false without the patch. With the patch configured, a stale library fails to link.
bool LinkedLuaJitPolls();

/// How a protected callback call ended (lua.md §15 `reason_class`).
enum class CallStatus {
  kOk,
  kTimeout,       // the wall-clock budget expired
  kRuntimeError,  // an error raised by the script or a memory cap (§13 counts both here)
};

/// Outcome of CallWithBudget.
struct CallResult {
  CallStatus status = CallStatus::kOk;
  /// Error text, empty on success. Lua's own `file:line: message` for string errors;
  /// `file:line: (error object is a <type> value)` for other error values; "not enough
  /// memory" (plus " (memory limit)" when a cap refused) for memory errors; "timeout".
  std::string message;
  /// An allocation was refused by a memory cap during the call.
  bool memory_exceeded = false;
  /// The state may be inconsistent (an error while handling an error, lua.md §13) and must
  /// be destroyed.
  bool unrecoverable = false;

  /// True when the call returned normally.
  bool ok() const { return status == CallStatus::kOk; }
  /// "timeout" or "runtime_error" (§15); "ok" on success.
  const char* reason_class() const;
};

/// Calls the function below `nargs` arguments on top of `L`'s stack like lua_pcall, with a
/// wall-clock budget of `budget_ms` (<= 0: no budget) and, when `L` was made by LuaState, a
/// callback memory window (lua.md §13). On success leaves `nresults` results (LUA_MULTRET
/// allowed); on failure pops the function and arguments and pushes nothing. Owner thread of
/// `L`. Nested calls on the same state (from a host function inside a callback) are allowed.
CallResult CallWithBudget(lua_State* L, int nargs, int nresults, int budget_ms);
/// Same, with the budget enforced by `watchdog` instead of Watchdog::Default() (tests).
CallResult CallWithBudget(lua_State* L, int nargs, int nresults, int budget_ms, Watchdog& watchdog);

/// Registers the error handler CallWithBudget uses in `L`'s registry so a call needs no
/// allocation to install it. Called by LuaState::Create in protected mode; optional for other
/// states. lua_CFunction signature: run it with lua_cpcall.
int RegisterBudgetSupport(lua_State* L);

}  // namespace asobi::script
