#include <memory>

#include "game/economy/economy.h"
#include "game/economy/economy_service.h"

namespace asobi::economy {

void RegisterEconomy(DomainContext& ctx, const EconomyOptions& options) {
  (void)options;
  ctx.OnShardStart([](GameShard& game) {
    if (game.db == nullptr) return;
    auto service = std::make_shared<EconomyService>(game.shard->reactor(), *game.db);
    game.economy = service.get();
    GameShard* g = &game;
    game.AddTeardown([g, service]() mutable {
      g->economy = nullptr;
      service.reset();
    });
  });
}

}  // namespace asobi::economy
