#include "script/watchdog.h"

#include <algorithm>
#include <chrono>
#include <lua.hpp>
#include <utility>

namespace asobi::script {
namespace {

// Address used as a unique lightuserdata value.
char kTimeoutSentinel;

// Slot state word: bit 0 armed, bit 1 fired, bit 2 the watchdog is setting the hook (Disarm
// waits), the rest an epoch bumped by every Arm so a stale view of the slot cannot match.
constexpr uint64_t kArmed = 1;
constexpr uint64_t kFired = 2;
constexpr uint64_t kFiring = 4;
constexpr uint64_t kFlags = kArmed | kFired | kFiring;
constexpr uint64_t kEpochStep = 8;

constexpr int kSlotsPerChunk = 8;

int64_t SteadyNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Runs on the Lua thread once the hook is set: raise the sentinel, on every instruction (and,
// with asobi-cpoll.patch, at every poll inside a long library function).
void TimeoutHook(lua_State* L, lua_Debug* /*ar*/) {
  lua_pushlightuserdata(L, &kTimeoutSentinel);
  lua_error(L);
}

void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

std::atomic<uint64_t> g_next_watchdog_id{1};

}  // namespace

// One armed deadline. `state` is written by the owner thread (Arm, Disarm) and by the
// watchdog (kFiring, kFired, only while kArmed); `L` and `due_ns` by the owner before it
// publishes kArmed; `reassert_ns` by the watchdog only.
struct Watchdog::Slot {
  std::atomic<uint64_t> state{0};
  std::atomic<lua_State*> L{nullptr};
  std::atomic<int64_t> due_ns{0};
  int64_t reassert_ns = 0;
  ThreadSlots* owner = nullptr;
};

// The slots of one thread for one watchdog: an append-only list of chunks (nesting depth
// rarely passes 2, so the first chunk is all there is). Kept alive by the watchdog and by the
// thread; `dead` once the thread exited, and dropped by the watchdog when no slot is armed.
struct Watchdog::ThreadSlots {
  struct Chunk {
    Slot slots[kSlotsPerChunk];
    std::atomic<Chunk*> next{nullptr};
  };
  Chunk first;
  std::atomic<bool> dead{false};

  ThreadSlots() {
    for (Slot& s : first.slots) s.owner = this;
  }
  ~ThreadSlots() {
    Chunk* c = first.next.load(std::memory_order_acquire);
    while (c != nullptr) {
      Chunk* next = c->next.load(std::memory_order_acquire);
      delete c;
      c = next;
    }
  }
  ThreadSlots(const ThreadSlots&) = delete;
  ThreadSlots& operator=(const ThreadSlots&) = delete;

  template <typename F>
  void ForEachSlot(F fn) {
    for (Chunk* c = &first; c != nullptr; c = c->next.load(std::memory_order_acquire)) {
      for (Slot& s : c->slots) fn(s);
    }
  }

  // Owner thread only: a slot that is not armed (a new chunk when all are).
  Slot& FreeSlot() {
    Chunk* c = &first;
    while (true) {
      for (Slot& s : c->slots) {
        if ((s.state.load(std::memory_order_relaxed) & kArmed) == 0) return s;
      }
      Chunk* next = c->next.load(std::memory_order_acquire);
      if (next == nullptr) {
        next = new Chunk();
        for (Slot& s : next->slots) s.owner = this;
        c->next.store(next, std::memory_order_release);
      }
      c = next;
    }
  }

