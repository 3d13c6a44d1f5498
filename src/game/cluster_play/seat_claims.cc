#include "game/cluster_play/seat_claims.h"

#include <unordered_set>

#include "base/json_escape.h"
#include "base/log.h"
#include "db/pg_connection.h"
#include "db/statement.h"

namespace asobi::cluster_play {
namespace {

using db::Param;
using db::PgType;

thread_local SeatClaims* t_seats = nullptr;

// Inserts a seat per player, or takes over one held by this node (its own matches are checked
// node-wide by MatchmakerNode::Claim) or by a node whose heartbeat is stale or absent. Under a
// concurrent claim of the same row the second one re-checks the WHERE against the winner's row.
// Returns the players whose seat is now claimed for $2.
const db::Statement kClaimSeats(
    "match_seats_claim",
    "INSERT INTO match_seats AS s (player_id, match_id, node_id, claimed_at) "
    "SELECT p, $2, $3, now() FROM jsonb_array_elements_text($1) AS p "
    "ON CONFLICT (player_id) DO UPDATE SET match_id = EXCLUDED.match_id, "
    "node_id = EXCLUDED.node_id, claimed_at = EXCLUDED.claimed_at "
    "WHERE s.node_id = EXCLUDED.node_id OR NOT EXISTS (SELECT 1 FROM seat_nodes n "
    "WHERE n.node_id = s.node_id AND n.heartbeat_at > now() - $4 * interval '1 millisecond') "
    "RETURNING player_id",
    {PgType::kJsonb, PgType::kText, PgType::kText, PgType::kInt8});

// $1: [[player, match], ...]; deletes only this node's rows still naming that match.
const db::Statement kReleaseSeats(
    "match_seats_release",
    "DELETE FROM match_seats s USING jsonb_array_elements($1) AS r(v) "
    "WHERE s.player_id = r.v->>0 AND s.match_id = r.v->>1 AND s.node_id = $2 "
    "RETURNING s.player_id",
    {PgType::kJsonb, PgType::kText});

const db::Statement kSeatHeartbeat(
    "seat_nodes_beat",
    "INSERT INTO seat_nodes (node_id, heartbeat_at) VALUES ($1, now()) "
    "ON CONFLICT (node_id) DO UPDATE SET heartbeat_at = now()",
    {PgType::kText});

// Nodes silent for longer than the lease ($1 ms): their heartbeat rows and seats go.
const db::Statement kExpireDeadNodes(
    "seat_nodes_expire",
    "WITH dead AS (DELETE FROM seat_nodes WHERE heartbeat_at < now() - $1 * interval "
    "'1 millisecond' RETURNING node_id) "
    "DELETE FROM match_seats WHERE node_id IN (SELECT node_id FROM dead) RETURNING player_id",
    {PgType::kInt8});

const db::Statement kDropNodeSeats("match_seats_drop_node",
                                   "DELETE FROM match_seats WHERE node_id = $1", {PgType::kText});

void Counter(std::string* out, const char* name, const char* help, uint64_t v) {
  *out += std::string("# HELP asobi_cluster_seat_") + name + "_total " + help +
          "\n# TYPE asobi_cluster_seat_" + name + "_total counter\nasobi_cluster_seat_" + name +
          "_total " + std::to_string(v) + "\n";
}

}  // namespace

void SeatClaimsNode::AppendMetrics(std::string* out) const {
  auto get = [](const std::atomic<uint64_t>& a) { return a.load(std::memory_order_relaxed); };
  Counter(out, "claimed", "Match seats claimed in the database.", get(claimed));
  Counter(out, "held_elsewhere", "Seat claims refused: another live node holds the seat.",
          get(held_elsewhere));
  Counter(out, "released", "Match seats given back.", get(released));
  Counter(out, "errors", "Seat claim, release or heartbeat statements that failed.", get(errors));
  Counter(out, "heartbeats", "Seat heartbeats written.", get(heartbeats));
  Counter(out, "expired", "Seats of nodes silent past the lease, deleted.", get(expired));
}

SeatClaims::SeatClaims(SeatClaimsNode& node, Shard& shard, db::PgConnection& db)
    : node_(node), shard_(shard), db_(db) {
  t_seats = this;
}

SeatClaims::~SeatClaims() {
  *alive_ = false;  // a timer or flush task still queued does nothing
  if (t_seats == this) t_seats = nullptr;
}

void SeatClaims::Stop() {
  if (stopped_) return;
  stopped_ = true;
  if (timer_ != 0) shard_.reactor().CancelTimer(timer_);
  timer_ = 0;
  Flush();
  if (t_seats == this) t_seats = nullptr;  // later claims fail, releases are dropped
}

SeatClaims* SeatClaims::OnThisShard() { return t_seats; }

void SeatClaims::Claim(std::vector<std::string> players, std::string match_id,
                       matchmaker::MatchmakerDeps::SeatsDone done) {
  std::string json = "[";
  for (size_t i = 0; i < players.size(); ++i) {
    if (i > 0) json += ',';
    AppendJsonString(&json, players[i]);
  }
  json += ']';
  SeatClaimsNode* node = &node_;
  db_.Execute(kClaimSeats,
              {Param::Jsonb(json), Param::Text(match_id), Param::Text(node_.node_id()),
               Param::Int64(node_.lease_ms())},
              [node, players = std::move(players),
               done = std::move(done)](db::DbResult<db::PgResult> r) mutable {
                if (!r.ok()) {
                  node->errors.fetch_add(1, std::memory_order_relaxed);
                  done(r.error().ToError());
                  return;
                }
                std::unordered_set<std::string> got;
                for (int i = 0; i < r->rows(); ++i) got.emplace(r->GetString(i, 0));
                std::vector<std::string> held;
                for (std::string& p : players) {
                  if (!got.count(p)) held.push_back(std::move(p));
                }
                node->claimed.fetch_add(got.size(), std::memory_order_relaxed);
                node->held_elsewhere.fetch_add(held.size(), std::memory_order_relaxed);
                done(std::move(held));
              });
}

void SeatClaims::Release(const std::string& player_id, const std::string& match_id) {
  if (stopped_) return;
  releases_.emplace_back(player_id, match_id);
  if (flush_scheduled_) return;
  std::shared_ptr<bool> alive = alive_;
  // The next reactor turn, after every leave of this one.
  flush_scheduled_ = shard_.SubmitTo(shard_.id(), [this, alive] {
    if (!*alive) return;
    flush_scheduled_ = false;
    Flush();
  });
  if (!flush_scheduled_) Flush();  // mailbox full: send now
}

void SeatClaims::Flush() {
  if (releases_.empty()) return;
  std::string json = "[";
  for (size_t i = 0; i < releases_.size(); ++i) {
    if (i > 0) json += ',';
    json += '[';
    AppendJsonString(&json, releases_[i].first);
    json += ',';
    AppendJsonString(&json, releases_[i].second);
    json += ']';
  }
  json += ']';
  releases_.clear();
  SeatClaimsNode* node = &node_;
  db_.Execute(kReleaseSeats, {Param::Jsonb(json), Param::Text(node_.node_id())},
              [node](db::DbResult<db::PgResult> r) {
                if (!r.ok()) {
                  node->errors.fetch_add(1, std::memory_order_relaxed);
                  LOG_WARN("seat release failed").KV("reason", r.error().reason);
                  return;
                }
                node->released.fetch_add(uint64_t(r->rows()), std::memory_order_relaxed);
              });
}

void SeatClaims::StartHeartbeat() { Beat(); }

void SeatClaims::Beat() {
  if (stopped_) return;
  SeatClaimsNode* node = &node_;
  if (first_beat_) {
    // Seats of an earlier process with this node id: its matches died with it.
    first_beat_ = false;
    db_.Execute(kDropNodeSeats, {Param::Text(node_.node_id())},
                [node](db::DbResult<db::PgResult> r) {
                  if (!r.ok()) node->errors.fetch_add(1, std::memory_order_relaxed);
                });
  }
  db_.Execute(kExpireDeadNodes, {Param::Int64(node_.lease_ms())},
              [node](db::DbResult<db::PgResult> r) {
                if (!r.ok()) {
                  node->errors.fetch_add(1, std::memory_order_relaxed);
                  return;
                }
                node->expired.fetch_add(uint64_t(r->rows()), std::memory_order_relaxed);
              });
  db_.Execute(kSeatHeartbeat, {Param::Text(node_.node_id())}, [node](db::DbResult<db::PgResult> r) {
    (r.ok() ? node->heartbeats : node->errors).fetch_add(1, std::memory_order_relaxed);
  });
  std::shared_ptr<bool> alive = alive_;
  timer_ = shard_.reactor().AddTimer(node_.heartbeat_ms(), [this, alive] {
    if (!*alive) return;
    timer_ = 0;
    Beat();
  });
}

}  // namespace asobi::cluster_play
