#include <memory>

#include "game/rest_util.h"
#include "game/saves/saves.h"
#include "game/saves/saves_routes.h"
#include "game/saves/saves_service.h"
#include "game/saves/storage_lua_backend.h"
#include "game/saves/storage_routes.h"
#include "game/saves/storage_service.h"
#include "script/game_api/api_backends.h"

namespace asobi::saves {
namespace {

void SaveOff(HttpCall& c) { RespondError(c, "save.not_found", "Cloud saves are disabled."); }
void StorageOff(HttpCall& c) { RespondError(c, "storage.not_found", "Storage is disabled."); }

// {storage, false}: the whole family answers 404 with its not_found code.
void RegisterDisabledRoutes(HttpApi& api) {
  api.Add("GET", "/api/v1/saves", &SaveOff);
  api.Add("GET", "/api/v1/saves/:slot", &SaveOff);
  api.Add("PUT", "/api/v1/saves/:slot", &SaveOff);
  api.Add("GET", "/api/v1/storage/:collection", &StorageOff);
  api.Add("GET", "/api/v1/storage/:collection/:key", &StorageOff);
  api.Add("PUT", "/api/v1/storage/:collection/:key", &StorageOff);
  api.Add("DELETE", "/api/v1/storage/:collection/:key", &StorageOff);
}

}  // namespace

void RegisterSaves(DomainContext& ctx, bool enabled) {
  if (!enabled) return RegisterDisabledRoutes(ctx.http_api());
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
