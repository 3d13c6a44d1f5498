// ClusterPlay: matchmaking across the nodes of a cluster, with cross-node players proxied
// (issue 16 item 4). Exists only on clustered nodes (cluster::ThisNode() non-null); with
// clustering off nothing here is built and the matchmaker and matches are unchanged.
//
//  - One queue per mode for the cluster, on the owner node: the smallest id among the live
//    nodes (this one and Membership::Peers()). Another node forwards matchmaker.add/remove
//    (WebSocket and REST) and GET /matchmaker/:ticket_id to it (`A`/`R`/`T`, play_wire.h) and
//    answers its client with the reply (`Y`/`S`); the owner queues a forwarded ticket
//    socket-less, with its origin node, so its outcomes reach the player through the player
//    directory and its proxy.
//  - Placement on the least-loaded node (Membership load, plus groups sent there in the last
//    second): the owner sends the group (`G`) or places it itself; the placing node runs the
//    normal PlaceGroup with a ProxyClient for each player whose sockets are elsewhere, and
//    reports the outcome to the owner (`P`).
//  - Proxied players: the proxy's frames go to the player's node (`B`: the frames of one
//    shard's proxies for that node in one reactor turn, one bus message), which binds the
//    player's sockets to the remote match on `match.matched` (ClientMatches::SetRemote) and
//    unbinds on `match.finished`; match.input / leave / vote.cast / vote.veto / close of a bound
//    socket travel to the match's node (`O`, replies `V`) and enter the match as the proxy.
//  - Node loss: a bound socket whose match's node expired gets `match.finished {match_id,
//    result: {status: "node_lost"}}` and is unbound; a proxy whose player's node expired
//    leaves its match (detach, as a closed socket).
//  - DM block lists across nodes (social::BlockRelay, docs/decisions.md "DM block lists in
//    memory"): a DM whose recipient has no list on the sender's node is checked and delivered
//    by a node that holds the recipient's sockets (`K`, reply `V`); a block change made on one
//    node is applied on every other node before the friends route answers (`L`, reply `V`).
//  - Owner death: the tickets this node forwarded are remembered on shard 0 (mode, player,
//    properties, skill, original wait); when their owner expired they are forwarded again to
//    the new owner (or queued here if this node is it), keeping their wait time.
//
// Bounds: pending requests kPendingMax per shard (past it: queue_full / internal at once;
// timeout kRequestTimeoutMs, then `internal`, or `timeout` for votes); proxies kProxiesMax
// per shard (past it a player joins without a proxy and gets no frames; counted);
// remembered tickets MatchmakerOptions::queue_max (past it a ticket is not re-forwarded).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "game/cluster_play/play_wire.h"
#include "game/cluster_play/proxy_client.h"
#include "game/matchmaker/matchmaker_node.h"
#include "game/social/block_lists.h"

namespace asobi {
struct GameShard;
}
namespace asobi::cluster {
struct ClusterNode;
}
namespace asobi::match {
class MatchNode;
}

namespace asobi::cluster_play {

inline constexpr size_t kPendingMax = 4096;
inline constexpr int64_t kRequestTimeoutMs = 5000;
inline constexpr size_t kProxiesMax = 65536;
/// A proxy whose group never got a match (placement failed) is dropped after this long.
inline constexpr int64_t kProxyUnmatchedMs = 30000;
/// Sweep period: pending timeouts, node loss, owner changes.
inline constexpr int64_t kSweepMs = 500;
/// A node's batch of proxy frames is sent once it holds this many bytes.
inline constexpr size_t kBatchBytesMax = 256 * 1024;

/// Counters (relaxed atomics), on /metrics as asobi_cluster_play_*.
struct PlayMetrics {
  std::atomic<uint64_t> forwarded{0};        // adds/removes sent to the owner
  std::atomic<uint64_t> remote_adds{0};      // adds queued here for another node
  std::atomic<uint64_t> groups_sent{0};      // groups placed on another node
  std::atomic<uint64_t> groups_placed{0};    // groups from another node placed here
  std::atomic<uint64_t> proxies{0};          // proxies created
  std::atomic<uint64_t> proxies_full{0};     // proxies refused at kProxiesMax
  std::atomic<uint64_t> ops{0};              // operations of proxied players applied here
  std::atomic<uint64_t> node_lost{0};        // sockets told match.finished node_lost
  std::atomic<uint64_t> reforwarded{0};      // tickets forwarded again after their owner died
  std::atomic<uint64_t> timeouts{0};         // requests that got no reply in time
  std::atomic<uint64_t> requeued{0};         // tickets another node's placement sent back here
  std::atomic<uint64_t> frames_sent{0};      // proxy frames put in B messages
  std::atomic<uint64_t> frames_repeated{0};  // of those, sent as "=" (same as the previous)
  std::atomic<uint64_t> block_checks{0};     // DM block checks answered for another node
  std::atomic<uint64_t> block_changes{0};    // block changes applied for another node
};

/// Node-wide; created by server/ on clustered nodes before the shards start, outlives them.
/// Per-shard state is touched only on its shard.
class ClusterPlay final : public matchmaker::ClusterQueue, public social::BlockRelay {
 public:
  ClusterPlay(cluster::ClusterNode& node, matchmaker::MatchmakerNode& mm, match::MatchNode& matches,
              int shard_count);
  ~ClusterPlay() override;

