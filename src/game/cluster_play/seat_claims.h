// SeatClaims: the seats of a clustered node's matches, claimed in PostgreSQL (issue 16 "Bad
// input and faults"; docs/decisions.md "Seat claims"). A node cut off from NATS sees no peers,
// owns every matchmaking queue itself and cannot see the other nodes' matches; the database
// every node shares is where a player's one seat is decided.
//
//  - Claim: before a formed group is placed, the placing shard claims its humans' seats in
//    `match_seats` under the match's future id, one statement per group on the shard's
//    pipelined connection (the groups of one reactor turn share a round trip). A row held by
//    another node whose heartbeat is fresh is not taken: that player is "held elsewhere".
//  - Release: when a player leaves a match or the match ends (MatchNode::seat_released), and
//    for members a match did not accept. The releases of one reactor turn of a shard go in one
//    statement.
//  - Heartbeat: shard 0 writes `seat_nodes.heartbeat_at` every lease / 5; another node takes
//    over a seat whose node's heartbeat is older than the lease (a dead node), and every beat
//    deletes the seats (and the heartbeat row) of nodes silent for longer than the lease. The
//    first beat deletes this node's rows left by an earlier process with the same id.
//
// Exists only on clustered nodes with a database; single nodes never build it.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "game/matchmaker/matchmaker.h"
#include "reactor/shard.h"

namespace asobi::db {
class PgConnection;
}

namespace asobi::cluster_play {

/// Default lease (--cluster-seat-lease-ms): a seat whose node has not beaten for this long
/// may be claimed by another node, and is deleted by the next heartbeat of any node.
inline constexpr int64_t kSeatLeaseMs = 10000;

/// Node-wide part: this node's id, the lease and the counters (`asobi_cluster_seat_*` on
/// /metrics). Any thread; outlives every SeatClaims.
class SeatClaimsNode {
 public:
  /// `lease_ms` >= 1000; the heartbeat runs every lease_ms / 5.
  SeatClaimsNode(std::string node_id, int64_t lease_ms = kSeatLeaseMs)
      : node_id_(std::move(node_id)), lease_ms_(lease_ms) {}
  const std::string& node_id() const { return node_id_; }
  int64_t lease_ms() const { return lease_ms_; }
  int64_t heartbeat_ms() const { return lease_ms_ / 5; }

  /// Counters (relaxed atomics, written by any shard).
  std::atomic<uint64_t> claimed{0};         ///< seats claimed (players)
  std::atomic<uint64_t> held_elsewhere{0};  ///< claims refused: another live node holds it
  std::atomic<uint64_t> released{0};        ///< seat rows deleted by releases
  std::atomic<uint64_t> errors{0};          ///< claim/release/heartbeat statements that failed
  std::atomic<uint64_t> heartbeats{0};      ///< heartbeats written
  std::atomic<uint64_t> expired{0};         ///< seats of dead nodes deleted by heartbeats

  /// Appends the counters in Prometheus text format.
  void AppendMetrics(std::string* out) const;

 private:
  std::string node_id_;
  int64_t lease_ms_;
};

/// One per shard; construct, use and destroy on that shard's thread. `node`, `shard` and `db`
/// must outlive it.
class SeatClaims {
 public:
  SeatClaims(SeatClaimsNode& node, Shard& shard, db::PgConnection& db);
  /// Touches neither the reactor nor the connection (call Stop first, on the shard).
  ~SeatClaims();
  SeatClaims(const SeatClaims&) = delete;
  SeatClaims& operator=(const SeatClaims&) = delete;

  /// The SeatClaims of the calling shard thread, or null.
  static SeatClaims* OnThisShard();

  /// Claims the seats of `players` (distinct ids) for `match_id`. `done` runs on this shard
  /// with the players whose seat another live node holds (empty: all claimed), or an error
  /// (the database did not answer: the outcome is unknown; release under `match_id`).
  void Claim(std::vector<std::string> players, std::string match_id,
             matchmaker::MatchmakerDeps::SeatsDone done);
  /// Releases this node's seat of `player_id` when it is still claimed for `match_id`. Sent
  /// with the other releases of this reactor turn, in one statement.
  void Release(const std::string& player_id, const std::string& match_id);

  /// Shard 0 only: deletes this node's leftover seats and starts the heartbeat.
  void StartHeartbeat();
  /// Sends the pending releases and stops the heartbeat; later calls do nothing (drain, while
  /// the reactor and the connection still run).
  void Stop();

 private:
  void Flush();
  void Beat();

  SeatClaimsNode& node_;
  Shard& shard_;
  db::PgConnection& db_;
  std::vector<std::pair<std::string, std::string>> releases_;  // (player, match) this turn
  bool flush_scheduled_ = false;
  bool first_beat_ = true;
  bool stopped_ = false;
  uint64_t timer_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace asobi::cluster_play
