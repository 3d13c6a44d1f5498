// EconomyBackend: what `game.economy.*` (lua.md §9 Economy) needs from the economy domain.
// Implemented in game/economy (EconomyLuaBackend) and installed per shard in
// ApiBackends::OnThisShard().economy. Every method runs on the calling shard and answers
// through `done` exactly once, on that shard, never inside the call itself.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace asobi::script::game_api {

/// Interface; one implementation per shard, reached through ApiBackends::OnThisShard().economy.
class EconomyBackend {
 public:
  /// A wallet after a grant or debit (lua.md §9: `{player_id, currency, balance}`).
  struct Wallet {
    std::string player_id;
    std::string currency;
    int64_t balance = 0;
    /// An earlier call with the same idempotency key had applied the change already.
    bool replayed = false;
  };
  /// One wallet of a player (game.economy.balances).
  struct Balance {
    std::string currency;
    int64_t balance = 0;
  };
  /// Completions of Grant/Debit and of Balances.
  using WalletDone = std::function<void(Result<Wallet>)>;
  using BalancesDone = std::function<void(Result<std::vector<Balance>>)>;
  /// The new player_items row as a JSON object.
  using ItemDone = std::function<void(Result<std::string>)>;

  virtual ~EconomyBackend() = default;

  /// Credits `amount` (already validated: 1 .. 2^31 - 1). `reason` empty = the default.
  /// Errors are lua.md §9 reasons (insufficient_funds, invalid_amount, player_not_found ...).
  virtual void Grant(std::string player_id, std::string currency, int64_t amount,
                     std::string reason, std::optional<std::string> idempotency_key,
                     WalletDone done) = 0;
  /// Debits `amount` (1 .. 2^31 - 1); insufficient_funds when short.
  virtual void Debit(std::string player_id, std::string currency, int64_t amount,
                     std::string reason, std::optional<std::string> idempotency_key,
                     WalletDone done) = 0;
  /// Every wallet of the player.
  virtual void Balances(std::string player_id, BalancesDone done) = 0;
  /// Buys one item of store listing `listing_id` (a UUID).
  virtual void Purchase(std::string player_id, std::string listing_id, ItemDone done) = 0;
};

}  // namespace asobi::script::game_api
