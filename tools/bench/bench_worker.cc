#include "bench_worker.h"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <cmath>

#include "base/clock.h"

namespace asobi::bench {
namespace {

constexpr int64_t kNsPerMs = 1000000;
constexpr int64_t kIdleCheckNs = 10 * kNsPerMs;
constexpr uint32_t kRecvBufferBytes = 4096;
constexpr int64_t kMaxTickNs = 50 * kNsPerMs;

uint32_t RecvBufferCount(uint32_t n_conns) {
  uint32_t want = std::clamp<uint32_t>(n_conns * 2, 256, 32768);
  uint32_t p = 1;
  while (p < want) p <<= 1;
  return p;
}

}  // namespace

Worker::Worker(const Plan& plan, RunControl* control, int index, uint32_t first_conn,
               uint32_t n_conns)
    : plan_(plan), control_(control), index_(index), first_conn_(first_conn), n_conns_(n_conns) {}

Worker::~Worker() = default;

void Worker::PinThread() {
  const std::vector<int>& cpus = plan_.opts.cpus;
  if (cpus.empty()) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpus[size_t(index_) % cpus.size()], &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

void Worker::Run() {
  PinThread();
  {
    Reactor reactor(Reactor::Options{});
    reactor.AttachToThread();
    reactor_ = &reactor;
    BufferRing ring(reactor, 0, RecvBufferCount(n_conns_), kRecvBufferBytes);
    buffers_ = &ring;
    conns_.reserve(n_conns_);
    for (uint32_t i = 0; i < n_conns_; ++i) {
      uint32_t global = first_conn_ + i;
      const std::string* token =
          plan_.tokens.empty() ? nullptr : &plan_.tokens[global % plan_.tokens.size()];
      conns_.push_back(std::make_unique<BenchConn>(this, global, token));
    }
    if (n_conns_ == 0) waves_done_ = true;
    reactor.Post([this] { StartWave(); });
    reactor.AddTimer(1, [this] { ControlTick(); });
    reactor.Run();
    // Normal exit: every connection is released. After a forced stop some sockets may
    // still have operations in flight; their fds close with the connections below.
    conns_.clear();
    ready_.clear();
    buffers_ = nullptr;
  }
  reactor_ = nullptr;
  if (!load_signalled_) control_->Bump(&control_->loaded_workers);
  control_->Bump(&control_->exited_workers);
}

void Worker::StartWave() {
  if (phase_ != Phase::kConnecting) return;
  const Options& o = plan_.opts;
  uint32_t share =
      uint32_t((uint64_t(o.wave_size) + uint64_t(o.threads) - 1) / uint64_t(o.threads));
  if (share == 0) share = 1;
  for (uint32_t i = 0; i < share && started_ < n_conns_; ++i) conns_[started_++]->Start();
  if (started_ < n_conns_) {
    reactor_->AddTimer(o.wave_interval_ms, [this] { StartWave(); });
    return;
  }
  waves_done_ = true;
  connect_deadline_ns_ = MonoNs() + int64_t(o.connect_timeout_ms) * kNsPerMs;
}

void Worker::OnSettled(BenchConn* conn, bool ok) {
  ++settled_;
  if (ok) {
    ++stats_.c.connected;
    ready_.push_back(conn);
  }
}

void Worker::OnReleased(BenchConn*) { ++released_; }

void Worker::OnQueued(int64_t sched_ns, int64_t now_ns, bool in_window) {
  ++stats_.c.total_sent;
  if (in_window) ++stats_.c.sent;
  if (plan_.opts.mode == Mode::kOpen && in_window) {
    stats_.send_lag_us.Record(now_ns > sched_ns ? uint64_t(now_ns - sched_ns) / 1000 : 0);
  }
}

void Worker::OnReply(int64_t sched_ns, bool in_window, int64_t now_ns, bool is_error) {
  Counters& c = stats_.c;
  ++c.total_replies;
  if (is_error) ++c.total_errors;
  if (InWindow(now_ns)) ++c.replies_in_window;
  if (now_ns > c.last_reply_ns) c.last_reply_ns = now_ns;
  if (!in_window) return;
  if (is_error) {
    ++c.errors;
    return;
  }
  ++c.replies;
  stats_.latency_us.Record(now_ns > sched_ns ? uint64_t(now_ns - sched_ns) / 1000 : 0);
}

void Worker::OnUnmatchedError() {
  ++stats_.c.total_errors;
  ++stats_.c.strays;
}

void Worker::ControlTick() {
  int64_t now = MonoNs();
  if (control_->abort.load(std::memory_order_relaxed) && phase_ < Phase::kClosing) {
    FinishLoad();
    EnterClosing(now);
    for (auto& c : conns_) c->ForceShutdown();
    forced_ = true;
    close_deadline_ns_ = now + 1000 * kNsPerMs;
  }
  switch (phase_) {
    case Phase::kConnecting:
      TickConnecting(now);
      break;
    case Phase::kWaitStart: {
      int64_t start = control_->start_ns.load(std::memory_order_acquire);
      if (start != 0 && now >= start) BeginLoad(start);
      break;
    }
    case Phase::kLoad:
      TickLoad(now);
      break;
    case Phase::kDrain:
      TickDrain(now);
      break;
    case Phase::kClosing:
      TickClosing(now);
      break;
    case Phase::kDone:
      return;
  }
  if (phase_ != Phase::kDone) reactor_->AddTimer(1, [this] { ControlTick(); });
}

void Worker::TickConnecting(int64_t now) {
  if (waves_done_ && settled_ < n_conns_ && now >= connect_deadline_ns_) {
    for (auto& c : conns_) {
      if (!c->settled()) c->ForceShutdown();
    }
  }
  if (!waves_done_ || settled_ < n_conns_) return;
  phase_ = Phase::kWaitStart;
  {
    std::lock_guard<std::mutex> lock(control_->mu);
    control_->ready_per_worker[size_t(index_)] = ready_.size();
  }
  control_->Bump(&control_->connected_workers);
}

void Worker::BeginLoad(int64_t start_ns) {
  const Options& o = plan_.opts;
  start_ns_ = start_ns;
  phase_ = Phase::kLoad;
  if (o.mode == Mode::kBlast) {
    window_start_ns_ = start_ns;
    window_end_ns_ = INT64_MAX;
    load_deadline_ns_ = start_ns + int64_t(o.duration_s * 1e9);
  } else {
    window_start_ns_ = start_ns + int64_t(o.warmup_s * 1e9);
    window_end_ns_ = window_start_ns_ + int64_t(o.duration_s * 1e9);
  }
  int64_t now = MonoNs();
  switch (o.mode) {
    case Mode::kRtt:
      break;
    case Mode::kBlast:
      for (BenchConn* c : ready_) c->SetBlastCount(o.count);
      break;
    case Mode::kOpen: {
      double rate = control_->worker_rate[size_t(index_)];
      period_ns_ = rate > 0 ? 1e9 / rate : 1e18;
      for (uint32_t j = 0; j < ready_.size(); ++j) ready_[j]->SetScheduleSlot(j);
      ArmOpenTick(NextTickDelayNs(now));
      return;
    }
  }
  for (BenchConn* c : ready_) c->Pump(now);
}

void Worker::ArmOpenTick(int64_t delay_ns) {
  if (tick_armed_) return;
  tick_ts_.tv_sec = delay_ns / 1000000000;
  tick_ts_.tv_nsec = delay_ns % 1000000000;
  io_uring_sqe* sqe = reactor_->GetSqe(&tick_c_);
  io_uring_prep_timeout(sqe, &tick_ts_, 0, 0);
  tick_armed_ = true;
}

// Sleep until the next message is due, but at least one tick (so high rates are batched) and
// at most kMaxTickNs (so a very low rate still notices the end of the window promptly).
int64_t Worker::NextTickDelayNs(int64_t now) const {
  int64_t tick_ns = int64_t(plan_.opts.tick_us) * 1000;
  int64_t next = start_ns_ + int64_t(double(next_g_) * period_ns_);
  return std::clamp(next - now, tick_ns, std::max(tick_ns, kMaxTickNs));
}

// Open loop: make every message whose scheduled time has come due on its connection.
// Message g of this worker is scheduled at start + g * period and belongs to connection
// g % n, so each connection sends every n * period with its own phase.
void Worker::OnOpenTick() {
  tick_armed_ = false;
  if (phase_ != Phase::kLoad || ready_.empty()) return;
  int64_t now = MonoNs();
  int64_t until = std::min(now, window_end_ns_ - 1);
  if (until >= start_ns_) {
    uint64_t g_end = uint64_t(double(until - start_ns_) / period_ns_) + 1;
    size_t n = ready_.size();
    for (; next_g_ < g_end; ++next_g_) {
      int64_t sched = start_ns_ + int64_t(double(next_g_) * period_ns_);
      if (sched >= window_end_ns_) break;
      if (InWindow(sched)) ++stats_.c.scheduled;
      BenchConn* c = ready_[next_g_ % n];
      c->AddDue();
      c->Pump(now);
    }
  }
  ArmOpenTick(NextTickDelayNs(MonoNs()));
}

void Worker::TickLoad(int64_t now) {
  const Options& o = plan_.opts;
  if (o.mode != Mode::kBlast) {
    if (now < window_end_ns_) return;
    phase_ = Phase::kDrain;
    drain_deadline_ns_ = now + int64_t(o.drain_timeout_ms) * kNsPerMs;
    TickDrain(now);
    return;
  }
  if (now - last_idle_check_ns_ < kIdleCheckNs && now < load_deadline_ns_) return;
  last_idle_check_ns_ = now;
  if (!AllIdle() && now < load_deadline_ns_) return;
  FinishLoad();
  EnterClosing(now);
}

void Worker::TickDrain(int64_t now) {
  if (now - last_idle_check_ns_ < kIdleCheckNs && now < drain_deadline_ns_) return;
  last_idle_check_ns_ = now;
  if (!AllIdle() && now < drain_deadline_ns_) return;
  FinishLoad();
  EnterClosing(now);
}

void Worker::FinishLoad() {
  if (load_signalled_) return;
  load_signalled_ = true;
  control_->Bump(&control_->loaded_workers);
}

bool Worker::AllIdle() const {
  for (const BenchConn* c : ready_) {
    if (!c->Idle()) return false;
  }
  return true;
}

void Worker::EnterClosing(int64_t now) {
  if (phase_ >= Phase::kClosing) return;
  phase_ = Phase::kClosing;
  close_deadline_ns_ = now + int64_t(plan_.opts.close_timeout_ms) * kNsPerMs;
  for (auto& c : conns_) c->BeginClose();
}

void Worker::TickClosing(int64_t now) {
  if (released_ == n_conns_ && !tick_armed_) {
    phase_ = Phase::kDone;
    reactor_->Stop();
    return;
  }
  if (now < close_deadline_ns_) return;
  if (!forced_) {
    forced_ = true;
    for (auto& c : conns_) c->ForceShutdown();
    close_deadline_ns_ = now + 1000 * kNsPerMs;
    return;
  }
  phase_ = Phase::kDone;  // give up on stuck operations
  reactor_->Stop();
}

}  // namespace asobi::bench
