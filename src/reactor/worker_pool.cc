#include "reactor/worker_pool.h"

#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/clock.h"

namespace asobi {

WorkerPool::WorkerPool(const Options& opts) : opts_(opts) {
  for (int i = 0; i < opts_.threads; ++i) {
    threads_.emplace_back([this, nice = opts_.nice] { Loop(nice); });
  }
}

WorkerPool::~WorkerPool() { Shutdown(); }

bool WorkerPool::Submit(Shard& origin, Job job) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_ || jobs_.size() >= opts_.queue_max) {
      stats_.refused.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    jobs_.push_back(Queued{std::move(job), &origin, NowMs()});
  }
  cv_.notify_one();
  return true;
}

void WorkerPool::Shutdown() {
  std::deque<Queued> left;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    // Skippable jobs are answered now; the others stay for the workers to run.
    std::deque<Queued> keep;
    for (Queued& q : jobs_) (q.job.skipped ? left : keep).push_back(std::move(q));
    jobs_.swap(keep);
  }
  for (Queued& q : left) Skip(q, stats_.shutdown);
  cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

int64_t WorkerPool::NowMs() const { return opts_.clock_ms ? opts_.clock_ms() : MonoMs(); }

size_t WorkerPool::queued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return jobs_.size();
}

void WorkerPool::Skip(Queued& q, std::atomic<uint64_t>& counter) {
  counter.fetch_add(1, std::memory_order_relaxed);
  q.origin->PostFromAnyThread(std::move(q.job.skipped));
}

void WorkerPool::Loop(int nice) {
  // Linux applies niceness per thread (tid).
  setpriority(PRIO_PROCESS, pid_t(syscall(SYS_gettid)), nice);
  pthread_setname_np(pthread_self(), "worker");
  for (;;) {
    Queued q;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stop_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stop_ and nothing left to run
      q = std::move(jobs_.front());
      jobs_.pop_front();
    }
    if (q.job.skipped) {
      if (q.job.cancelled && q.job.cancelled->load(std::memory_order_acquire)) {
        Skip(q, stats_.cancelled);
        continue;
      }
      if (opts_.queue_wait_max_ms > 0 && NowMs() - q.enqueued_ms > opts_.queue_wait_max_ms) {
        Skip(q, stats_.expired);
        continue;
      }
    }
    stats_.run.fetch_add(1, std::memory_order_relaxed);
    q.job.work();
  }
}

}  // namespace asobi
