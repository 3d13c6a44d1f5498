// WorkerPool: a few threads for blocking or CPU-heavy work (password hashing, file reads) that
// must never run on a reactor thread (ARCHITECTURE.md "Shards"). Results return to the
// submitting shard through Shard::PostFromAnyThread.
//
// Bounds. At most `queue_max` jobs wait (Submit refuses more). A job may also carry a way to
// answer without running (`skipped`): such a job is dropped, and `skipped` runs on its origin
// shard instead, when it waited in the queue longer than `queue_wait_max_ms`, when its cancel
// flag was set before a worker picked it up (its client went away), or when the pool shuts
// down. A job without `skipped` is always run, even during Shutdown().
//
// Shutdown. Shutdown() (and the destructor) stops taking jobs, answers every queued job that
// can be skipped, runs the others, and joins the threads. Call it while the origin shards
// still run their loops and before the services the jobs' callbacks touch are freed: after it
// returns, every result and `skipped` task is in its shard's queue, ahead of anything posted
// later, and no worker touches anything any more.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "base/task.h"
#include "reactor/shard.h"

namespace asobi {

/// Fixed set of worker threads with one mutex-guarded FIFO; shared by all shards of the node.
class WorkerPool {
 public:
  /// Set (true) by the submitter's side when nobody waits for the result any more; read by
  /// the workers before a job starts. Null = never cancelled.
  using CancelFlag = std::shared_ptr<const std::atomic<bool>>;

  /// Pool size, priority and queue bounds (see the header comment for the skip rules).
  struct Options {
    int threads = 2;
    /// Scheduling niceness (>0 = lower priority than the shards, so a hashing storm yields
    /// the CPU to the reactors).
    int nice = 10;
    /// Jobs waiting at most; Submit refuses past it.
    size_t queue_max = 4096;
    /// A skippable job that waited longer than this is skipped (0 = no bound).
    int64_t queue_wait_max_ms = 0;
    /// Monotonic clock in ms for queue_wait_max_ms (tests inject one); null = MonoMs.
    std::function<int64_t()> clock_ms;
  };

  /// Counters for tests and /metrics; any thread.
  struct Stats {
    std::atomic<uint64_t> run{0};        // jobs run
    std::atomic<uint64_t> refused{0};    // Submit refused (queue full or shut down)
    std::atomic<uint64_t> expired{0};    // skipped: waited past queue_wait_max_ms
    std::atomic<uint64_t> cancelled{0};  // skipped: cancel flag set
    std::atomic<uint64_t> shutdown{0};   // skipped: pool shut down
  };

  /// One unit of work. `work` runs on a worker and posts its own result (Run() does that);
  /// `skipped` (optional) runs on the origin shard instead when the job is dropped.
  struct Job {
    Task work;
    Task skipped;
    CancelFlag cancelled;
  };

  /// Starts `opts.threads` workers at once.
  explicit WorkerPool(const Options& opts);
  /// Starts `threads` workers at niceness `nice`; at most `queue_max` jobs wait, no time bound.
  WorkerPool(int threads, int nice, size_t queue_max)
      : WorkerPool(Options{threads, nice, queue_max, 0, nullptr}) {}
  /// Shutdown().
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  /// Queues `job` for a worker. Returns false (running neither `work` nor `skipped`) when the
  /// queue is full or the pool shut down; callers answer "busy" to their client. Any thread.
  [[nodiscard]] bool Submit(Shard& origin, Job job);
  /// A job that cannot be skipped.
  [[nodiscard]] bool Submit(Shard& origin, Task work) {
    return Submit(origin, Job{std::move(work), Task(), nullptr});
  }

  /// Convenience: `work()` on a worker, then `done(result)` on `origin`; or, when the job is
  /// dropped (see the header comment), `skipped()` on `origin`. Without `skipped` the job is
  /// always run.
  template <typename R>
  [[nodiscard]] bool Run(Shard& origin, std::function<R()> work, std::function<void(R)> done,
                         std::function<void()> skipped = nullptr, CancelFlag cancelled = nullptr) {
    Shard* s = &origin;
    Job job;
    job.work = [s, work = std::move(work), done = std::move(done)]() mutable {
      R result = work();
      s->PostFromAnyThread([done = std::move(done), result = std::move(result)]() mutable {
        done(std::move(result));
      });
    };
    if (skipped) job.skipped = [skipped = std::move(skipped)] { skipped(); };
    job.cancelled = std::move(cancelled);
    return Submit(origin, std::move(job));
  }

  /// Stops taking jobs, skips or runs the queued ones, joins the threads. Idempotent; call
  /// from a thread that is not a worker.
  void Shutdown();

  /// Jobs waiting for a worker (mutex-guarded; any thread), and the run/skip counters.
  size_t queued() const;
  const Stats& stats() const { return stats_; }

 private:
  struct Queued {
    Job job;
    Shard* origin = nullptr;
    int64_t enqueued_ms = 0;
  };
  void Loop(int nice);
  int64_t NowMs() const;
  // Posts `q.skipped` to its origin and counts it under `counter`.
  static void Skip(Queued& q, std::atomic<uint64_t>& counter);

  Options opts_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Queued> jobs_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
  Stats stats_;
};

}  // namespace asobi
