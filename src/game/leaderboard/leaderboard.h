// The leaderboard domain's registration (ARCHITECTURE.md "Adding a domain"): live boards owned
// by shards (LeaderboardService), their REST routes (rest.md §3.7) and the `game.leaderboard`
// Lua backend (lua.md §9).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "game/domain.h"
#include "game/leaderboard/leaderboard_service.h"

namespace asobi::leaderboard {

/// Options from Config (src/server/domains.cc).
struct LeaderboardConfig {
  LeaderboardOptions service;
  /// Boards open to client submits over REST (`all` = every board); default none.
  std::vector<std::string> client_submit;
};

/// Registers the routes and a start-up step creating each shard's LeaderboardService (only
/// when the shard has a database; otherwise the routes answer 503 `not_ready`). Returns the
/// shutdown step: called off-shard before the shards tear down, it flushes every shard's
/// changed entries and waits for the writes (at most 5 s). Call once, before the shards start.
std::function<void()> RegisterLeaderboards(DomainContext& ctx, const LeaderboardConfig& config);

}  // namespace asobi::leaderboard
