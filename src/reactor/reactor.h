// Reactor: one io_uring event loop, owned by one shard thread (ARCHITECTURE.md "Shards").
//
// Ring setup: IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | COOP_TASKRUN.
// Every method must be called on the reactor's own thread unless it says otherwise.
//
// Loop turn: run posted tasks -> drain mailboxes -> fire due timers and wheel deadlines -> run
// end-of-turn flushes (batched sends, DB pipeline flushes) -> submit and wait for completions
// (until the next timer) -> dispatch each CQE to its Completion.
#pragma once

#include <liburing.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <unordered_map>
#include <vector>

#include "base/task.h"
#include "reactor/completion.h"
#include "reactor/histogram.h"
#include "reactor/timer_wheel.h"

namespace asobi {

class Reactor;

/// Something that wants to run once at the end of the current loop turn (e.g. a connection
/// with queued frames: all of them go out in one send per turn). FlushTurn may destroy the
/// object itself (the reactor does not touch it after the call). Destroying an object while
/// its flush is queued removes it from the queue (its reactor must still be alive).
class TurnFlush {
 public:
  TurnFlush() = default;
  virtual ~TurnFlush();
  TurnFlush(const TurnFlush&) = delete;
  TurnFlush& operator=(const TurnFlush&) = delete;
  /// Called once on the reactor's thread at the end of a turn in which RequestFlush(this) ran.
  virtual void FlushTurn() = 0;
  /// True between RequestFlush(this) and the call to FlushTurn (or the object's removal).
  bool flush_queued() const { return flush_queued_; }

 private:
  friend class Reactor;
  bool flush_queued_ = false;
  Reactor* flush_reactor_ = nullptr;  // set while queued
};

/// Owned by its Shard (one per thread); io_uring ring, timer heap, timer wheel, posted tasks
/// and end-of-turn flushes. Not copyable.
class Reactor {
 public:
  /// Ring sizing, fixed at construction.
  struct Options {
    unsigned sq_entries = 4096;  // SQ size; CQ is 4x.
  };
  using TimerId = uint64_t;

  /// Sets up the ring (created disabled, so AttachToThread() / Run() bind it to the shard
  /// thread; a plain ring on kernels without those flags) and the wake eventfd. CHECK-fails
  /// when io_uring or eventfd setup fails.
  explicit Reactor(const Options& opts);
  ~Reactor();
  Reactor(const Reactor&) = delete;
  Reactor& operator=(const Reactor&) = delete;

  /// A free SQE; submits pending ones first if the SQ is full. Never returns null.
  io_uring_sqe* GetSqe();
  /// Convenience: GetSqe() with user_data set to `c`.
  io_uring_sqe* GetSqe(Completion* c) {
    io_uring_sqe* sqe = GetSqe();
    io_uring_sqe_set_data(sqe, c);
    return sqe;
  }
  /// Raw ring, for liburing calls not wrapped here (buffer rings); owning thread only.
  io_uring* ring() { return &ring_; }

  /// Binds the ring to the calling thread (the only one that may submit from then on). Call
  /// first thing on the owning thread; Run() calls it too. Idempotent.
  void AttachToThread();
  /// Runs the loop until Stop(). Returns after the turn in which Stop() was called.
  void Run();
  /// Asks Run() to return. Thread-safe (wakes the loop).
  void Stop();
  /// True once Stop() was called (relaxed read, any thread).
  bool stopping() const { return stop_.load(std::memory_order_relaxed); }

  /// Runs `fn` once after `delay_ms` (>= 0), ms precision. The id can cancel it before it
  /// fires. For per-connection timeouts use wheel() instead (O(1), no allocation).
  TimerId AddTimer(int64_t delay_ms, Task fn);
  /// Cancels a pending timer; false when it already fired or was cancelled. Cancelled
  /// entries are compacted out of the heap lazily: the heap never holds more than about
  /// twice the pending timers (plus kHeapSlack), whatever the arm/cancel churn.
  bool CancelTimer(TimerId id);
  /// Timers armed with AddTimer and not yet fired or cancelled.
  size_t timers_pending() const { return timers_.size(); }
  /// Entries in the timer heap, cancelled ones included (tests, metrics).
  size_t timer_heap_size() const { return timer_heap_.size(); }

  /// This reactor's coarse deadline wheel (100 ms ticks), advanced every turn.
  TimerWheel& wheel() { return wheel_; }

  /// Runs `fn` on this reactor at the start of the next turn (same thread only).
  void Post(Task fn);

  /// Queues `f` to run at the end of this turn; repeated calls in one turn are coalesced.
  void RequestFlush(TurnFlush* f);

  /// Test seam: runs one turn's work at monotonic `now_ms` (posted tasks, mailbox drain,
  /// timers and wheel entries due by then, end-of-turn flushes) without submitting or
  /// waiting for completions; tests then deliver CQEs by calling Completion::OnComplete.
  /// `now_ms` must not go backwards. Owning thread only.
  void RunTurnAt(int64_t now_ms);

  /// Monotonic ms, sampled at the start of the current turn.
  int64_t now_ms() const { return now_ms_; }

  /// Wakes the loop from another thread (eventfd write) if it sleeps or is about to; used
  /// by mailboxes after publishing work. Thread-safe. Issues a full fence (see reactor.cc).
  void Wake();
  /// Called by the owner of cross-thread queues: runs `fn` every turn to drain them.
  void SetInboxDrain(std::function<bool()> drain) { inbox_drain_ = std::move(drain); }

  /// Loop-turn latency (busy time per turn, µs) histogram; read by /metrics from any thread.
  const Histogram& turn_latency_us() const { return turn_latency_us_; }

 private:
  friend class TurnFlush;
  static constexpr size_t kHeapSlack = 1024;
  struct TimerEntry {
    int64_t deadline_ms;
    TimerId id;
    bool operator>(const TimerEntry& o) const {
      return deadline_ms != o.deadline_ms ? deadline_ms > o.deadline_ms : id > o.id;
    }
  };
  void RunTurnWork();
  void RunTimers();
  void PopTimer();
  void CompactTimerHeap();
  void RunPosted();
  void RunFlushes();
  void RemoveFlush(TurnFlush* f);
  void ArmWakeRead();
  void OnWake(int32_t res, uint32_t flags);
  int64_t NextTimeoutMs() const;

  io_uring ring_{};
  bool disabled_ = false;
  int wake_fd_ = -1;
  uint64_t wake_buf_ = 0;
  MemberCompletion<Reactor, &Reactor::OnWake> wake_completion_{this};
  std::atomic<bool> stop_{false};
  std::atomic<bool> sleeping_{false};
  int64_t now_ms_ = 0;
  TimerId next_timer_id_ = 1;
  std::vector<TimerEntry> timer_heap_;  // min-heap (std::greater), cancelled ids included
  size_t cancelled_in_heap_ = 0;        // heap entries whose id is no longer in timers_
  std::unordered_map<TimerId, Task> timers_;
  TimerWheel wheel_;
  std::vector<Task> posted_;
  std::vector<TurnFlush*> flushes_;
  std::vector<TurnFlush*> flush_batch_;  // the round being run (entries nulled on removal)
  std::function<bool()> inbox_drain_;
  Histogram turn_latency_us_;
};

}  // namespace asobi
