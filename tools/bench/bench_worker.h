// Worker: one client thread of asobi-bench with its own Reactor and buffer ring, driving a
// share of the connections through the phases connect → wait for start → load → drain →
// close. The main thread sequences phases through RunControl (bench_plan.h).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "bench_conn.h"
#include "bench_plan.h"
#include "bench_stats.h"
#include "reactor/buffer_ring.h"
#include "reactor/completion.h"
#include "reactor/reactor.h"

namespace asobi::bench {

class Worker {
 public:
  enum class Phase { kConnecting, kWaitStart, kLoad, kDrain, kClosing, kDone };

  /// `plan` and `control` must outlive the worker. The worker owns connections
  /// [first_conn, first_conn + n_conns) of the run (token = first_conn + i, round-robin).
  Worker(const Plan& plan, RunControl* control, int index, uint32_t first_conn, uint32_t n_conns);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  /// Thread body: pins the thread (--cpu), builds the reactor, runs all phases, returns when
  /// every connection is closed or the close deadline passed. Bumps control->exited_workers.
  void Run();
  /// Valid after Run() returned (read by the main thread after join).
  const WorkerStats& stats() const { return stats_; }

  // Used by BenchConn on this worker's thread.
  Reactor& reactor() { return *reactor_; }
  BufferRing& buffers() { return *buffers_; }
  const Plan& plan() const { return plan_; }
  Phase phase() const { return phase_; }
  WorkerStats& mutable_stats() { return stats_; }
  bool InWindow(int64_t t_ns) const { return t_ns >= window_start_ns_ && t_ns < window_end_ns_; }
  /// Open mode: scheduled send time of message `k` of the connection in schedule slot `j`.
  int64_t SchedNs(uint32_t j, uint64_t k) const {
    return start_ns_ + int64_t(double(k * ready_.size() + j) * period_ns_);
  }
  int64_t window_end_ns() const { return window_end_ns_; }
  void OnSettled(BenchConn* conn, bool ok);
  void OnReleased(BenchConn* conn);
  void OnQueued(int64_t sched_ns, int64_t now_ns, bool in_window);
  void OnReply(int64_t sched_ns, bool in_window, int64_t now_ns, bool is_error);
  /// An error frame without a cid arrived and nothing was outstanding to charge it to.
  void OnUnmatchedError();

 private:
  class TickCompletion final : public Completion {
   public:
    explicit TickCompletion(Worker* w) : w_(w) {}
    void OnComplete(int32_t, uint32_t) override { w_->OnOpenTick(); }

   private:
    Worker* w_;
  };

  void PinThread();
  void StartWave();
  void ControlTick();
  void TickConnecting(int64_t now);
  void BeginLoad(int64_t start_ns);
  void TickLoad(int64_t now);
  void TickDrain(int64_t now);
  void TickClosing(int64_t now);
  void EnterClosing(int64_t now);
  void FinishLoad();
  bool AllIdle() const;
  void ArmOpenTick(int64_t delay_ns);
  int64_t NextTickDelayNs(int64_t now) const;
  void OnOpenTick();

  const Plan& plan_;
  RunControl* control_;
  int index_;
  uint32_t first_conn_;
  uint32_t n_conns_;
  Reactor* reactor_ = nullptr;
  BufferRing* buffers_ = nullptr;
  std::vector<std::unique_ptr<BenchConn>> conns_;
  std::vector<BenchConn*> ready_;
  WorkerStats stats_;
  Phase phase_ = Phase::kConnecting;
  uint32_t started_ = 0;
  uint32_t settled_ = 0;
  uint32_t released_ = 0;
  bool waves_done_ = false;
  bool forced_ = false;
  bool load_signalled_ = false;
  int64_t connect_deadline_ns_ = 0;
  int64_t start_ns_ = 0;
  int64_t window_start_ns_ = 0;
  int64_t window_end_ns_ = INT64_MAX;
  int64_t load_deadline_ns_ = 0;  // blast: time limit
  int64_t drain_deadline_ns_ = 0;
  int64_t close_deadline_ns_ = 0;
  int64_t last_idle_check_ns_ = 0;
  // Open-loop scheduler.
  double period_ns_ = 0;  // between consecutive messages of this worker
  uint64_t next_g_ = 0;   // next global schedule index
  bool tick_armed_ = false;
  __kernel_timespec tick_ts_{};
  TickCompletion tick_c_{this};
};

}  // namespace asobi::bench
