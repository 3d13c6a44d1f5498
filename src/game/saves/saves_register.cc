#include <memory>

#include "game/saves/saves.h"
#include "game/saves/saves_routes.h"
#include "game/saves/saves_service.h"
#include "game/saves/storage_lua_backend.h"
#include "game/saves/storage_routes.h"
#include "game/saves/storage_service.h"
#include "script/game_api/api_backends.h"

namespace asobi::saves {

void RegisterSaves(DomainContext& ctx) {
  RegisterSavesRoutes(ctx.http_api());
  RegisterStorageRoutes(ctx.http_api());
  ctx.OnShardStart([](GameShard& game) {
    if (game.db == nullptr) return;
    auto svc = std::make_shared<SavesService>(*game.db);
    SetSavesServiceOnThisShard(svc.get());
    auto storage = std::make_shared<StorageService>(*game.db);
    SetStorageServiceOnThisShard(storage.get());
    auto lua = std::make_shared<StorageLuaBackend>(*game.db);
    script::game_api::ApiBackends::OnThisShard().storage = lua.get();
    game.AddTeardown([svc, storage, lua]() mutable {
      script::game_api::ApiBackends::OnThisShard().storage = nullptr;
      lua.reset();
      SetStorageServiceOnThisShard(nullptr);
      SetSavesServiceOnThisShard(nullptr);
      storage.reset();
      svc.reset();
    });
  });
}

}  // namespace asobi::saves
