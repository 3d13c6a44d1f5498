// Matchmaker: one per shard (websocket.md §6, rest.md §3.11, lua.md §10 queue fill). It plays
// three roles:
//  - client side: Add/Remove/Get called on the client's (or REST request's) shard route the
//    request to the owner and run `done` back on the calling shard; it also remembers which
//    tickets each of its sockets holds so a disconnect drops them (OnClientClosed);
//  - queue owner: each mode's queue lives on MatchmakerNode::QueueShardOf(mode); tickets,
//    passes (periodic tick plus an eager pass after new tickets), expiry and bot fill run
//    there. Ticket ids are UUIDv7 drawn so that match::OwnerShardOf(ticket_id) is the queue's
//    shard, so requests by ticket id route without a lookup;
//  - placement: a formed group is sent to the least-loaded shard, which claims its players
//    node-wide (MatchmakerNode::Claim: nobody is placed twice, nobody already in a live match
//    is placed), creates the match and joins the group through PlaceGroup, then pushes
//    `match.matched` (or `match.matchmaker_failed`) to every socket of the group straight from
//    there, so it is queued ahead of the match's first `match.state` in each shard-pair
//    mailbox. A group with a player who cannot be claimed is not started: that player's ticket
//    is dropped and the others go back to their queue with their original wait time. A
//    socket told `match.matched` drops its other pending tickets (one match at a time).
//
// Every method runs on the shard that owns this instance. Callbacks passed in run on the
// calling shard.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "game/match/match_host.h"
#include "game/matchmaker/matchmaker_node.h"
#include "game/matchmaker/mode_queue.h"

namespace asobi::matchmaker {

/// What a shard's Matchmaker uses from the match runtime (see matchmaker_types.h).
struct MatchmakerDeps {
  PlaceGroup place;       ///< required
  InMatchCheck in_match;  ///< optional: queueing while in a match answers already_in_match
  /// Optional: live matches owned by a shard, for least-loaded placement. Null = place on the
  /// queue's own shard.
  std::function<int64_t(int shard)> shard_load;
  /// Optional: the sockets of each of `players` (same order), from the player directory;
  /// `done` runs on the calling shard. Placement attaches every socket of each grouped player,
  /// so one who queued over REST or from another socket gets `match.matched` and the match's
  /// state (websocket.md §6.3). Null = only the sockets that queued the ticket.
  using SocketsDone = std::function<void(std::vector<std::vector<ClientRef>>)>;
  std::function<void(std::vector<std::string> players, SocketsDone done)> sockets_of;
  /// Optional: sends a frame to every socket of a player (the expiry of a ticket queued over
  /// REST, §6.4). Null = only the sockets that queued the ticket.
  std::function<void(const std::string& player_id, const std::string& frame)> notify_player;
  /// Optional, clustered nodes only (issue 16; docs/decisions.md "Seat claims"): claims the
  /// seats of `players` for match `match_id` in the database shared by every node, after the
  /// node-wide Claim and before the match is placed. `done` runs on this shard with the
  /// players whose seat another live node holds (empty = all claimed), or an error (the
  /// database did not answer). Null = no seat claims (single node).
  using SeatsDone = std::function<void(Result<std::vector<std::string>> held_elsewhere)>;
  std::function<void(std::vector<std::string> players, std::string match_id, SeatsDone done)>
      claim_seats;
  /// Optional, with claim_seats: gives back the seats of `players` claimed for `match_id`
  /// (a group refused, or members the match did not accept). Fire and forget.
  std::function<void(std::vector<std::string> players, std::string match_id)> release_seats;
};

/// One per shard, owned by MatchmakerSetup; every method and callback on that shard.
class Matchmaker {
 public:
  /// Construct on the shard's own thread; registers with `node`. `node` and `host` must
  /// outlive it.
  Matchmaker(MatchmakerNode& node, match::MatchHost& host, MatchmakerDeps deps);
  ~Matchmaker();
  Matchmaker(const Matchmaker&) = delete;
  Matchmaker& operator=(const Matchmaker&) = delete;

  /// The Matchmaker of the calling shard thread (the last one constructed on it), or null.
  static Matchmaker* OnThisShard();
  /// The node-wide part this matchmaker registered with.
  MatchmakerNode& node() { return node_; }

