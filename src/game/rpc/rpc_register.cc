#include <memory>

#include "game/rpc/rpc.h"
#include "game/rpc/rpc_handlers.h"
#include "game/rpc/rpc_routes.h"
#include "game/rpc/rpc_service.h"

namespace asobi::rpc {

void RegisterRpc(DomainContext& ctx, const RpcOptions& options) {
  RegisterRpcHandlers(ctx.ws_registry());
  RegisterRpcRoutes(ctx.http_api());
  modes::ModeRegistry* modes = options.modes;
  const bool legacy = options.legacy_game_frames;
  ctx.OnShardStart([modes, legacy](GameShard& game) {
    if (game.db == nullptr) return;
    RpcHost::Hooks hooks;
    GameShard* g = &game;
    hooks.send_to_player = [g](std::string_view player_id, std::string_view frame) {
      if (g->send_to_player) g->send_to_player(player_id, frame);
    };
    hooks.legacy_game_frames = legacy;
    auto service = std::make_shared<RpcService>(modes, std::move(hooks));
    RpcService::SetForThisShard(service.get());
    game.AddTeardown([service]() mutable {
      RpcService::SetForThisShard(nullptr);
      service.reset();
    });
  });
}

}  // namespace asobi::rpc
