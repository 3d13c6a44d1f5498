// MatchNode: the node-wide part of the match runtime, shared by every shard's MatchService:
// options, the mode registry, the live-match cap and per-shard loads, the join limiter, the
// listing directory, the game.log node limit and metrics (docs/match_design.md).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/sliding_window_limiter.h"
#include "base/task.h"
#include "game/client.h"
#include "game/match/match_directory.h"
#include "game/match/match_options.h"
#include "game/modes/mode_registry.h"
#include "script/lua_node_memory.h"

namespace asobi::match {

/// Counters read by /metrics and benchmarks; written by any shard (relaxed atomics).
struct MatchMetrics {
  std::atomic<uint64_t> matches_created{0};
  std::atomic<uint64_t> matches_finished{0};
  std::atomic<uint64_t> ticks{0};
  /// Ticks skipped because the match was suspended in a *DB* call (DECISIONS.md Lua 2).
  std::atomic<uint64_t> ticks_skipped_busy{0};
  std::atomic<uint64_t> callback_errors{0};
  std::atomic<uint64_t> inputs_dropped{0};
  std::atomic<uint64_t> frames_dropped{0};  // a destination mailbox was full
  std::atomic<uint64_t> reloads{0};
  std::atomic<uint64_t> reload_failures{0};
  /// Matches ended by the quarantine (repeated budget overruns, MatchOptions::overrun_limit).
  std::atomic<uint64_t> matches_quarantined{0};
  /// Bots whose script was stopped by the quarantine (they play with the default AI).
  std::atomic<uint64_t> bots_quarantined{0};
  /// Match creations refused because the node Lua memory budget is nearly used up.
  std::atomic<uint64_t> matches_refused_memory{0};
};

/// Created once at start-up, before the shards; outlives them. Thread-safe.
class MatchNode {
 public:
  MatchNode(MatchOptions options, modes::ModeRegistry* modes, int shard_count);

  /// Node-wide parts: options, modes, listing directory, counters, shard count (any thread;
  /// the directory and metrics are internally synchronised).
  const MatchOptions& options() const { return options_; }
  modes::ModeRegistry& modes() { return *modes_; }
  MatchDirectory& directory() { return directory_; }
  MatchMetrics& metrics() { return metrics_; }
  int shard_count() const { return shard_count_; }
  /// The node-wide budget of every match and bot Lua state (options().lua_node_max_bytes).
  script::LuaNodeMemory& lua_memory() { return lua_memory_; }

  /// Counts one more live match unless the node cap is reached (then false:
  /// `match_capacity_reached`). Pair with ReleaseMatch.
  bool TryReserveMatch();
  /// Gives back one TryReserveMatch; live_matches() is the current count (relaxed).
  void ReleaseMatch();
  int64_t live_matches() const { return live_.load(std::memory_order_relaxed); }

  /// Live matches owned by `shard` (for least-loaded placement).
  void AddShardLoad(int shard, int delta);
  /// Live matches owned by `shard` (relaxed).
  int64_t shard_load(int shard) const;
  /// The shard with the fewest live matches (lowest id on ties).
  int LeastLoadedShard() const;

  /// The node-wide join limit (websocket.md §3: 10 / 60 s per player). True = allowed.
  bool AllowJoin(const std::string& player_id, int64_t now_ms);
  /// game.log's node-wide limit (300 lines/s). True = may log.
  bool AllowNodeLog(int64_t now_ms);

  /// Node-wide index of players in live (waiting/running) matches, for the matchmaker's
  /// already_in_match check. A player in two matches counts twice.
  void AddPlayer(const std::string& player_id);
  /// Removes one count for the player, who left match `match_id` (or it ended);
  /// PlayerInMatch is true while any remains. Calls seat_released when set.
  void RemovePlayer(const std::string& player_id, const std::string& match_id);
  bool PlayerInMatch(const std::string& player_id) const;

  /// Players whose last socket closed while their running match keeps their seat for the
  /// mode's reconnect grace (docs/decisions.md "Reconnect grace"): player -> match id.
  /// Written on the match's owner shard; read when a socket authenticates (session.connect)
  /// to re-attach it. Thread-safe; the common case (nobody in grace) takes no lock.
  void SetReconnectable(const std::string& player_id, const std::string& match_id);
  /// Removes the entry when it still names `match_id`.
  void ClearReconnectable(const std::string& player_id, const std::string& match_id);
  /// The match keeping a seat for `player_id`, or "".
  std::string ReconnectableMatchOf(const std::string& player_id) const;

  /// Posts `fn` to shard `shard` from any thread (set by the server; the mode watcher uses it
  /// to tell every shard about changed scripts).
  std::function<void(int shard, Task fn)> post_to_shard;

  /// The bots' side of game.bots.* (lua.md §9, §10), set by the server at start-up where bots
  /// exist; each hook runs on the match's owner shard. `create` gives the bot a client (its
  /// "socket") before its join, `start` makes it think once joined, `destroy` removes it (join
  /// refused, or removed). Unset: a bot joins with no client and no AI.
  struct BotHooks {
    std::function<ClientRef(const std::string& mode, const std::string& bot_id)> create;
    std::function<void(const ClientRef& ref, const std::string& match_id)> start;
    std::function<void(const ClientRef& ref)> destroy;
  };
  BotHooks bot_hooks;

  /// Clustered nodes (issue 16 item 4): sends an operation of a socket of this node whose
  /// match runs on node `node` (ClientMatches::SetRemote) to that node, as `player_id`. `op`:
  /// 'I' input (body = normalized input JSON), 'L' leave, 'C' socket closed, 'V' vote.cast
  /// (body = vote_id "\n" option JSON), 'X' vote.veto (body = vote_id). `done` (votes only,
  /// else null) runs back on the calling shard with the reason ("" = accepted). Unset when
  /// clustering is off (no remote entry exists then).
  using RemoteOp = std::function<void(const std::string& node, const std::string& match_id,
                                      const std::string& player_id, char op, std::string body,
                                      std::function<void(std::string)> done)>;
  RemoteOp remote_op;

  /// Clustered nodes (docs/decisions.md "Seat claims"): runs on the match's owner shard when
  /// `player_id` leaves match `match_id` or the match ends, so the seat claimed for it in the
  /// database is given back. Unset when clustering is off.
  std::function<void(const std::string& player_id, const std::string& match_id)> seat_released;

 private:
  MatchOptions options_;
  modes::ModeRegistry* modes_;
  int shard_count_;
  MatchDirectory directory_;
  MatchMetrics metrics_;
  script::LuaNodeMemory lua_memory_;
  std::atomic<int64_t> live_{0};
  std::unique_ptr<std::atomic<int64_t>[]> loads_;
  std::mutex join_mu_;
  SlidingWindowLimiter join_limiter_;
  mutable std::mutex players_mu_;
  std::unordered_map<std::string, int> players_;
  mutable std::mutex grace_mu_;
  std::unordered_map<std::string, std::string> grace_;
  std::atomic<int64_t> grace_count_{0};
  std::atomic<int64_t> log_window_start_ms_{0};
  std::atomic<int64_t> log_count_{0};
};

}  // namespace asobi::match
