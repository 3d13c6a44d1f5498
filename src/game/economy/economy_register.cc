#include <atomic>
#include <memory>
#include <string>

#include "game/economy/economy.h"
#include "game/economy/economy_lua_backend.h"
#include "game/economy/economy_routes.h"
#include "game/economy/economy_service.h"
#include "script/game_api/api_backends.h"

namespace asobi::economy {

void RegisterEconomy(DomainContext& ctx, const EconomyOptions& options) {
  (void)options;
  RegisterEconomyRoutes(ctx.http_api());
  auto ledger_rows = std::make_shared<std::atomic<uint64_t>>(0);
  ctx.AddMetricsWriter([ledger_rows](std::string* out) {
    *out +=
        "# HELP asobi_ledger_transactions_total Ledger rows committed (grants, debits and "
        "purchases that changed a balance; idempotent replays excluded).\n"
        "# TYPE asobi_ledger_transactions_total counter\nasobi_ledger_transactions_total " +
        std::to_string(ledger_rows->load(std::memory_order_relaxed)) + "\n";
  });
  ctx.OnShardStart([ledger_rows](GameShard& game) {
    if (game.db == nullptr) return;
    struct PerShard {
      PerShard(Reactor& reactor, db::PgConnection& db) : service(reactor, db), lua(service) {}
      EconomyService service;
      EconomyLuaBackend lua;
    };
    auto state = std::make_shared<PerShard>(game.shard->reactor(), *game.db);
    state->service.CountLedgerRowsInto(ledger_rows.get());
    game.economy = &state->service;
    script::game_api::ApiBackends::OnThisShard().economy = &state->lua;
    GameShard* g = &game;
    game.AddTeardown([g, state]() mutable {
      script::game_api::ApiBackends::OnThisShard().economy = nullptr;
      g->economy = nullptr;
      state.reset();
    });
  });
}

}  // namespace asobi::economy
