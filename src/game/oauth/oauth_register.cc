#include <memory>

#include "base/log.h"
#include "game/game_shard.h"
#include "game/oauth/oauth.h"
#include "game/oauth/oauth_config.h"
#include "game/oauth/oauth_routes.h"
#include "game/oauth/oauth_service.h"
#include "game/oauth/steam_ticket.h"

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
      providers->verifiers[name] = std::make_unique<OidcProvider>(std::move(c));
    }
  }
  if (!options.steam_api_key.empty()) {
    bool digits = !options.steam_app_id.empty() &&
                  options.steam_app_id.find_first_not_of("0123456789") == std::string::npos;
    if (!digits) {
      LOG_ERROR("steam sign-in stays off: --steam-app-id must be digits");
    } else {
      SteamConfig sc;
      sc.api_key = options.steam_api_key;
      sc.app_id = options.steam_app_id;
      if (!options.steam_api_base.empty()) sc.api_base = options.steam_api_base;
      providers->verifiers["steam"] = std::make_unique<SteamVerifier>(std::move(sc));
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
