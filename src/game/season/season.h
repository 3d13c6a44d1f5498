// The season domain's registration (ARCHITECTURE.md "Adding a domain"; docs/seasons.md): the
// REST reads on every shard, `game.season` for Lua on every shard, and the SeasonClock on
// shard 0 that archives and resets the seasons' leaderboards and grants their rewards.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "game/domain.h"
#include "game/season/season_config.h"

namespace asobi::season {

/// Options from Config (src/server/domains.cc).
struct SeasonOptions {
  std::string seasons_file;  // --seasons: the operators' seasons (empty: none)
  int64_t tick_ms = 1000;    // --season-tick-ms: how often start/end times are checked
};

/// Loads `options.seasons_file` (the server refuses to start when it is bad: main.cc checks it
/// with LoadSeasonsFile first) and registers the routes, the Lua backend and the per-shard
/// start-up step (the clock needs a database). Must be called after the economy and
/// leaderboard domains: the clock uses their services on shard 0.
void RegisterSeasons(DomainContext& ctx, const SeasonOptions& options);

}  // namespace asobi::season
