#include "game/world/runtime/worlds.h"

#include <memory>

#include "game/match/shard_match_host.h"
#include "game/world/runtime/world_handlers.h"
#include "game/world/runtime/world_routes.h"
#include "game/world/runtime/world_service.h"

namespace asobi::world {

void RegisterWorlds(DomainContext& ctx, const WorldsOptions& options) {
  if (options.modes == nullptr) return;  // no Lua runtime: the world family stays unknown
  auto node = std::make_shared<WorldNode>(options.node, options.modes, options.shard_count);
  RegisterWorldHandlers(ctx.ws_registry());
  RegisterWorldRoutes(ctx.http_api());
  ctx.OnShardStart([node](GameShard& game) {
    auto host = std::make_shared<match::ShardMatchHost>(game);
    auto service = std::make_shared<WorldService>(*host, game, *node);
    game.on_client_closed.push_back([](Client& client) { OnWorldClientClosed(client); });
    game.on_client_authenticated.push_back(
        [](Client& client) { OnWorldClientAuthenticated(client); });
    // The host and service live until the shard drains (then the worlds and zones go).
    game.AddTeardown([host, service]() mutable {
      service.reset();
      host.reset();
    });
  });
  ctx.AddMetricsWriter([node](std::string* out) {
    *out +=
        "# HELP asobi_worlds_live Live worlds.\n"
        "# TYPE asobi_worlds_live gauge\nasobi_worlds_live " +
        std::to_string(node->live()) + "\n";
  });
}

}  // namespace asobi::world
