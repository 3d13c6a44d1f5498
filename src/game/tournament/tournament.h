// The tournament domain's registration (ARCHITECTURE.md "Adding a domain"): list, get and join
// over REST (rest.md §3.8) on every shard, and the TournamentClock on shard 0 that activates
// tournaments and grants their rewards through the ledger when they end.
#pragma once

#include <cstdint>

#include "game/domain.h"

namespace asobi::tournament {

/// Options from Config (src/server/domains.cc).
struct TournamentOptions {
  int64_t tick_ms = 1000;  // --tournament-tick-ms: how often start/end times are checked
};

/// Registers the routes and the per-shard start-up step (only with a database). Must be called
/// after the economy and leaderboard domains: the clock uses their services on shard 0.
void RegisterTournaments(DomainContext& ctx, const TournamentOptions& options);

}  // namespace asobi::tournament
