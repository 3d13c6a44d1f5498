#include <memory>

#include "game/notification/notification.h"
#include "game/notification/notification_lua_backend.h"
#include "game/notification/notification_routes.h"
#include "game/notification/notification_service.h"
#include "script/game_api/api_backends.h"

namespace asobi::notification {

void RegisterNotifications(DomainContext& ctx, const NotificationOptions& options) {
  (void)options;
  RegisterNotificationRoutes(ctx.http_api());
  ctx.OnShardStart([](GameShard& game) {
    if (game.db == nullptr) return;
    struct PerShard {
      PerShard(GameShard& g, db::PgConnection& db)
          : service(g.shard->reactor(), db, g), lua(service) {}
      NotificationService service;
      NotificationLuaBackend lua;
    };
    auto state = std::make_shared<PerShard>(game, *game.db);
    script::game_api::ApiBackends::OnThisShard().notify = &state->lua;
    game.AddTeardown([state]() mutable {
      script::game_api::ApiBackends::OnThisShard().notify = nullptr;
      state.reset();
    });
  });
}

}  // namespace asobi::notification
