#include "reactor/reactor.h"

#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>

#include "base/check.h"
#include "base/clock.h"
#include "base/log.h"

namespace asobi {

TurnFlush::~TurnFlush() {
  if (flush_queued_ && flush_reactor_ != nullptr) flush_reactor_->RemoveFlush(this);
}

Reactor::Reactor(const Options& opts) : wheel_(MonoMs()) {
  io_uring_params p{};
  // Created disabled: SINGLE_ISSUER binds the ring to the task that enables it, which is the
  // shard thread (AttachToThread), not the thread constructing the ShardSet.
  p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_COOP_TASKRUN |
            IORING_SETUP_CQSIZE | IORING_SETUP_SUBMIT_ALL | IORING_SETUP_R_DISABLED;
  p.cq_entries = opts.sq_entries * 4;
  int r = io_uring_queue_init_params(opts.sq_entries, &ring_, &p);
  if (r < 0) {
    // Older kernels: fall back to a plain ring (still correct, just less batched).
    p = io_uring_params{};
    p.flags = IORING_SETUP_CQSIZE;
    p.cq_entries = opts.sq_entries * 4;
    r = io_uring_queue_init_params(opts.sq_entries, &ring_, &p);
  }
  if (r < 0) {
    LOG_ERROR("io_uring_queue_init failed").KV("error", std::strerror(-r));
    CHECK(r >= 0);
  }
  disabled_ = (p.flags & IORING_SETUP_R_DISABLED) != 0;
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  CHECK(wake_fd_ >= 0);
  now_ms_ = MonoMs();
}

void Reactor::AttachToThread() {
  if (!disabled_) return;
  // liburing 2.3 declares io_uring_enable_rings but does not export it: use the syscall.
  int r =
      int(syscall(__NR_io_uring_register, ring_.ring_fd, IORING_REGISTER_ENABLE_RINGS, nullptr, 0));
  if (r < 0) r = -errno;
  if (r < 0) LOG_ERROR("io_uring_enable_rings failed").KV("error", std::strerror(-r));
  CHECK(r >= 0);
  disabled_ = false;
}

Reactor::~Reactor() {
  // Objects still queued for a flush outlive us: make their destructors leave us alone.
  for (std::vector<TurnFlush*>* list : {&flushes_, &flush_batch_}) {
    for (TurnFlush* f : *list) {
      if (f != nullptr) {
        f->flush_queued_ = false;
        f->flush_reactor_ = nullptr;
      }
    }
  }
  io_uring_queue_exit(&ring_);
  if (wake_fd_ >= 0) close(wake_fd_);
}

io_uring_sqe* Reactor::GetSqe() {
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  while (sqe == nullptr) {
    io_uring_submit(&ring_);
    sqe = io_uring_get_sqe(&ring_);
  }
  return sqe;
}

void Reactor::Stop() {
  stop_.store(true, std::memory_order_seq_cst);
  Wake();
}

void Reactor::Wake() {
  // Dekker-style handshake with Run(): the caller published work with a store (a mailbox's
  // release store of its tail, or the overflow flag) and now loads sleeping_; Run() stores
  // sleeping_ = true and then loads the mailboxes. Each side needs a full fence between its
  // store and its load: without one, the store can still sit in this core's store buffer
  // when the load executes (x86 lets a later load pass an earlier store to another address;
  // a release store orders only earlier accesses), so both sides read the old values: we
  // see "awake", the loop sees "empty", and the message waits for the loop's 1 s timeout.
  // That was issue 10 defect 6 (4 stalls of exactly 1,000 ms in 9M messages).
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (sleeping_.load(std::memory_order_relaxed) && sleeping_.exchange(false)) {
    uint64_t one = 1;
    ssize_t n = write(wake_fd_, &one, sizeof one);
    (void)n;
  }
}

Reactor::TimerId Reactor::AddTimer(int64_t delay_ms, Task fn) {
  if (delay_ms < 0) delay_ms = 0;
  TimerId id = next_timer_id_++;
  timer_heap_.push_back(TimerEntry{MonoMs() + delay_ms, id});
  std::push_heap(timer_heap_.begin(), timer_heap_.end(), std::greater<>());
  timers_.emplace(id, std::move(fn));
  return id;
}

bool Reactor::CancelTimer(TimerId id) {
  if (timers_.erase(id) == 0) return false;
  // The heap entry stays until it reaches the top or the heap is compacted: rebuilding when
  // more than half of it is dead keeps it within 2x the live timers, O(1) amortised.
  ++cancelled_in_heap_;
  if (cancelled_in_heap_ > kHeapSlack && cancelled_in_heap_ * 2 > timer_heap_.size()) {
    CompactTimerHeap();
  }
  return true;
}

void Reactor::CompactTimerHeap() {
  std::erase_if(timer_heap_, [this](const TimerEntry& e) { return !timers_.count(e.id); });
  std::make_heap(timer_heap_.begin(), timer_heap_.end(), std::greater<>());
  cancelled_in_heap_ = 0;
}

void Reactor::PopTimer() {
  std::pop_heap(timer_heap_.begin(), timer_heap_.end(), std::greater<>());
  timer_heap_.pop_back();
}

void Reactor::Post(Task fn) { posted_.push_back(std::move(fn)); }

void Reactor::RequestFlush(TurnFlush* f) {
  if (f->flush_queued_) return;
  f->flush_queued_ = true;
  f->flush_reactor_ = this;
  flushes_.push_back(f);
}

void Reactor::RemoveFlush(TurnFlush* f) {
  f->flush_queued_ = false;
  std::replace(flushes_.begin(), flushes_.end(), f, static_cast<TurnFlush*>(nullptr));
  std::replace(flush_batch_.begin(), flush_batch_.end(), f, static_cast<TurnFlush*>(nullptr));
}

void Reactor::RunTimers() {
  while (!timer_heap_.empty() && timer_heap_.front().deadline_ms <= now_ms_) {
    TimerId id = timer_heap_.front().id;
    PopTimer();
    auto it = timers_.find(id);
    if (it == timers_.end()) {  // cancelled
      --cancelled_in_heap_;
      continue;
    }
    Task fn = std::move(it->second);
    timers_.erase(it);
    fn();
  }
  // Drop cancelled entries at the top so NextTimeoutMs stays accurate.
  while (!timer_heap_.empty() && !timers_.count(timer_heap_.front().id)) {
    PopTimer();
    --cancelled_in_heap_;
  }
  wheel_.Advance(now_ms_);
}

void Reactor::RunPosted() {
  // Tasks posted while running go to the next turn.
  std::vector<Task> batch;
  batch.swap(posted_);
  for (auto& t : batch) t();
}

void Reactor::RunFlushes() {
  // A flush may queue further flushes (e.g. a send completion path); loop until stable.
  // Entries are read by index: RemoveFlush nulls the entry of an object destroyed meanwhile.
  for (int rounds = 0; !flushes_.empty() && rounds < 4; ++rounds) {
    flush_batch_.swap(flushes_);
    for (size_t i = 0; i < flush_batch_.size(); ++i) {
      TurnFlush* f = flush_batch_[i];
      if (f == nullptr) continue;
      f->flush_queued_ = false;
      f->FlushTurn();  // may destroy f
    }
    flush_batch_.clear();
  }
}

int64_t Reactor::NextTimeoutMs() const {
  if (!posted_.empty() || !flushes_.empty()) return 0;
  int64_t next = -1;
  if (!timer_heap_.empty()) next = timer_heap_.front().deadline_ms;
  int64_t wheel_next = wheel_.NextDueMs();
  if (wheel_next >= 0 && (next < 0 || wheel_next < next)) next = wheel_next;
  if (next < 0) return 1000;
  int64_t d = next - MonoMs();
  return d < 0 ? 0 : (d > 1000 ? 1000 : d);
}

void Reactor::ArmWakeRead() {
  io_uring_sqe* sqe = GetSqe(&wake_completion_);
  io_uring_prep_read(sqe, wake_fd_, &wake_buf_, sizeof wake_buf_, 0);
}

void Reactor::OnWake(int32_t res, uint32_t) {
  (void)res;
  if (!stopping()) ArmWakeRead();
}

void Reactor::RunTurnWork() {
  RunPosted();
  if (inbox_drain_) inbox_drain_();
  RunTimers();
  RunFlushes();
}

void Reactor::RunTurnAt(int64_t now_ms) {
  if (now_ms > now_ms_) now_ms_ = now_ms;
  RunTurnWork();
}

void Reactor::Run() {
  AttachToThread();
  ArmWakeRead();
  io_uring_cqe* cqes[256];
  while (!stopping()) {
    int64_t turn_start_ns = MonoNs();
    now_ms_ = turn_start_ns / 1000000;
    RunTurnWork();
    turn_latency_us_.Record(uint64_t(MonoNs() - turn_start_ns) / 1000);

    int64_t timeout_ms = NextTimeoutMs();
    if (timeout_ms > 0) {
      sleeping_.store(true, std::memory_order_relaxed);
      // Re-check cross-thread work after announcing sleep. The fence pairs with the one in
      // Wake(): our store of sleeping_ is visible before we load the mailboxes, so either
      // this drain sees the producer's message or the producer sees sleeping_ and writes
      // the eventfd (see Wake()).
      std::atomic_thread_fence(std::memory_order_seq_cst);
      if (inbox_drain_ && inbox_drain_()) timeout_ms = 0;
      if (stopping()) break;
    }
    __kernel_timespec ts{};
    ts.tv_sec = timeout_ms / 1000;
    ts.tv_nsec = (timeout_ms % 1000) * 1000000;
    io_uring_cqe* first = nullptr;
    int r = io_uring_submit_and_wait_timeout(&ring_, &first, 1, &ts, nullptr);
    sleeping_.store(false, std::memory_order_relaxed);
    if (r < 0 && r != -ETIME && r != -EINTR && r != -EBUSY && r != -EAGAIN) {
      LOG_ERROR("io_uring wait failed").KV("error", std::strerror(-r));
    }
    int64_t cqe_start_ns = MonoNs();
    now_ms_ = cqe_start_ns / 1000000;
    for (;;) {
      unsigned n = io_uring_peek_batch_cqe(&ring_, cqes, 256);
      if (n == 0) break;
      for (unsigned i = 0; i < n; ++i) {
        auto* c = static_cast<Completion*>(io_uring_cqe_get_data(cqes[i]));
        int32_t res = cqes[i]->res;
        uint32_t flags = cqes[i]->flags;
        io_uring_cqe_seen(&ring_, cqes[i]);
        if (c != nullptr) c->OnComplete(res, flags);
      }
    }
    turn_latency_us_.Record(uint64_t(MonoNs() - cqe_start_ns) / 1000);
  }
}

}  // namespace asobi
