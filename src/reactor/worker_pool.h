// WorkerPool: a few threads for blocking or CPU-heavy work (password hashing, file reads) that
// must never run on a reactor thread (ARCHITECTURE.md "Shards"). Results return to the
// submitting shard through Shard::PostFromAnyThread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "base/task.h"
#include "reactor/shard.h"

namespace asobi {

class WorkerPool {
 public:
  /// Starts `threads` workers at scheduling niceness `nice` (>0 = lower priority than the
  /// shards, so a hashing storm yields the CPU to the reactors). At most `queue_max` jobs wait.
  WorkerPool(int threads, int nice, size_t queue_max);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  /// Runs `work` on a worker, then `done` on `origin`'s thread. Returns false (running
  /// neither) when the queue is full; callers answer "busy" to their client. Any thread.
  [[nodiscard]] bool Submit(Shard& origin, Task work_then_post);

  /// Convenience: `work()` on a worker, `done(result)` back on `origin`.
  template <typename R>
  [[nodiscard]] bool Run(Shard& origin, std::function<R()> work, std::function<void(R)> done) {
    Shard* s = &origin;
    return Submit(origin, [s, work = std::move(work), done = std::move(done)]() mutable {
      R result = work();
      s->PostFromAnyThread([done = std::move(done), result = std::move(result)]() mutable {
        done(std::move(result));
      });
    });
  }

  size_t queued() const;

 private:
  void Loop(int nice);

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Task> jobs_;
  size_t queue_max_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace asobi