  /// Completions of Add / Remove / Get; each runs once, on the calling shard.
  using AddDone = std::function<void(Result<AddReply>)>;
  using StatusDone = std::function<void(Status)>;
  using GetDone = std::function<void(Result<TicketStatus>)>;

  /// Queues `req` (websocket.md §6.1). `done` runs on this shard with the reply or an error
  /// reason: unknown_mode, queue_full (node cap, or a full mailbox), already_in_match (ours:
  /// the player is in a live match). Re-adding a pending ticket's mode returns that ticket
  /// with already_queued = true and attaches the new socket to it.
  void Add(AddRequest req, AddDone done);
  /// Removes a pending ticket (websocket.md §6.2). Errors: not_found (unknown, already gone,
  /// or not a ticket id), not_owner.
  void Remove(const std::string& ticket_id, const std::string& player_id, StatusDone done);
  /// A ticket's status for its owner (rest.md §3.11). Errors: not_found, not_owner.
  void Get(const std::string& ticket_id, const std::string& player_id, GetDone done);
  /// A socket of this shard closed: its pending tickets lose it, and tickets left with no
  /// socket (and never queued over REST) are dropped without a push.
  void OnClientClosed(const ClientRef& ref);

  /// The node drains (SIGTERM): every ticket pending in this shard's queues leaves them, and
  /// its sockets get `match.matchmaker_expired {ticket_id}` (websocket.md §6.4, "ticket gone")
  /// so that clients queue again, through the load balancer, on another node. Bots are
  /// dropped silently. This shard only (each shard owns its queues).
  void DropAllTickets();

  /// Clustered nodes: a group formed by the queue of another node (the owner) is placed on the
  /// least-loaded shard of this node. Tickets whose origin_node is another node join through
  /// proxy clients (ClusterQueue::ProxyFor); this node's players through their sockets. A
  /// group that cannot start tells its players `match.matchmaker_failed` (never requeued here).
  /// The outcome (match id, or failed) is reported to the queue's node
  /// (ClusterQueue::ReportPlacement).
  void PlaceRemoteGroup(const std::string& mode, std::vector<Ticket> group);

  /// Clustered nodes, queue side: another node reports what became of tickets of `mode` whose
  /// group formed here (ClusterQueue::ReportPlacement): matched in `match_id` or failed are
  /// recorded for GET /matchmaker/:ticket_id; kRequeue puts them back in the queue with their
  /// original wait (a ticket no longer known here is told `match_start_failed`). Runs on the
  /// mode's queue shard; call from any shard of this node.
  void RecordRemotePlacement(const std::string& mode, PlacementOutcome outcome,
                             const std::string& match_id, std::vector<std::string> ticket_ids);

  /// Runs one periodic pass on this shard's queues now (tests and benchmarks).
  void TickNow();
  /// Runs queue fill with bots on this shard's queues now (tests).
  void FillBotsNow();
  /// Pending tickets of `mode` if its queue lives here, else 0.
  size_t QueuedHere(const std::string& mode) const;
  /// Tickets this shard remembers for one of its sockets (tests).
  size_t SocketTickets(const ClientRef& ref) const;

 private:
  struct OwnedQueue;
  struct Resolved;

  // Queue owner side.
  Result<AddReply> AddOnOwner(AddRequest& req);
  Status RemoveOnOwner(const std::string& ticket_id, const std::string& player_id);
  Result<TicketStatus> GetOnOwner(const std::string& ticket_id, const std::string& player_id);
  void DetachOnOwner(const std::string& ticket_id, const ClientRef& ref);
  OwnedQueue* QueueFor(const ModeInfo& info);
  void ScheduleEagerPass();
  void Pass(OwnedQueue& q, int64_t now_ms);
  void Expire(OwnedQueue& q, int64_t now_ms);
  /// Takes out every ticket of `q` that waited more than `max_wait_ms` (-1: all) and pushes
  /// match.matchmaker_expired to its sockets.
  void ExpireOlderThan(OwnedQueue& q, int64_t now_ms, int64_t max_wait_ms);
  void FillBots(OwnedQueue& q);
  void DispatchGroup(const std::string& mode, std::vector<Ticket> group, int target_shard);
  int PickShard(std::vector<int64_t>* assigned) const;
  void Resolve(const Ticket& t, std::string status, std::string match_id);
  void ReleaseTicket(const Ticket& t);
  void OnTick();
  void OnBotFill();

