// EconomyLuaBackend: the game.economy.* backend (script/game_api/economy_backend.h) over the
// shard's EconomyService. One per shard, installed by RegisterEconomy's start-up step in
// ApiBackends::OnThisShard().economy; shard-affine.
#pragma once

#include <memory>

#include "game/economy/economy_service.h"
#include "script/game_api/economy_backend.h"

namespace asobi::economy {

/// Owned by the economy domain's per-shard state; shard-affine.
class EconomyLuaBackend final : public script::game_api::EconomyBackend {
 public:
  /// `service` must outlive the backend. Replies that arrive after the backend is destroyed
  /// (the database connection failing its queue at shutdown, after the domains and the
  /// matches were torn down) are dropped instead of reaching a freed match service.
  explicit EconomyLuaBackend(EconomyService& service) : service_(service) {}
  ~EconomyLuaBackend() override { *alive_ = false; }

  /// script::game_api::EconomyBackend (lua.md §9 Economy): forwards to EconomyService; `done`
  /// runs on this shard, and not at all once the backend is destroyed.
  void Grant(std::string player_id, std::string currency, int64_t amount, std::string reason,
             std::optional<std::string> idempotency_key, WalletDone done) override;
  void Debit(std::string player_id, std::string currency, int64_t amount, std::string reason,
             std::optional<std::string> idempotency_key, WalletDone done) override;
  void Balances(std::string player_id, BalancesDone done) override;
  void Purchase(std::string player_id, std::string listing_id, ItemDone done) override;

 private:
  EconomyService& service_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace asobi::economy