  /// Per shard, on its thread, after its Matchmaker, MatchService and directory exist:
  /// serves proxies through find_client, adds the close hook and the sweep timer; shard 0
  /// subscribes to `<prefix>.node.<id>.mm`. Registers its teardown.
  void WireShard(GameShard& game);

  /// The owner node of the cluster's queues now (smallest live id). Any thread.
  std::string OwnerNode() const;
  PlayMetrics& metrics() { return metrics_; }
  /// Appends the asobi_cluster_play_* lines. Any thread.
  void AppendMetrics(std::string* out) const;

  // matchmaker::ClusterQueue
  bool ForwardAdd(matchmaker::AddRequest& req,
                  std::function<void(Result<matchmaker::AddReply>)>& done) override;
  bool ForwardRemove(const std::string& ticket_id, const std::string& player_id,
                     std::function<void(Status)>& done) override;
  bool ForwardGet(const std::string& ticket_id, const std::string& player_id,
                  std::function<void(Result<matchmaker::TicketStatus>)>& done) override;
  std::string PickNode() override;
  bool SendGroup(const std::string& node, const std::string& mode,
                 const std::vector<matchmaker::Ticket>& group) override;
  ClientRef ProxyFor(const std::string& player, const std::string& origin) override;
  void TicketsPlaced(const std::vector<std::string>& ticket_ids) override;
  bool ReportPlacement(const std::string& queue_node, const std::string& mode,
                       matchmaker::PlacementOutcome outcome, const std::string& match_id,
                       const std::vector<std::string>& ticket_ids) override;
  const std::string& node_id() const override { return node_id_; }

  // social::BlockRelay
  void CheckOn(const std::string& node, const std::string& sender, const std::string& recipient,
               const std::string& frame, std::function<void(social::BlockVerdict)> done) override;
  void ReportChange(const std::string& player, const std::string& other, bool blocked,
                    std::function<void()> done) override;

 private:
  using ReplyFn = std::function<void(bool replied, const std::vector<std::string>& fields)>;
  struct Pending {
    int64_t deadline_ms = 0;
    ReplyFn fn;
    std::string node;            // where the request went
    std::function<void()> redo;  // adds: sent again if `node` expires before replying
  };
  struct Record {  // a ticket this node forwarded (shard 0)
    std::string mode, player, properties, owner;
    double skill = 1000;
    int64_t queued_ms = 0;  // MonoMs() when the player queued
    std::optional<ClientRef> client;
  };
  struct PerShard {
    GameShard* game = nullptr;
    uint64_t next_seq = 1;
    std::unordered_map<uint64_t, Pending> pending;
    std::unordered_map<uint32_t, std::unique_ptr<ProxyClient>> proxies;  // by ref index
    std::unordered_map<std::string, uint32_t> proxy_of;  // "<player>\n<origin>" -> index
    uint32_t next_index = ProxyClient::kIndexBase;
    std::unordered_map<std::string, int64_t> recent;  // node -> groups sent this sweep
    uint64_t timer = 0;
    uint64_t sub = 0;
    std::unordered_map<std::string, Record> records;  // shard 0: by ticket id
    struct Batch {
      std::string rest;
      size_t count = 0;
      size_t last_at = 0, last_size = 0;  // the last frame's bytes in `rest` (0 = none)
    };
    std::unordered_map<std::string, Batch> out;  // proxy frames of this turn, by node
    bool flush_scheduled = false;
  };

  PerShard& Here();
  std::string Subject(const std::string& node) const;
  /// Registers a pending request on this shard and publishes `payload` to `node`; false (and
  /// nothing pending) when the table is full or the bus refused it.
  bool Request(const std::string& node, char kind, std::vector<std::string> fields,
               std::string rest, ReplyFn fn, std::function<void()> redo = nullptr);
  void Reply(const std::string& node, char kind, std::vector<std::string> fields, std::string rest);
  void OnMessage(std::string_view payload);
  void OnAdd(const Message& m);
  void OnRemove(const Message& m);
  void OnStatus(const Message& m);
  void OnGroup(const Message& m);
  void OnPlaced(const Message& m);
  void OnFrame(const Message& m);
  void OnBatch(const Message& m);
  void DeliverFrame(const std::string& from, const std::string& player, std::string_view frame);
  /// A proxy's frame for `origin`: joins this shard's batch for that node (flushed at the
  /// next reactor turn, or at once past kBatchBytesMax / kBatchMax frames).
  void Batch(const std::string& origin, const std::string& player, std::string_view frame);
  void Flush(PerShard& ps);
  void OnOp(const Message& m);
  void OnBlockCheck(const Message& m);
  void OnBlockChange(const Message& m);
  void RunOp(const std::string& from, const std::vector<std::string>& f, const std::string& body);
  void Resolve(const Message& m);
  void Sweep();
  void SweepProxies(PerShard& ps);
  void SweepBindings(PerShard& ps);
  void SweepRecords(PerShard& ps);
  void DropProxy(PerShard& ps, uint32_t index);
  void Remember(const std::string& ticket_id, Record r);
  void OnClientClosed(const ClientRef& ref);
  void SendRemoteOp(const std::string& node, const std::string& match_id, const std::string& player,
                    char op, std::string body, std::function<void(std::string)> done);

  cluster::ClusterNode& node_;
  matchmaker::MatchmakerNode& mm_;
  match::MatchNode& matches_;
  std::string node_id_;
  std::vector<PerShard> shards_;
  PlayMetrics metrics_;
};

}  // namespace asobi::cluster_play