  bool AllIdle() {
    bool idle = true;
    ForEachSlot([&idle](Slot& s) {
      if ((s.state.load(std::memory_order_acquire) & kArmed) != 0) idle = false;
    });
    return idle;
  }
};

namespace {

// The calling thread's slot blocks, one per watchdog it used; marked dead at thread exit.
struct ThreadBlocks {
  std::vector<std::pair<uint64_t, std::shared_ptr<Watchdog::ThreadSlots>>> blocks;
  ~ThreadBlocks() {
    for (auto& [id, b] : blocks) b->dead.store(true, std::memory_order_release);
  }
};
thread_local ThreadBlocks t_blocks;

}  // namespace

Watchdog::Watchdog()
    : id_(g_next_watchdog_id.fetch_add(1, std::memory_order_relaxed)), thread_([this] { Run(); }) {}

Watchdog::~Watchdog() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

Watchdog& Watchdog::Default() {
  static Watchdog* instance = new Watchdog();  // never destroyed: callbacks may run at exit
  return *instance;
}

Watchdog::ThreadSlots& Watchdog::ThisThreadSlots() {
  for (auto& [id, b] : t_blocks.blocks) {
    if (id == id_) return *b;
  }
  auto block = std::make_shared<ThreadSlots>();
  {
    std::lock_guard<std::mutex> lk(mu_);
    blocks_.push_back(block);
  }
  t_blocks.blocks.emplace_back(id_, block);
  return *block;
}

Watchdog::Ticket Watchdog::Arm(lua_State* L, int64_t deadline_steady_ns) {
  Slot& slot = ThisThreadSlots().FreeSlot();
  slot.L.store(L, std::memory_order_relaxed);
  slot.due_ns.store(deadline_steady_ns, std::memory_order_relaxed);
  const uint64_t epoch = (slot.state.load(std::memory_order_relaxed) & ~kFlags) + kEpochStep;
  // seq_cst store then seq_cst load of wake_ns_, against Run()'s store of wake_ns_ then scan:
  // either the scan sees this slot or this load sees the watchdog's new wake-up time.
  slot.state.store(epoch | kArmed, std::memory_order_seq_cst);
  if (deadline_steady_ns < wake_ns_.load(std::memory_order_seq_cst)) Wake();
  return reinterpret_cast<Ticket>(&slot);
}

bool Watchdog::Disarm(Ticket ticket, bool* other_fired) {
  Slot& slot = *reinterpret_cast<Slot*>(ticket);
  uint64_t s = slot.state.load(std::memory_order_acquire);
  while (true) {
    if ((s & kFiring) != 0) {  // the watchdog is inside lua_sethook for this slot
      CpuRelax();
      s = slot.state.load(std::memory_order_acquire);
      continue;
    }
    if (slot.state.compare_exchange_weak(s, s & ~kFlags, std::memory_order_acq_rel,
                                         std::memory_order_acquire)) {
      break;
    }
  }
  if (other_fired != nullptr) {
    lua_State* L = slot.L.load(std::memory_order_relaxed);
    bool other = false;
    slot.owner->ForEachSlot([&](Slot& o) {
      const uint64_t os = o.state.load(std::memory_order_acquire);
      if ((os & kArmed) != 0 && (os & kFired) != 0 && o.L.load(std::memory_order_relaxed) == L) {
        other = true;
      }
    });
    *other_fired = other;
  }
  return (s & kFired) != 0;
}

void Watchdog::Wake() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    woken_ = true;
  }
  cv_.notify_one();
}

int64_t Watchdog::FireDue(int64_t now_ns) {
  int64_t next = INT64_MAX;
  for (const std::shared_ptr<ThreadSlots>& block : blocks_) {
    block->ForEachSlot([&](Slot& slot) {
      uint64_t s = slot.state.load(std::memory_order_acquire);
      while ((s & kArmed) != 0) {
        const bool fired = (s & kFired) != 0;
        const int64_t due = fired ? slot.reassert_ns : slot.due_ns.load(std::memory_order_relaxed);
        if (due > now_ns) {
          next = std::min(next, due);
          return;
        }
        // Claim the slot: from here until kFiring is cleared the owner cannot disarm it, so
        // L and due_ns are the ones of the epoch in `s`.
        if (!slot.state.compare_exchange_strong(s, s | kFiring, std::memory_order_acq_rel,
                                                std::memory_order_acquire)) {
          continue;  // disarmed or re-armed meanwhile: look again
        }
        if (!fired && slot.due_ns.load(std::memory_order_relaxed) > now_ns) {
          next = std::min(next, slot.due_ns.load(std::memory_order_relaxed));
          slot.state.store(s, std::memory_order_release);
          return;
        }
        lua_sethook(slot.L.load(std::memory_order_relaxed), &TimeoutHook, LUA_MASKCOUNT, 1);
        slot.reassert_ns = now_ns + kReassertNs;
        next = std::min(next, slot.reassert_ns);
        slot.state.store(s | kFired, std::memory_order_release);
        return;
      }
    });
  }
  std::erase_if(blocks_, [](const std::shared_ptr<ThreadSlots>& b) {
    return b->dead.load(std::memory_order_acquire) && b->AllIdle();
  });
  return next;
}

void Watchdog::Run() {
  std::unique_lock<std::mutex> lk(mu_);
  while (!stop_) {
    wake_ns_.store(INT64_MAX, std::memory_order_seq_cst);  // Arms from now on wake us up...
    const int64_t next = FireDue(SteadyNs());              // ...unless this scan saw them
    wake_ns_.store(next, std::memory_order_seq_cst);
    if (woken_) {
      woken_ = false;
      continue;
    }
    if (next == INT64_MAX) {
      cv_.wait(lk, [this] { return woken_ || stop_; });
    } else {
      cv_.wait_until(lk, std::chrono::steady_clock::time_point(std::chrono::nanoseconds(next)),
                     [this] { return woken_ || stop_; });
    }
    woken_ = false;
  }
}

bool IsTimeoutSentinel(lua_State* L, int index) {
  return lua_type(L, index) == LUA_TLIGHTUSERDATA && lua_touserdata(L, index) == &kTimeoutSentinel;
}

void PollTimeout(lua_State* L) {
  if ((lua_gethookmask(L) & LUA_MASKCOUNT) != 0 && lua_gethook(L) == &TimeoutHook) {
    lua_pushlightuserdata(L, &kTimeoutSentinel);
    lua_error(L);
  }
}

}  // namespace asobi::script
