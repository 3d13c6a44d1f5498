#include <memory>

#include "game/social/social.h"
#include "game/social/social_routes.h"
#include "game/social/social_service.h"

namespace asobi::social {

void RegisterSocial(DomainContext& ctx, const SocialOptions& options) {
  (void)options;
  RegisterSocialRoutes(ctx.http_api());
  ctx.OnShardStart([](GameShard& game) {
    if (game.db == nullptr) return;
    auto service = std::make_shared<SocialService>(game.shard->reactor(), *game.db);
    game.AddTeardown([service]() mutable { service.reset(); });
  });
}

}  // namespace asobi::social
