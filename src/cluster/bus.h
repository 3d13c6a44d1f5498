// Bus: this node's connection to the cluster's NATS servers (issue 16 item 1). It owns the cnats
// connection (cnats runs its own I/O and delivery threads) and one "bus thread" of ours that
// performs every cnats call that may wait on a socket (publish, subscribe, unsubscribe), so a
// shard never blocks on NATS:
//
//   shard --Publish/Subscribe--> bounded op queue --> bus thread --> cnats
//   cnats delivery thread --> bounded per-shard inbox --(one PostFromAnyThread per batch)--> shard
//
// Incoming messages are batched: the first message into an empty shard inbox posts one drain
// task to that shard (Shard::PostFromAnyThread); later ones join the batch until the shard runs
// it. Clustering is opt-in (config `--cluster-nats` / ASOBI_CLUSTER_NATS); with it off no Bus
// exists and cluster::ThisNode() is null, so the single-node paths pay nothing.
//
// Bounds (decided, counted in BusMetrics, visible on /metrics as asobi_cluster_*):
//   - op queue: publish_queue_max messages and publish_bytes_max payload bytes; a Publish past
//     either returns kQueueFull and the message is dropped (never blocks, never grows).
//   - payloads larger than the server's max_payload (INFO, 1 MiB by default) are refused with
//     kTooLarge and logged; never truncated or split.
//   - per-shard inbox: inbox_max messages; past it an incoming message is dropped and counted.
//   - while NATS is unreachable cnats buffers up to reconnect_buffer_bytes of publishes; past
//     that they fail (counted in publish_failed).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "base/result.h"

namespace asobi {
class ShardSet;
}

namespace asobi::cluster {

/// How to reach NATS and the bus's bounds. Filled by server/ from Config.
struct BusOptions {
  /// Comma-separated NATS URLs (`nats://[user:pass@]host:port`); required.
  std::string url;
  /// Credentials (docs/decisions.md "Cluster bus credentials"); empty = none / from the URL.
  std::string user;
  std::string password;
  std::string token;
  /// This node's id, unique in the cluster (subjects and announcements carry it). Non-empty,
  /// [A-Za-z0-9_-] only (it is a subject token).
  std::string node_id;
  /// First token of every subject this node uses (several clusters may share NATS servers).
  std::string prefix = "asobi";
  size_t publish_queue_max = 65536;
  size_t publish_bytes_max = size_t(64) << 20;
  size_t inbox_max = 65536;  // per shard
  int reconnect_wait_ms = 250;
  int reconnect_buffer_bytes = 8 << 20;
};

/// Counters (any thread; relaxed atomics), exported on /metrics.
struct BusMetrics {
  std::atomic<uint64_t> published{0};           // handed to cnats
  std::atomic<uint64_t> publish_queue_full{0};  // Publish refused: op queue bound reached
  std::atomic<uint64_t> publish_too_large{0};   // Publish refused: over the server max_payload
  std::atomic<uint64_t> publish_failed{0};      // cnats refused (reconnect buffer full, closed)
  std::atomic<uint64_t> received{0};            // delivered to a shard handler
  std::atomic<uint64_t> inbox_full{0};          // incoming dropped: shard inbox bound reached
  std::atomic<uint64_t> refused{0};             // incoming refused by a handler (CountRefused)
  std::atomic<uint64_t> disconnects{0};
  std::atomic<uint64_t> reconnects{0};
};

/// The node's cluster bus. Created and Start()ed by server/ on the main thread before the shards
/// start, Stop()ped after they stopped; node-wide (every shard holds the same pointer in
/// cluster::ThisNode()). All public methods are thread-safe unless noted.
class Bus {
 public:
  /// Runs on the subscription's shard thread, once per message, in the order NATS delivered
  /// them for that subscription. `subject` and `payload` are valid only during the call.
  using Handler = std::function<void(std::string_view subject, std::string_view payload)>;
  enum class PublishResult { kQueued, kQueueFull, kTooLarge, kStopped };

  explicit Bus(BusOptions options);
  ~Bus();  // Stop()s
  Bus(const Bus&) = delete;
  Bus& operator=(const Bus&) = delete;

  /// Starts the bus thread and connects. An unreachable NATS is not an error: cnats keeps
  /// retrying (every reconnect_wait_ms, forever) and connected() stays false meanwhile.
  /// Errors: "bad_flag" (empty URL or node id, invalid node id, cnats refused the options).
  /// `shards` must outlive Stop(). Main thread, once.
  Status Start(ShardSet* shards);
  /// Closes the connection, joins the bus thread; later Publish calls return kStopped and
  /// queued incoming messages are still run by their shards (the handlers must stay valid until
  /// the shards stop). Idempotent. Main thread.
  void Stop();

  /// Queues `payload` for `subject` (copied). Never blocks. kTooLarge once the server's
  /// max_payload is known (after the first connect) and exceeded; kQueueFull at the bounds.
  PublishResult Publish(std::string_view subject, std::string_view payload);

  /// Subscribes to `subject` (NATS wildcards allowed); `handler` runs on shard `shard` for each
  /// message (batched). Returns an id for Unsubscribe. Never blocks (the bus thread talks to
  /// cnats; a subscription made while disconnected takes effect on connect). After Stop: 0.
  uint64_t Subscribe(std::string subject, int shard, Handler handler);
  /// Stops delivery for `id` at once (messages already queued for it are skipped) and
  /// unsubscribes on the bus thread. Unknown ids are ignored.
  void Unsubscribe(uint64_t id);

  /// Whether cnats is connected to a NATS server right now (for /ready: "degraded" when not).
  bool connected() const { return connected_.load(std::memory_order_acquire); }
  /// This node's id and the subject prefix (BusOptions).
  const std::string& node_id() const { return options_.node_id; }
  const std::string& prefix() const { return options_.prefix; }
  /// The server's max payload in bytes, 0 until first connected.
  int64_t max_payload_bytes() const { return max_payload_.load(std::memory_order_relaxed); }
  BusMetrics& metrics() { return metrics_; }

  /// Whether `id` is a valid node id / subject token ([A-Za-z0-9_-], 1..64 bytes).
  static bool ValidToken(std::string_view id);

  struct Impl;  // cnats glue (bus.cc); public so the C callbacks can reach it

 private:
  struct Op {
    enum Kind { kPublish, kSubscribe, kUnsubscribe } kind;
    uint64_t sub_id = 0;
    std::string subject;
    std::string payload;
  };
  void Enqueue(Op op);
  void RunThread();

  BusOptions options_;
  BusMetrics metrics_;
  std::unique_ptr<Impl> impl_;
  std::atomic<bool> connected_{false};
  std::atomic<int64_t> max_payload_{0};
  std::atomic<uint64_t> next_sub_id_{1};

  std::mutex mu_;  // guards ops_, queued_bytes_, stopping_ (taken per Publish, briefly)
  std::condition_variable cv_;
  std::deque<Op> ops_;
  size_t queued_bytes_ = 0;
  bool stopping_ = false;
  bool started_ = false;
  std::thread thread_;
};

}  // namespace asobi::cluster
