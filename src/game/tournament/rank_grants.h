// Grants rewards by rank through the ledger, exactly once across retries (used by tournaments
// and seasons): every grant carries the same idempotency key, unique per wallet in the ledger,
// so repeating the whole call after a crash or a failure replays the grants already done
// instead of crediting them again (docs/decisions.md "Tournaments", "Seasons").
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "game/economy/economy_service.h"
#include "game/tournament/rewards.h"

namespace asobi::tournament {

/// (player id, 1-based rank) pairs.
using Standings = std::vector<std::pair<std::string, int64_t>>;

/// Grants each player of `standings` what its rank earns in `rewards`, with ledger reason
/// `reason` and idempotency key `key`. `done(true)` when every grant succeeded, replayed, or
/// found the player erased; `done(false)` when one failed (the caller repeats the call later).
/// Runs on the calling shard (that of `economy`); `done` runs there once, never inside the
/// call when there is a grant to make.
void GrantRankRewards(economy::EconomyService& economy, const Standings& standings,
                      const std::vector<RewardRange>& rewards, const std::string& reason,
                      const std::string& key, std::function<void(bool)> done);

}  // namespace asobi::tournament
