#include "game/economy/economy_lua_backend.h"

#include <utility>

namespace asobi::economy {
namespace {

using Backend = script::game_api::EconomyBackend;

WalletCallback ToWallet(std::shared_ptr<bool> alive, Backend::WalletDone done) {
  return [alive = std::move(alive), done = std::move(done)](Result<WalletChange> r) {
    if (!*alive) return;
    if (!r.ok()) return done(r.error());
    done(Backend::Wallet{std::move(r->player_id), std::move(r->currency), r->balance, r->replayed});
  };
}

}  // namespace

void EconomyLuaBackend::Grant(std::string player_id, std::string currency, int64_t amount,
                              std::string reason, std::optional<std::string> idempotency_key,
                              WalletDone done) {
  service_.Grant(std::move(player_id), std::move(currency), amount, std::move(reason),
                 std::move(idempotency_key), ToWallet(alive_, std::move(done)));
}

void EconomyLuaBackend::Debit(std::string player_id, std::string currency, int64_t amount,
                              std::string reason, std::optional<std::string> idempotency_key,
                              WalletDone done) {
  service_.Debit(std::move(player_id), std::move(currency), amount, std::move(reason),
                 std::move(idempotency_key), ToWallet(alive_, std::move(done)));
}

void EconomyLuaBackend::Balances(std::string player_id, BalancesDone done) {
  service_.Balances(std::move(player_id),
                    [alive = alive_, done = std::move(done)](Result<std::vector<WalletBalance>> r) {
                      if (!*alive) return;
                      if (!r.ok()) return done(r.error());
                      std::vector<Backend::Balance> out;
                      out.reserve(r->size());
                      for (WalletBalance& b : r.value()) {
                        out.push_back({std::move(b.currency), b.balance});
                      }
                      done(std::move(out));
                    });
}

void EconomyLuaBackend::Purchase(std::string player_id, std::string listing_id, ItemDone done) {
  service_.Purchase(std::move(player_id), std::move(listing_id),
                    [alive = alive_, done = std::move(done)](Result<PurchaseResult> r) {
                      if (!*alive) return;
                      if (!r.ok()) return done(r.error());
                      done(std::move(r->item_json));
                    });
}

}  // namespace asobi::economy
