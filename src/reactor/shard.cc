#include "reactor/shard.h"

#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include "base/log.h"

namespace asobi {
namespace {
thread_local Shard* t_current = nullptr;
}

Shard::Shard(ShardSet* set, int id, const Reactor::Options& opts, size_t mailbox_capacity)
    : set_(set), id_(id), reactor_(opts) {
  (void)mailbox_capacity;
}

Shard* Shard::Current() { return t_current; }

bool Shard::SubmitTo(int to, Task fn) {
  if (to == id_) {
    reactor_.Post(std::move(fn));
    return true;
  }
  Shard& target = set_->shard(to);
  if (!target.inbox_[size_t(id_)]->TryPush(fn)) {
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
  if (target.inbox_[size_t(id_)]->TryPush(fn)) {
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
  for (auto& ring : inbox_) {
    if (!ring) continue;
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
    shards_.push_back(std::make_unique<Shard>(this, i, opts.reactor, opts.mailbox_capacity));
  }
  for (auto& s : shards_) {
    s->inbox_.resize(size_t(opts.shards));
    for (int from = 0; from < opts.shards; ++from) {
      if (from != s->id_) {
        s->inbox_[size_t(from)] = std::make_unique<SpscRing<Task>>(opts.mailbox_capacity);
      }
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

}  // namespace asobi
