// Wall-clock budgets for Lua callbacks (lua.md §13) and the protected call that applies them.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

struct lua_State;

namespace asobi::script {

/// Holds the deadlines of running callbacks, on one thread of its own. When a deadline passes
/// it sets a count hook of 1 on that state (`lua_sethook` from another native thread, which
/// LuaJIT supports when built with LUAJIT_ENABLE_CHECKHOOK; see third_party/luajit/README.md).
/// The hook raises the timeout sentinel on every Lua instruction until the call unwinds to the
/// host, so `pcall`/`xpcall` inside the script cannot swallow it. While a fired entry stays
/// armed the hook is re-asserted every `kReassertNs`, in case a concurrent update of LuaJIT's
/// hook mask by the Lua thread lost it.
///
/// Arm/Disarm may be called from any thread; the state must be running on the caller's
/// thread. One Watchdog per process is enough (Default()).
class Watchdog {
 public:
  using Ticket = uint64_t;
  static constexpr int64_t kReassertNs = 20'000'000;

  Watchdog();
  ~Watchdog();  // stops and joins the thread; no entry may be armed
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  /// The process-wide watchdog, started on first use and never destroyed.
  static Watchdog& Default();

  /// Registers a deadline (steady clock, ns since its epoch) for state `L`.
  Ticket Arm(lua_State* L, int64_t deadline_steady_ns);
  /// Removes the entry. Returns true if its deadline fired. After it returns the watchdog
  /// never touches `L` for this ticket again. `*other_fired` (optional) is set when another
  /// fired entry for the same `L` is still armed (nested calls), in which case the hook must
  /// stay; otherwise the caller clears it (see Budget).
  bool Disarm(Ticket ticket, bool* other_fired = nullptr);

 private:
  struct Entry {
    Ticket ticket;
    lua_State* L;
    int64_t due_ns;  // deadline, then the next re-assert time once fired
    bool fired;
  };
  void Run();
  int64_t FireDue(int64_t now_ns);  // returns the next due time or INT64_MAX

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Entry> entries_;
  Ticket next_ticket_ = 1;
  int64_t wake_ns_ = INT64_MAX;  // when Run() next wakes up by itself
  bool stop_ = false;
  std::thread thread_;
};

/// RAII: one armed deadline for `L`, `budget_ms` from now. Finish() (or the destructor)
/// disarms it and, if it fired, removes the hook. Owner thread of `L` only.
class Budget {
 public:
  Budget(Watchdog& watchdog, lua_State* L, int budget_ms);
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

/// True if the value at `index` is the timeout sentinel the budget hook raises.
bool IsTimeoutSentinel(lua_State* L, int index);

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
CallResult CallWithBudget(lua_State* L, int nargs, int nresults, int budget_ms, Watchdog& watchdog);

/// Registers the error handler CallWithBudget uses in `L`'s registry so a call needs no
/// allocation to install it. Called by LuaState::Create in protected mode; optional for other
/// states. lua_CFunction signature: run it with lua_cpcall.
int RegisterBudgetSupport(lua_State* L);

}  // namespace asobi::script
