// Budgeted coroutine resumption: each game callback runs in a coroutine so that a host call
// needing the database can suspend it (lua.md §9 "Synchronous persistence", DECISIONS.md
// Lua 2). The wall-clock budget (§13) covers only the time the coroutine actually runs.
#pragma once

#include <cstdint>
#include <string>

#include "script/budget.h"

struct lua_State;

namespace asobi::script {

/// How one resumption ended.
enum class ResumeStatus {
  kDone,          // the function returned; its results are on the coroutine's stack
  kYielded,       // a host function yielded (lua_yield); resume it later with the reply
  kTimeout,       // the budget ran out; the coroutine is dead
  kRuntimeError,  // the script raised or a memory cap refused; the coroutine is dead
};

/// Outcome of ResumeWithBudget.
struct ResumeResult {
  ResumeStatus status = ResumeStatus::kDone;
  /// Error text for kTimeout ("timeout") and kRuntimeError (Lua's `file:line: message`,
  /// cut at 1 KiB; "not enough memory (memory limit)" when a cap refused).
  std::string message;
  bool memory_exceeded = false;
  /// The state may be inconsistent (error while handling an error) and must be destroyed.
  bool unrecoverable = false;
  /// Wall time the coroutine ran during this resumption, ns.
  int64_t elapsed_ns = 0;
  /// kDone: number of results on the coroutine's stack.
  int nresults = 0;

  /// The coroutine returned (kDone) / stopped with an error or timeout.
  bool done() const { return status == ResumeStatus::kDone; }
  bool failed() const {
    return status == ResumeStatus::kTimeout || status == ResumeStatus::kRuntimeError;
  }
  /// "timeout" or "runtime_error" (lua.md §15 reason_class); "ok" otherwise.
  const char* reason_class() const;
};

/// Resumes coroutine `co` of state `L` (a thread created with lua_newthread, either fresh with
/// a function and `nargs` arguments on its stack, or suspended in lua_yield with `nargs` reply
/// values pushed) for at most `budget_ns` of wall-clock time. The deadline is held by
/// `watchdog` only while the coroutine runs, so time spent suspended is free. Opens a callback
/// memory window on L's LuaMemory (when it has one) for the duration of the resumption.
///
/// After kTimeout/kRuntimeError the coroutine cannot be resumed again; drop it. After kDone it
/// may be reused for another call (push a new function). Owner thread of `L`; must not be
/// called while `co` is running. May be called from inside RunProtected.
ResumeResult ResumeWithBudget(lua_State* L, lua_State* co, int nargs, int64_t budget_ns,
                              Watchdog& watchdog = Watchdog::Default());

}  // namespace asobi::script
