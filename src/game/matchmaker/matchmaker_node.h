// MatchmakerNode: the node-wide part of the matchmaker shared by every shard's Matchmaker:
// options, the mode lookup, the per-node ticket cap and metrics (websocket.md §3, §6).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include "game/matchmaker/matchmaker_types.h"
#include "game/matchmaker/ticket.h"

namespace asobi::matchmaker {

class Matchmaker;

/// Timing and bounds. Defaults follow the spec where it has a value.
struct MatchmakerOptions {
  /// Periodic pass over every queue: expiry, skill windows widening (rest.md §3.11: 1 s).
  int tick_ms = 1000;
  /// Ours: new tickets also trigger a pass this long after they arrive (coalesced), so a full
  /// group does not wait for the next periodic tick. 0 = only the periodic pass.
  int eager_pass_ms = 20;
  /// websocket.md §6.4: a ticket waiting longer than this expires.
  int64_t max_wait_ms = 60000;
  /// websocket.md §3: pending player tickets per node; more get `queue_full`. Bots not counted.
  int64_t queue_max = 10000;
  /// lua.md §10: queue fill with bots every 8 s.
  int bot_fill_ms = 8000;
  /// Ours: how long a matched/expired/failed ticket stays readable by GET /matchmaker/:id.
  int64_t resolved_keep_ms = 60000;
};

/// Counters for /metrics and benchmarks (relaxed atomics, any shard).
struct MatchmakerMetrics {
  std::atomic<uint64_t> tickets_added{0};
  std::atomic<uint64_t> tickets_removed{0};
  std::atomic<uint64_t> tickets_expired{0};
  std::atomic<uint64_t> groups_formed{0};
  std::atomic<uint64_t> groups_failed{0};
  std::atomic<uint64_t> bots_queued{0};
};

/// What a node that placed another node's group reports back (ClusterQueue::ReportPlacement).
enum class PlacementOutcome : char { kMatched = 'm', kFailed = 'f', kRequeue = 'r' };

/// The cluster side of the matchmaker (issue 16 item 4): one queue per mode for the whole
/// cluster, on its owner node. Implemented by game/cluster_play on clustered nodes; unset
/// otherwise, and then nothing in the matchmaker changes. Every method runs on the calling
/// shard's thread; callbacks run back on it.
class ClusterQueue {
 public:
  virtual ~ClusterQueue() = default;
  /// Client side: when another node owns the queues, sends `req` there and returns true
  /// (`done` runs later on this shard with the owner's reply, or `internal` after a timeout);
  /// false when this node is the owner (queue here).
  virtual bool ForwardAdd(AddRequest& req, std::function<void(Result<AddReply>)>& done) = 0;
  /// Client side: the same for a removal by ticket id.
  virtual bool ForwardRemove(const std::string& ticket_id, const std::string& player_id,
                             std::function<void(Status)>& done) = 0;
  /// Client side: the same for a status read by ticket id (GET /matchmaker/:ticket_id).
  virtual bool ForwardGet(const std::string& ticket_id, const std::string& player_id,
                          std::function<void(Result<TicketStatus>)>& done) = 0;
  /// Queue side: the node a formed group is placed on (least loaded), "" = this node.
  virtual std::string PickNode() = 0;
  /// Queue side: sends `group` of `mode` to `node` for placement; false when it was not sent.
  virtual bool SendGroup(const std::string& node, const std::string& mode,
                         const std::vector<Ticket>& group) = 0;
  /// Placement side: the proxy client, on this shard, of `player` whose sockets are on node
  /// `origin`; its frames go to that node.
  virtual ClientRef ProxyFor(const std::string& player, const std::string& origin) = 0;
  /// Placement side: tickets this node forwarded left the owner's queue (their group is
  /// being placed here), so they are not forwarded again if the owner dies.
  virtual void TicketsPlaced(const std::vector<std::string>& ticket_ids) = 0;
  /// Placement side: what became of tickets of a group formed on node `queue_node`: seated
  /// in `match_id` (kMatched; the queue's node records it for GET /matchmaker/:ticket_id),
  /// failed to start (kFailed; their players were told), or left over from a group that lost
  /// a busy member (kRequeue; the queue's node puts them back, keeping their wait). False when
  /// the report could not be sent (the queue's node is gone); the caller then tells the
  /// players itself.
  virtual bool ReportPlacement(const std::string& queue_node, const std::string& mode,
                               PlacementOutcome outcome, const std::string& match_id,
                               const std::vector<std::string>& ticket_ids) = 0;
  /// This node's id.
  virtual const std::string& node_id() const = 0;
};

/// Created once at start-up before the shards; outlives them. Thread-safe.
class MatchmakerNode {
 public:
  /// Copies the options and the mode lookup; `shard_count` sizes the per-shard registry.
  MatchmakerNode(MatchmakerOptions options, ModeLookup modes, int shard_count);

  /// Read-only settings, the shard count, and the counters (any thread).
  const MatchmakerOptions& options() const { return options_; }
  int shard_count() const { return shard_count_; }
  MatchmakerMetrics& metrics() { return metrics_; }

  /// The mode's settings, or nullopt for an unknown mode (any thread).
  std::optional<ModeInfo> FindMode(const std::string& mode) const { return modes_(mode); }

  /// The shard that owns `mode`'s queue: FNV-1a of the name modulo the shard count (the same
  /// hash as match ids). Any thread.
  int QueueShardOf(const std::string& mode) const;

  /// Counts one more pending player ticket unless the node holds queue_max already (then
  /// false: `queue_full`). Pair with ReleaseTicket when the ticket leaves the queue.
  bool TryReserveTicket();
  /// Gives back one TryReserveTicket; pending_tickets() is the current count (relaxed).
  void ReleaseTicket();
  int64_t pending_tickets() const { return pending_.load(std::memory_order_relaxed); }

  /// Each shard's Matchmaker registers itself here when constructed (and unregisters when
  /// destroyed), so a task sent to shard `s` finds it with OnShard(s). The pointer may only
  /// be dereferenced on shard `s`.
  void Register(int shard, Matchmaker* mm);
  /// Shard `shard`'s Matchmaker, or null; dereference on that shard only.
  Matchmaker* OnShard(int shard) const;

  /// Claims `players` for one placement, all or nothing: returns the players that cannot be
  /// placed now (claimed by another placement, or in a live match according to `in_match`,
  /// which may be null); when that list is empty every player is now claimed. Release with
  /// Unclaim once the match exists (its roster then answers `in_match`). Any thread.
  std::vector<std::string> Claim(const std::vector<std::string>& players,
                                 const InMatchCheck& in_match);
  /// Releases a Claim (all of `players`); any thread.
  void Unclaim(const std::vector<std::string>& players);

  /// The cluster side, or null (clustering off). Set once before the shards serve requests;
  /// `q` must outlive the node.
  void set_cluster(ClusterQueue* q) { cluster_ = q; }
  ClusterQueue* cluster() const { return cluster_; }

 private:
  MatchmakerOptions options_;
  ModeLookup modes_;
  int shard_count_;
  MatchmakerMetrics metrics_;
  std::atomic<int64_t> pending_{0};
  std::unique_ptr<std::atomic<Matchmaker*>[]> shards_;
  std::mutex claim_mu_;
  std::unordered_set<std::string> claimed_;
  ClusterQueue* cluster_ = nullptr;
};

}  // namespace asobi::matchmaker
