// Shard and ShardSet: one thread per core, each with its own Reactor, talking to the others
// only through bounded SPSC mailboxes (one per ordered pair of shards). A mailbox is created
// by its producer on the first submission and starts small (mailbox_initial_capacity),
// growing up to mailbox_capacity, so idle pairs cost nothing and quiet ones little.
//
// Lifetime rules for SubmitTo (after Seastar's submit_to): the Task is moved into the
// mailbox and destroyed on the target shard after it ran. Anything it captures by pointer
// or reference must be owned by the target shard or outlive the ShardSet; capture by value
// (SharedBuffer, ids, strings) to send data.
#pragma once

#include <time.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "base/task.h"
#include "reactor/reactor.h"
#include "reactor/spsc_ring.h"

namespace asobi {

class ShardSet;

/// Per-shard counters, written by the owning shard, read by /metrics from any shard.
struct ShardMetrics {
  std::atomic<int64_t> connections{0};
  std::atomic<int64_t> ws_sessions{0};
  std::atomic<uint64_t> frames_in{0};
  std::atomic<uint64_t> frames_out{0};
  std::atomic<uint64_t> bytes_in{0};
  std::atomic<uint64_t> bytes_out{0};
  std::atomic<uint64_t> http_requests{0};
  std::atomic<uint64_t> mailbox_full{0};
  std::atomic<uint64_t> mailbox_overflow_posts{0};  // SubmitReplyTo calls past a full mailbox
  std::atomic<uint64_t> send_overflow_closes{0};
  std::atomic<uint64_t> conn_refused_per_ip{0};  // accepts refused: per-IP cap reached
  std::atomic<uint64_t> conn_refused_node{0};    // accepts refused: node-wide cap reached
  std::atomic<uint64_t> force_closes{0};         // closing connections cut after close_timeout_ms
};

/// One core's thread state: its Reactor, its inbound mailboxes and its metrics. Owned by
/// ShardSet; shards are numbered 0..size()-1 and never move.
class Shard {
 public:
  /// Made by ShardSet (on the main thread): creates the Reactor; mailboxes come later.
  Shard(ShardSet* set, int id, const Reactor::Options& opts, size_t mailbox_capacity,
        size_t mailbox_initial_capacity);
  ~Shard();

  /// Accessors: shard number, its reactor (owning thread only) and set, and its metrics
  /// counters (any thread may read them).
  int id() const { return id_; }
  Reactor& reactor() { return reactor_; }
  ShardSet& set() { return *set_; }
  ShardMetrics& metrics() { return metrics_; }

  /// Runs `fn` on shard `to` (on this shard too: then it is posted to the next turn).
  /// Must be called on this shard's thread. Returns false, leaving `fn` unrun, when the
  /// mailbox to `to` is full (capacity per ordered pair: mailbox_capacity); the caller
  /// decides what a full mailbox means (drop a frame, fail a request).
  [[nodiscard]] bool SubmitTo(int to, Task fn);

  /// Like SubmitTo, but cannot fail: when the mailbox to `to` is full, `fn` takes the
  /// target's mutex-guarded overflow queue instead (counted in mailbox_overflow_posts). For
  /// messages that must never be lost and whose number is bounded by work already admitted:
  /// replies to requests, cancellations, cache evictions, directory updates. Not for
  /// fan-out or client-driven traffic (use SubmitTo and decide what a full mailbox means).
  /// Must be called on this shard's thread. Order relative to SubmitTo is kept only while
  /// the mailbox is not full.
  void SubmitReplyTo(int to, Task fn);

  /// Runs `fn` on this shard from any thread (worker pools). Mutex-guarded, not for hot
  /// paths; unbounded by design only in the sense that workers are few and bounded.
  void PostFromAnyThread(Task fn);

  /// The shard whose thread is calling, or null off-shard.
  static Shard* Current();

  /// CPU time (user + system) this shard's thread has used, in seconds, read through the
  /// thread's CPU clock. Any thread, while the shard's thread runs; -1 before it started or
  /// after it ended. /metrics reports it as asobi_shard_cpu_seconds_total.
  double ThreadCpuSeconds() const;

  /// Mailboxes into this shard created so far (tests; any thread, approximate).
  size_t inbox_count() const;
  /// Slots allocated by the mailbox from this shard to `to`, 0 when it does not exist yet
  /// (tests; this shard's thread).
  size_t mailbox_slots_to(int to) const;

 private:
  friend class ShardSet;
  bool DrainInboxes();
  SpscRing<Task>* OutboxTo(Shard& target);

  ShardSet* set_;
  int id_;
  Reactor reactor_;
  ShardMetrics metrics_;
  // The thread's CPU clock; valid while cpu_clock_ready_ (set by the thread itself).
  clockid_t cpu_clock_{};
  std::atomic<bool> cpu_clock_ready_{false};
  size_t mailbox_capacity_;
  size_t mailbox_initial_capacity_;
  // inbox_[from] is the ring `from` pushes into and this shard pops from; null until `from`
  // first submits. Only `from` stores it (release, once); this shard loads it (acquire).
  std::unique_ptr<std::atomic<SpscRing<Task>*>[]> inbox_;
  size_t inbox_size_ = 0;
  std::mutex foreign_mu_;
  std::vector<Task> foreign_;
  std::atomic<bool> has_foreign_{false};
};

/// All shards of the node and their threads. Created once at startup on the main thread;
/// Stop() then Join() (or the destructor) before freeing anything the shards' tasks touch.
class ShardSet {
 public:
  /// Shard count, thread pinning and mailbox sizing (entries, per ordered shard pair).
  struct Options {
    int shards = 1;
    bool pin_threads = true;                // pin shard i to online core i % ncpu
    size_t mailbox_capacity = 65536;        // per ordered pair of shards
    size_t mailbox_initial_capacity = 256;  // first segment; doubles up to mailbox_capacity
    Reactor::Options reactor;
  };
  /// Creates `opts.shards` shards and their (lazily allocated) mailbox slots; no thread yet.
  explicit ShardSet(const Options& opts);
  ~ShardSet();

  /// Number of shards, and shard `i` (0 <= i < size(); not bounds-checked).
  int size() const { return int(shards_.size()); }
  Shard& shard(int i) { return *shards_[size_t(i)]; }

  /// Starts one thread per shard; each runs `init(shard)` on its own thread and then its
  /// reactor loop until Stop(). Returns immediately.
  void Start(std::function<void(Shard&)> init);
  /// Stops every reactor (thread-safe); Join() waits for the threads.
  void Stop();
  /// Waits for every shard thread to return from its loop; call after Stop(). Idempotent.
  void Join();

 private:
  std::vector<std::unique_ptr<Shard>> shards_;
  std::vector<std::thread> threads_;
  bool pin_;
};

}  // namespace asobi
