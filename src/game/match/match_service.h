// MatchService: the match runtime of one shard (docs/match_design.md "Per-shard service").
// Owns the matches whose owner is this shard, delivers match frames to this shard's sockets,
// tracks which match each local socket is in, and serializes quick-play placement for the
// modes this shard coordinates. Reachable from mailbox tasks as MatchService::OnThisShard().
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "base/result.h"
#include "game/match/client_matches.h"
#include "game/match/match.h"
#include "game/match/match_host.h"
#include "game/match/match_node.h"
#include "game/match/match_outbox.h"
#include "reactor/histogram.h"

namespace asobi::match {

/// A match.find_or_create request (websocket.md §5.2) after the caller's checks (rate limit,
/// ctx, mode, quick_play).
struct QuickPlayRequest {
  std::string mode;
  JoinRequest join;  // match_id filled in by the coordinator; rate_limit = false
  int origin_shard = 0;
};

struct GroupJob;

/// One member of a group placed by the server (matchmaker), with the sockets to attach.
struct PlacedMember {
  std::string player_id;
  std::vector<ClientRef> clients;
};

/// Outcome of MatchService::CreateAndJoin. `reason` empty: the match exists; `joined` lists
/// the members it accepted (in order), `refused` the others. Else "no_game_module" (unknown
/// or world mode) or "match_start_failed" (capacity, script failure) and nobody joined.
struct GroupPlacement {
  std::string reason;
  std::string match_id;
  std::vector<std::string> joined;
  std::vector<std::string> refused;
};

/// One per shard, owned by MatchSetup (server/match_setup.h); every method on that shard.
class MatchService {
 public:
  /// Construct on the shard's own thread; registers itself as OnThisShard(). `host` and
  /// `node` must outlive it.
  MatchService(MatchHost& host, MatchNode& node);
  /// Destroys every match (no frames, no records) and unregisters.
  ~MatchService();
  MatchService(const MatchService&) = delete;
  MatchService& operator=(const MatchService&) = delete;

  /// The service of the calling shard thread, or null.
  static MatchService* OnThisShard();
  /// Makes `s` the calling thread's service (tests that host several services on one thread
  /// switch between them; the constructor calls it).
  static void SetOnThisShard(MatchService* s);

  /// The shard's host, the node-wide part, and this shard's socket -> match index.
  MatchHost& host() { return host_; }
  MatchNode& node() { return node_; }
  ClientMatches& clients() { return clients_; }
  /// How late each tick of this shard's matches started after its due time, in µs (written
  /// on this shard only; any thread may read).
  Histogram& tick_lateness_us() { return tick_lateness_us_; }
  /// How long each callback that overran its budget ran before the budget stopped it, in µs
  /// (this shard's matches; written on this shard only, any thread may read).
  Histogram& overrun_us() { return overrun_us_; }

  // ---- Owner-shard operations (call on the shard that owns the match id) ----

  /// Creates a match of `mode` on THIS shard (callers SubmitTo the chosen shard first), with a
  /// fresh id owned by this shard. Errors: "not_found" (unknown mode), "wrong_mode_type"
  /// (world mode), "match_capacity_reached" (node cap), "script_failed" (main chunk or init).
  /// `id`, when not empty, is the id to use (drawn with NewMatchIdForShard for this shard).
  Result<std::string> Create(const std::string& mode, const std::string& id = {});
  /// Join on the owner; `done` runs here. Unknown id: `match_not_found` (no rate-limit token).
  void Join(JoinRequest req, JoinDone done);
  /// Explicit leave on the owner (Match::Leave); unknown match: ignored.
  void Leave(const std::string& match_id, const std::string& player_id);
  /// One socket of the player left (see RouteDetach for `socket_closed`).
  void Detach(const std::string& match_id, const std::string& player_id, const ClientRef& ref,
              bool socket_closed);
  /// Re-attaches a reconnected socket to the seat kept for `player_id` (Match::Reattach).
  void Reattach(const std::string& match_id, const std::string& player_id, const ClientRef& ref);
  /// Queues an input; false when the match is unknown here.
  bool Input(const std::string& match_id, const std::string& player_id, std::string input_json,
             const ClientRef& from);
  /// vote.cast on the owner (Match::CastVote); unknown match: "not_in_match".
  std::string CastVote(const std::string& match_id, const std::string& player_id,
                       const std::string& vote_id, const std::string& option_json);
  /// vote.veto on the owner (Match::VetoVote); unknown match: "not_in_match".
  std::string VetoVote(const std::string& match_id, const std::string& player_id,
                       const std::string& vote_id);
  /// A match owned here, or null; match_count() is how many this shard owns.
  Match* Find(const std::string& match_id);
  size_t match_count() const { return matches_.size(); }
  /// Calls `fn(Match&)` for every match of this shard (must not create or destroy matches).
  template <typename F>
  void ForEachMatch(F fn) {
    for (auto& [id, m] : matches_) fn(*m);
  }

