#include <memory>

#include "game/saves/saves.h"
#include "game/saves/saves_routes.h"
#include "game/saves/saves_service.h"

namespace asobi::saves {

void RegisterSaves(DomainContext& ctx) {
  RegisterSavesRoutes(ctx.http_api());
  ctx.OnShardStart([](GameShard& game) {
    if (game.db == nullptr) return;
    auto svc = std::make_shared<SavesService>(*game.db);
    SetSavesServiceOnThisShard(svc.get());
    game.AddTeardown([svc]() mutable {
      SetSavesServiceOnThisShard(nullptr);
      svc.reset();
    });
  });
}

}  // namespace asobi::saves
