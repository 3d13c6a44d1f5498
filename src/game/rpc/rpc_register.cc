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
  ctx.OnShardStart([modes](GameShard& game) {
    if (game.db == nullptr) return;
    auto service = std::make_shared<RpcService>(modes);
    RpcService::SetForThisShard(service.get());
    game.AddTeardown([service]() mutable {
      RpcService::SetForThisShard(nullptr);
      service.reset();
    });
  });
}

}  // namespace asobi::rpc
