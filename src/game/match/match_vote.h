// Vote: one vote of a match (lua.md §6; websocket.md §7) as plain data — the config read from
// `vote_requested`, ballots, the cast rules and errors, the tally and the resolution, and the
// JSON of the pushes, of `vote_resolved`'s result and of the persisted row. No Lua, no clock:
// the Match owns the timers. Owner shard only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "protocol/json_value.h"

namespace asobi::match {

/// Casts are accepted this long after the window (ms): ballots in flight when it ended. The
/// vote resolves then, so the result reaches players within window + 100 ms (issue 13). Not
/// upstream's "nominal 500 ms grace" (websocket.md §7.1); docs/decisions.md "Votes: the 50 ms
/// grace".
inline constexpr int64_t kVoteGraceMs = 50;

/// A vote's settings as the script's `vote_requested` returned them, defaults filled in
/// (lua.md §6); times in ms.
struct VoteConfig {
  std::string vote_id;
  std::string template_name = "default";
  std::string method = "plurality";    // "plurality" | "approval" | "weighted" | "ranked"
  std::string window_type = "fixed";   // "fixed" | "ready_up" | "hybrid" | "adaptive"
  int64_t min_window_ms = 5000;        // hybrid: never resolves earlier
  std::string visibility = "live";     // "live" | "hidden"
  std::string tie_breaker = "random";  // "random" | "first"
  int64_t window_ms = 15000;
  double quorum = 0.0;
  double supermajority = 0.75;
  bool require_supermajority = false;
  bool veto_enabled = false;
  int max_revotes = 3;
  std::vector<std::string> option_ids;  // in configured order
  std::string options_json;             // the options array as configured
  /// default_votes {player: option or list}, delegation {player: delegate} as JSON objects:
  /// applied at resolution to eligible players without a ballot (delegation first).
  std::string default_votes_json = "{}";
  std::string delegation_json = "{}";
};

/// Frustration weights of the "weighted" method (docs/decisions.md "Votes: weighted and
/// adaptive"): a player whose ballot lost the match's last `streak` decided votes in a row
/// weighs 1 + 0.5 * min(streak, 4).
double FrustrationWeight(int streak);

/// Reads a `vote_requested` return (encoded JSON object). Errors (the vote does not start,
/// logged by the caller): "invalid_options" (missing, empty, an option without a string id,
/// duplicate ids), "invalid_template" (over 255 bytes), "unsupported_method",
/// "unsupported_window_type".
Result<VoteConfig> ParseVoteConfig(std::string_view json);

/// The outcome of a resolved vote.
struct VoteResult {
  std::optional<std::string> winner;  // nullopt: no_quorum / no_consensus (JSON null)
  std::string status;                 // "decided" | "no_quorum" | "no_consensus"
  std::vector<double> counts;         // per option, in option order (weighted: sums of weights)
  double counted = 0.0;               // distribution's denominator: ballots, or their weight
  int64_t total_votes = 0;            // ballots cast
  double turnout = 0.0;               // ballots / eligible voters
};

/// One open or closed vote, owned by its Match; owner shard only.
class Vote {
 public:
  /// `eligible`: the roster at start (bots included); `opened_unix_ms` for the record.
  Vote(VoteConfig config, std::vector<std::string> eligible, int64_t opened_unix_ms);

  /// Read-only views: settings, vote id, and whether it is closed (resolved or vetoed).
  const VoteConfig& config() const { return config_; }
  /// Sets the players' weights (the "weighted" method; others count every ballot as 1).
  /// Players not listed weigh 1.
  void SetWeights(std::vector<std::pair<std::string, double>> weights) {
    weights_ = std::move(weights);
  }
  /// The "adaptive" window: true once the result can no longer change through the eligible
  /// voters without a ballot (each adding at most its weight to any option), the quorum is
  /// met and, with require_supermajority, the leader keeps it even if they all vote against
  /// it. Ballots cast count as final (a revote after the end answers vote_closed). Also true
  /// once everyone voted (the only way for ranked).
  bool Decided() const;
  /// After Resolve with a winner: each ballot's player and whether the ballot held the winner
  /// (ranked: as first preference), for the frustration streaks.
  std::vector<std::pair<std::string, bool>> BallotOutcomes(const VoteResult& r) const;
  const std::string& id() const { return config_.vote_id; }
  bool closed() const { return closed_; }

  /// Validates and records a ballot (websocket.md §7.1): "not_eligible", "invalid_option" (a
  /// list for plurality, a string for approval, an unknown or repeated option), "rate_limited"
  /// (more than max_revotes changes). Empty string = accepted. The caller checks closed /
  /// grace before.
  std::string Cast(const std::string& player_id, JsonValue option);
  /// Whether `player_id` was in the roster when the vote opened.
  bool IsEligible(const std::string& player_id) const;
  /// Closes the vote without a result (vetoed).
  void Close() { closed_ = true; }
  /// Every eligible voter has a ballot (ready_up windows end then).
  bool AllVoted() const;
  /// Closes the vote and computes the result; `pick` chooses among tied options for the
  /// random tie breaker (returns an index below its argument).
  VoteResult Resolve(uint32_t (*pick)(uint32_t n));

  /// {vote_id, template, options, window_ms, method}
  std::string StartJson() const;
  /// {vote_id, tallies, tally, time_remaining_ms, total_votes}
  std::string TallyJson(int64_t time_remaining_ms) const;
  /// {vote_id, winner, counts, distribution, total_votes, turnout}
  std::string ResultJson(const VoteResult& r) const;
  /// vote_resolved's result: {winner, counts, distribution, total_votes, votes_cast, status}
  std::string CallbackJson(const VoteResult& r) const;
  /// votes_cast as a JSON object {player: option or [options]}.
  std::string VotesCastJson() const;
  /// counts / distribution objects.
  std::string CountsJson(const std::vector<double>& counts) const;
  /// Share (0..1) of `total` per option id, as a JSON object (0 when total is 0).
  std::string DistributionJson(const std::vector<double>& counts, double total) const;
  /// Eligible voters, and the opening time (Unix ms) for the record.
  int eligible_count() const { return int(eligible_.size()); }
  int64_t opened_unix_ms() const { return opened_unix_ms_; }

 private:
  struct Ballot {
    std::string player_id;
    std::vector<int> options;  // indexes into option_ids
    int changes = 0;
  };
  int OptionIndex(std::string_view id) const;
  /// The option indexes of a ballot value, or "invalid_option".
  std::string ParseBallot(JsonValue option, std::vector<int>* picked) const;
  /// Ballots for eligible players who cast none: their delegate's, else their default vote.
  void ApplyDefaultsAndDelegation();
  /// Instant-runoff over the ranked ballots: the winner's index (or -1 with no ballots) and
  /// the final round's counts.
  int RunOff(std::vector<int64_t>* counts, uint32_t (*pick)(uint32_t n)) const;
  std::vector<double> Counts() const;
  double WeightOf(const std::string& player_id) const;
  bool HasBallot(const std::string& player_id) const;

  VoteConfig config_;
  std::vector<std::string> eligible_;
  std::vector<Ballot> ballots_;
  std::vector<std::pair<std::string, double>> weights_;  // player -> weight (weighted only)
  int64_t opened_unix_ms_ = 0;
  bool closed_ = false;
};

}  // namespace asobi::match
