#include "game/tournament/rank_grants.h"

#include <memory>

#include "base/log.h"

namespace asobi::tournament {

void GrantRankRewards(economy::EconomyService& economy, const Standings& standings,
                      const std::vector<RewardRange>& rewards, const std::string& reason,
                      const std::string& key, std::function<void(bool)> done) {
  auto pending = std::make_shared<int>(1);
  auto failed = std::make_shared<bool>(false);
  auto settle = [pending, failed, done = std::move(done)] {
    if (--*pending == 0) done(!*failed);
  };
  for (const auto& [player, rank] : standings) {
    for (const auto& [currency, amount] : RewardsFor(rewards, rank)) {
      ++*pending;
      economy.Grant(
          player, currency, amount, reason, key,
          [settle, failed, key](Result<economy::WalletChange> r) {
            // An erased player cannot be rewarded; anything else is retried.
            if (!r.ok() && r.error().reason != "player_not_found") {
              LOG_WARN("rank reward not granted yet").KV("key", key).KV("reason", r.error().reason);
              *failed = true;
            }
            settle();
          });
    }
  }
  settle();
}

}  // namespace asobi::tournament