  // Placement side (the match's shard). Groups wait in placing_ and are placed a few at a time
  // (at most kPlaceSliceNs of work per reactor turn), so a burst of groups does not stall the
  // shard's sockets and timers.
  void EnqueuePlace(const std::string& mode, std::vector<Ticket> group, int queue_shard);
  void PumpPlacements();
  void SchedulePump();
  void Place(const std::string& mode, std::vector<Ticket> group, int queue_shard);
  /// Drops the tickets of `busy` players of `group` (no push to them; GET /matchmaker/:id
  /// then reads `failed`) and requeues the other humans with their wait. A group formed on
  /// another node: both are reported to that node (P `f` and `r`); when it is gone, the others
  /// are told match_start_failed.
  void DropBusy(std::vector<Ticket> group, const std::vector<std::string>& busy, int queue_shard);
  /// Seat claims (deps_.claim_seats) passed: attaches every socket and places the group.
  void PlaceSeated(const std::string& mode, std::vector<Ticket> group, int queue_shard,
                   std::vector<std::string> humans, std::string match_id);
  /// Clustered: tickets of players whose sockets are on another node get a proxy client.
  void AddProxies(std::vector<Ticket>& group);
  /// Tells a ticket's sockets (or, socket-less, every socket of its player) it failed.
  void NotifyFailed(const Ticket& t, std::string_view reason);
  void PlaceClaimed(const std::string& mode, std::vector<Ticket> group, int queue_shard,
                    std::vector<std::string> humans, std::string match_id);
  void AfterPlace(const std::string& mode, std::vector<Ticket> group, int queue_shard,
                  PlacementResult result);
  /// On the queue shard: the placement of these tickets ended (`failed` ids did not get in).
  /// Clustered: reports a remotely formed group's outcome to its queue's node; true when sent
  /// (false when the group was formed here, `ticket_ids` is empty or the node is gone).
  bool ReportRemote(const std::vector<Ticket>& group, PlacementOutcome outcome,
                    const std::string& match_id, const std::vector<std::string>& ticket_ids);
  void RecordPlacement(const std::string& match_id, const std::vector<std::string>& failed,
                       const std::vector<std::string>& matched);
  /// On the queue shard: puts tickets of an unstarted group back (original wait time).
  void Requeue(std::vector<Ticket> tickets);

  // Client side.
  /// Pushes `frame` (unless empty) to `refs` on their shards, which then forget the ticket ids
  /// `forget`; with `drop_others` those sockets also withdraw their other pending tickets.
  void Send(std::vector<ClientRef> refs, std::string frame, std::vector<std::string> forget,
            bool drop_others = false);
  void DeliverLocal(const std::vector<ClientRef>& refs, const std::string& frame,
                    const std::vector<std::string>& forget, bool drop_others);
  void Remember(const ClientRef& ref, const std::string& ticket_id);
  void Forget(const ClientRef& ref, const std::string& ticket_id);
  template <typename T>
  void ReplyTo(int shard, std::function<void(T)> done, T value);

  MatchmakerNode& node_;
  match::MatchHost& host_;
  MatchmakerDeps deps_;
  std::unordered_map<std::string, std::unique_ptr<OwnedQueue>> queues_;  // by mode
  std::unordered_map<std::string, std::string> ticket_modes_;            // pending id -> mode
  std::unordered_map<std::string, Resolved> resolved_;                   // recently resolved
  std::unordered_map<uint64_t, std::vector<std::string>> socket_tickets_;
  match::MatchHost::TimerId tick_timer_ = 0;
  match::MatchHost::TimerId bot_timer_ = 0;
  match::MatchHost::TimerId eager_timer_ = 0;
  struct PendingPlace {
    std::string mode;
    std::vector<Ticket> group;
    int queue_shard = 0;
  };
  std::deque<PendingPlace> placing_;
  bool pump_scheduled_ = false;
};

}  // namespace asobi::matchmaker
