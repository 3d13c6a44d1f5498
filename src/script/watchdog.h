// The budget watchdog (lua.md §13): one thread that stops Lua callbacks whose wall-clock
// deadline passed. Arming and disarming are lock-free so a callback costs a few atomic
// operations, not a mutex shared by every shard.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

struct lua_State;

namespace asobi::script {

/// Holds the deadlines of running callbacks, on one thread of its own. When a deadline passes
/// it sets a count hook of 1 on that state (`lua_sethook` from another native thread, which
/// LuaJIT supports when built with LUAJIT_ENABLE_CHECKHOOK; see third_party/luajit/README.md).
/// The hook raises the timeout sentinel (IsTimeoutSentinel) on every Lua instruction until the
/// call unwinds to the host, so `pcall`/`xpcall` inside the script cannot swallow it. While a
/// fired entry stays armed the hook is re-asserted every `kReassertNs`, in case a concurrent
/// update of LuaJIT's hook mask by the Lua thread lost it.
///
/// Deadlines live in per-thread slot blocks: Arm stores the deadline in a free slot of the
/// calling thread's block and Disarm releases it, both with atomics only. The watchdog thread
/// sleeps until the earliest deadline it saw; an Arm whose deadline is earlier than that wakes
/// it (rare: only when a shorter budget starts while a longer one is the earliest). A deadline
/// therefore fires as precisely as with a timer per entry.
///
/// Arm and Disarm of one ticket happen on the thread that runs the state. One Watchdog per
/// process is enough (Default()); other instances work too (tests).
class Watchdog {
 public:
  using Ticket = uint64_t;
  static constexpr int64_t kReassertNs = 20'000'000;

  /// Starts the watchdog thread.
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

  struct Slot;
  struct ThreadSlots;

 private:
  ThreadSlots& ThisThreadSlots();
  void Wake();
  void Run();
  int64_t FireDue(int64_t now_ns);  // returns the next due time or INT64_MAX

  const uint64_t id_;  // tells this instance from a later one at the same address
  std::mutex mu_;      // guards blocks_, woken_, stop_; held while the thread scans
  std::condition_variable cv_;
  std::vector<std::shared_ptr<ThreadSlots>> blocks_;
  std::atomic<int64_t> wake_ns_{INT64_MAX};  // when Run() next wakes up by itself
  bool woken_ = false;
  bool stop_ = false;
  std::thread thread_;
};

/// True if the value at `index` is the timeout sentinel the budget hook raises.
bool IsTimeoutSentinel(lua_State* L, int index);

/// For long loops in our own lua_CFunctions (utf8.*): raises the timeout sentinel, like the
/// hook would at the next Lua instruction, when the watchdog has fired on `L`'s running call.
/// Returns normally otherwise. Costs two LuaJIT API calls: call it every few KiB of work. Only
/// from inside a lua_CFunction (it raises).
void PollTimeout(lua_State* L);

}  // namespace asobi::script
