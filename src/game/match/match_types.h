// Values exchanged with the match runtime: statuses, join requests and outcomes, listings
// (websocket.md §5, lua.md §3). Plain data: copyable across shards.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "game/client.h"

namespace asobi::match {

/// lua.md §3 states (`paused` is operator-only and not implemented).
enum class MatchStatus { kWaiting, kRunning, kFinished };

/// "waiting", "running", "finished".
std::string_view StatusName(MatchStatus s);

/// A join, built by the caller and run on the owner shard (docs/match_design.md).
struct JoinRequest {
  std::string match_id;
  std::string player_id;
  /// Sockets of the player that receive the match's pushes (may be on any shard; empty for a
  /// player joined by the server with no socket yet).
  std::vector<ClientRef> clients;
  /// The validated `ctx` object as JSON ("{}" when absent), passed to `join` (§5.4).
  std::string ctx_json = "{}";
  /// A ctx violation found by the caller (websocket.md §5.4 reason), reported in spec order
  /// after not_found and the rate limit. Empty when the ctx is valid.
  std::string ctx_error;
  /// Apply the node-wide join limit (10 / 60 s per player) on the owner; false when the
  /// caller already did (match.find_or_create).
  bool rate_limit = true;
};

/// Outcome of a join. `reason` empty = joined; else a websocket.md §4 reason
/// (match_not_found, join_rate_limited, join ctx reasons, match_locked, match_full,
/// join_refused, not_in_match, internal) with `details_json` (`{"refused_reason":..}`).
struct JoinOutcome {
  std::string reason;
  std::string details_json;
  /// On success: the `match.joined` payload object.
  std::string joined_json;
  std::string match_id;
  bool ok() const { return reason.empty(); }
};
/// Completion of a join; runs once, on the shard whose Join was called.
using JoinDone = std::function<void(JoinOutcome)>;

/// One entry of match.list / GET /matches/live (websocket.md §5.1).
struct MatchListing {
  std::string match_id;
  std::string mode;
  MatchStatus status = MatchStatus::kWaiting;
  int player_count = 0;
  int max_players = 0;
  bool joinable = true;
  bool listed = false;
  int owner_shard = 0;
  /// The phase info object (lua.md §5, PhaseClock::InfoJson); empty = the match has no phases.
  std::string phase_json;
};

/// match.list filters (websocket.md §5.1); nullopt = no filter.
struct ListFilter {
  std::optional<std::string> mode;
  bool has_capacity = false;
  std::optional<bool> joinable;
  bool include_unlisted = false;  // ops reads: also matches not in match.list (listed = false)
};

/// Writes a listing object (match_id, mode, status, player_count, max_players, joinable).
std::string ListingJson(const MatchListing& l);

}  // namespace asobi::match
