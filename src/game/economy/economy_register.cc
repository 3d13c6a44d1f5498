#include <memory>

#include "game/economy/economy.h"
#include "game/economy/economy_lua_backend.h"
#include "game/economy/economy_routes.h"
#include "game/economy/economy_service.h"
#include "script/game_api/api_backends.h"

namespace asobi::economy {

void RegisterEconomy(DomainContext& ctx, const EconomyOptions& options) {
  (void)options;
  RegisterEconomyRoutes(ctx.http_api());
  ctx.OnShardStart([](GameShard& game) {
    if (game.db == nullptr) return;
    struct PerShard {
      PerShard(Reactor& reactor, db::PgConnection& db) : service(reactor, db), lua(service) {}
      EconomyService service;
      EconomyLuaBackend lua;
    };
    auto state = std::make_shared<PerShard>(game.shard->reactor(), *game.db);
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
