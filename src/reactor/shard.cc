#include "reactor/shard.h"

#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include "base/log.h"

namespace asobi {
namespace {
thread_local Shard* t_current = nullptr;
}

Shard::Shard(ShardSet* set, int id, const Reactor::Options& opts, size_t mailbox_capacity,
             size_t mailbox_initial_capacity)
    : set_(set),
      id_(id),
      reactor_(opts),
      mailbox_capacity_(mailbox_capacity),
      mailbox_initial_capacity_(mailbox_initial_capacity) {}

Shard::~Shard() {
  for (size_t i = 0; i < inbox_size_; ++i) delete inbox_[i].load(std::memory_order_acquire);
}

Shard* Shard::Current() { return t_current; }

SpscRing<Task>* Shard::OutboxTo(Shard& target) {
  std::atomic<SpscRing<Task>*>& slot = target.inbox_[size_t(id_)];
  // Only this shard (the single producer) ever stores the pointer, so a relaxed load of our
  // own earlier store is enough here.
  SpscRing<Task>* ring = slot.load(std::memory_order_relaxed);
  if (ring == nullptr) {
    ring = new SpscRing<Task>(mailbox_capacity_, mailbox_initial_capacity_);
    // Release: the ring's construction happens-before the consumer's acquire load of the
    // pointer. Values pushed afterwards are published by the ring's own tail stores.
    slot.store(ring, std::memory_order_release);
  }
  return ring;
}

size_t Shard::inbox_count() const {
  size_t n = 0;
  for (size_t i = 0; i < inbox_size_; ++i)
    n += inbox_[i].load(std::memory_order_acquire) != nullptr;
  return n;
}

size_t Shard::mailbox_slots_to(int to) const {
  const Shard& target = set_->shard(to);
  SpscRing<Task>* ring = target.inbox_[size_t(id_)].load(std::memory_order_relaxed);
  return ring ? ring->allocated_slots() : 0;
}

bool Shard::SubmitTo(int to, Task fn) {
  if (to == id_) {
    reactor_.Post(std::move(fn));
    return true;
  }
  Shard& target = set_->shard(to);
  if (!OutboxTo(target)->TryPush(fn)) {
    metrics_.mailbox_full.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  target.reactor_.Wake();
  return true;
}

void Shard::SubmitReplyTo(int to, Task fn) {
  if (to == id_) {
    reactor_.Post(std::move(fn));
    return;
  }
  Shard& target = set_->shard(to);
  if (OutboxTo(target)->TryPush(fn)) {
    target.reactor_.Wake();
    return;
  }
  metrics_.mailbox_overflow_posts.fetch_add(1, std::memory_order_relaxed);
  target.PostFromAnyThread(std::move(fn));
}

void Shard::PostFromAnyThread(Task fn) {
  {
    std::lock_guard<std::mutex> lock(foreign_mu_);
    foreign_.push_back(std::move(fn));
  }
  has_foreign_.store(true, std::memory_order_seq_cst);
  reactor_.Wake();
}

bool Shard::DrainInboxes() {
  bool any = false;
  Task t;
  for (size_t from = 0; from < inbox_size_; ++from) {
    SpscRing<Task>* ring = inbox_[from].load(std::memory_order_acquire);
    if (ring == nullptr) continue;
    // Bounded per turn so one busy producer cannot starve the loop.
    for (int i = 0; i < 4096 && ring->TryPop(t); ++i) {
      any = true;
      t();
      t = Task();
    }
  }
  if (has_foreign_.load(std::memory_order_seq_cst)) {
    std::vector<Task> batch;
    {
      std::lock_guard<std::mutex> lock(foreign_mu_);
      batch.swap(foreign_);
      has_foreign_.store(false, std::memory_order_relaxed);
    }
    for (auto& f : batch) f();
    any = any || !batch.empty();
  }
  return any;
}

ShardSet::ShardSet(const Options& opts) : pin_(opts.pin_threads) {
  for (int i = 0; i < opts.shards; ++i) {
    shards_.push_back(std::make_unique<Shard>(this, i, opts.reactor, opts.mailbox_capacity,
                                              opts.mailbox_initial_capacity));
  }
  for (auto& s : shards_) {
    s->inbox_size_ = size_t(opts.shards);
    s->inbox_ = std::make_unique<std::atomic<SpscRing<Task>*>[]>(s->inbox_size_);
    for (size_t from = 0; from < s->inbox_size_; ++from) {
      s->inbox_[from].store(nullptr, std::memory_order_relaxed);
    }
    Shard* sp = s.get();
    s->reactor_.SetInboxDrain([sp] { return sp->DrainInboxes(); });
  }
}

ShardSet::~ShardSet() {
  Stop();
  Join();
}

void ShardSet::Start(std::function<void(Shard&)> init) {
  long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
  for (auto& s : shards_) {
    Shard* sp = s.get();
    threads_.emplace_back([this, sp, init, ncpu] {
      t_current = sp;
      SetCurrentShardId(sp->id());
      if (pthread_getcpuclockid(pthread_self(), &sp->cpu_clock_) == 0) {
        sp->cpu_clock_ready_.store(true, std::memory_order_release);
      }
      if (pin_ && ncpu > 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(sp->id() % ncpu, &set);
        pthread_setaffinity_np(pthread_self(), sizeof set, &set);
      }
      sp->reactor().AttachToThread();
      char name[16];
      snprintf(name, sizeof name, "shard-%d", sp->id());
      pthread_setname_np(pthread_self(), name);
      init(*sp);
      sp->reactor().Run();
      sp->cpu_clock_ready_.store(false, std::memory_order_release);
      t_current = nullptr;
    });
  }
}

void ShardSet::Stop() {
  for (auto& s : shards_) s->reactor().Stop();
}

void ShardSet::Join() {
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

double Shard::ThreadCpuSeconds() const {
  if (!cpu_clock_ready_.load(std::memory_order_acquire)) return -1;
  timespec ts;
  if (clock_gettime(cpu_clock_, &ts) != 0) return -1;  // the thread ended meanwhile
  return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

}  // namespace asobi
