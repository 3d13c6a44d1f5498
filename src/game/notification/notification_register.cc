#include <atomic>
#include <memory>
#include <string>

#include "game/notification/notification.h"
#include "game/notification/notification_lua_backend.h"
#include "game/notification/notification_routes.h"
#include "game/notification/notification_service.h"
#include "script/game_api/api_backends.h"

namespace asobi::notification {

void RegisterNotifications(DomainContext& ctx, const NotificationOptions& options) {
  (void)options;
  RegisterNotificationRoutes(ctx.http_api());
  auto stored = std::make_shared<std::atomic<uint64_t>>(0);
  ctx.AddMetricsWriter([stored](std::string* out) {
    *out +=
        "# HELP asobi_notifications_total Notifications stored (and pushed to the player's "
        "sockets when online).\n# TYPE asobi_notifications_total counter\n"
        "asobi_notifications_total " +
        std::to_string(stored->load(std::memory_order_relaxed)) + "\n";
  });
  ctx.OnShardStart([stored](GameShard& game) {
    if (game.db == nullptr) return;
    struct PerShard {
      PerShard(GameShard& g, db::PgConnection& db)
          : service(g.shard->reactor(), db, g), lua(service) {}
      NotificationService service;
      NotificationLuaBackend lua;
    };
    auto state = std::make_shared<PerShard>(game, *game.db);
    state->service.CountStoredInto(stored.get());
    script::game_api::ApiBackends::OnThisShard().notify = &state->lua;
    game.AddTeardown([state]() mutable {
      script::game_api::ApiBackends::OnThisShard().notify = nullptr;
      state.reset();
    });
  });
}

}  // namespace asobi::notification
