#include <memory>

#include "base/log.h"
#include "game/game_shard.h"
#include "game/oauth/oauth.h"
#include "game/oauth/oauth_config.h"
#include "game/oauth/oauth_routes.h"
#include "game/oauth/oauth_service.h"

namespace asobi::oauth {
namespace {

constexpr size_t kQueueMax = 256;
constexpr int64_t kQueueWaitMaxMs = 5000;

}  // namespace

std::function<void()> RegisterOauth(DomainContext& ctx, const OauthOptions& options) {
  auto providers = std::make_shared<OauthProviders>();
  Result<std::vector<OidcProviderConfig>> configs = ParseOidcProviders(options.oidc_providers_json);
  if (!configs.ok()) {
    LOG_ERROR("oauth sign-in stays off: bad --oidc-providers").KV("error", configs.error().message);
  } else {
    for (OidcProviderConfig& c : configs.value()) {
      std::string name = c.name;
      providers->oidc[name] = std::make_unique<OidcProvider>(std::move(c));
    }
  }
  WorkerPool::Options wo;
  wo.threads = options.workers;
  wo.nice = 10;
  wo.queue_max = kQueueMax;
  wo.queue_wait_max_ms = kQueueWaitMaxMs;
  providers->workers = std::make_unique<WorkerPool>(wo);
  RegisterOauthRoutes(ctx.http_api());
  ctx.OnShardStart([providers](GameShard& game) {
    if (game.db == nullptr || game.accounts == nullptr) return;
    auto service = std::make_shared<OauthService>(*game.shard, *game.db, *game.accounts,
                                                  game.auth_posture, providers);
    game.AddTeardown([service]() mutable { service.reset(); });
  });
  return [providers] { providers->workers->Shutdown(); };
}

}  // namespace asobi::oauth
