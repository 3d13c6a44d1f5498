// LeaderboardBackend: what `game.leaderboard.*` (lua.md §9 Leaderboards) needs from the
// leaderboard domain. Implemented in game/leaderboard (LeaderboardLuaBackend) and installed per
// shard in ApiBackends::OnThisShard().leaderboard. Every method runs on the calling shard and
// answers through `done` exactly once, on that shard, never inside the call itself.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/result.h"

namespace asobi::script::game_api {

/// Interface; one implementation per shard, reached through
/// ApiBackends::OnThisShard().leaderboard.
class LeaderboardBackend {
 public:
  /// One ranked row (lua.md §9: `{player_id, score, rank}`).
  struct Entry {
    std::string player_id;
    int64_t score = 0;
    int64_t rank = 0;
  };
  /// Completions of Submit and of Top/Around.
  using EntryDone = std::function<void(Result<Entry>)>;
  using EntriesDone = std::function<void(Result<std::vector<Entry>>)>;

  virtual ~LeaderboardBackend() = default;

  /// Submits `score` (already truncated and clamped) with operator `op` ("best", "set" or
  /// "incr", already validated). Errors: invalid_board, invalid_player, capacity_reached,
  /// not_ready, internal.
  virtual void Submit(std::string board_id, std::string player_id, int64_t score, std::string op,
                      EntryDone done) = 0;
  /// The first `count` (1..100) entries.
  virtual void Top(std::string board_id, int count, EntriesDone done) = 0;
  /// `range` (0..50) entries each side of the player, and the player; empty without entry.
  virtual void Around(std::string board_id, std::string player_id, int range, EntriesDone done) = 0;
};

}  // namespace asobi::script::game_api