  /// Creates a match of `mode` on THIS shard and joins `members` one by one (no join rate
  /// limit, ctx `{}`, lua.md §4 "Matchmaker and bot joins pass {}"); joined members' sockets
  /// are recorded as in the match on their own shards. `done` runs here once. `match_id`, when
  /// not empty, is the new match's id (the matchmaker claimed seats under it).
  void CreateAndJoin(const std::string& mode, std::vector<PlacedMember> members,
                     std::function<void(GroupPlacement)> done, const std::string& match_id = {});
  /// Records on each socket's shard that it is now in `match_id` (a previous match of that
  /// socket is left for it).
  void AttachClients(const std::string& match_id, const std::string& player_id,
                     const std::vector<ClientRef>& clients);

  // ---- Quick play coordinator (the shard OwnerShardOf(mode) coordinates a mode) ----

  /// Queues `req`; requests of one mode run one at a time so concurrent callers converge on
  /// the same match. `done` runs on the coordinator; the caller forwards it to its origin.
  void QuickPlay(QuickPlayRequest req, JoinDone done);

  // ---- Delivery (destination shard) ----

  /// Sends a batch's frames to this shard's sockets and clears detached memberships.
  void DeliverLocal(const ShardBatch& batch);
  /// Routes batches produced by a match of this shard: local ones now, others by mailbox.
  void Deliver(std::vector<ShardBatch> batches);

  // ---- Hot reload ----

  /// Tells every match of this shard about changed script files (§16).
  void OnScriptsChanged(const modes::ChangedFiles& files);

  // ---- For Match ----

  /// The least-used tick phase slot of this shard (0 .. tick_ms-1, in ms), counted as used
  /// until ReleaseTickPhase.
  int TakeTickPhase();
  /// Gives back a TakeTickPhase slot (the match ended).
  void ReleaseTickPhase(int phase);

  /// Removes the match on a later turn (never inside its own call stack).
  void ScheduleDestroy(const std::string& match_id);
  /// Resumes `match_id`'s suspended callback when it still waits for `token`.
  void CompleteAsync(const std::string& match_id, uint64_t token,
                     script::game_api::AsyncReply reply);

 private:
  struct PendingQuickPlay {
    QuickPlayRequest req;
    JoinDone done;
  };
  void RunQuickPlay(const std::string& mode);
  void TryQuickPlay(const std::string& mode, std::unordered_set<std::string> tried);
  void QuickPlayJoin(const std::string& mode, std::string match_id,
                     std::unordered_set<std::string> tried);
  void QuickPlayDone(const std::string& mode, JoinOutcome outcome);
  void JoinNext(std::shared_ptr<GroupJob> job);

  MatchHost& host_;
  MatchNode& node_;
  std::unordered_map<std::string, std::unique_ptr<Match>> matches_;
  ClientMatches clients_;
  Histogram tick_lateness_us_;
  Histogram overrun_us_;
  std::vector<int> tick_phase_load_;  // matches per 1 ms phase slot of the tick period
  std::unordered_map<std::string, std::deque<PendingQuickPlay>> quick_play_;
};

}  // namespace asobi::match
