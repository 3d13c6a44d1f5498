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

// Prometheus text of the OAuth counters (read atomics only; any shard's thread).
void WriteMetrics(const OauthProviders& p, std::string* out) {
  auto r = std::memory_order_relaxed;
  *out +=
      "# HELP asobi_oauth_verifications_total Provider tokens checked on the OAuth pool, by "
      "provider and result (rejected: auth.provider_rejected).\n"
      "# TYPE asobi_oauth_verifications_total counter\n";
  for (const auto& [name, c] : p.counters) {
    *out += "asobi_oauth_verifications_total{provider=\"" + name + "\",result=\"accepted\"} " +
            std::to_string(c->accepted.load(r)) + "\n";
    *out += "asobi_oauth_verifications_total{provider=\"" + name + "\",result=\"rejected\"} " +
            std::to_string(c->rejected.load(r)) + "\n";
  }
  *out +=
      "# HELP asobi_oauth_key_fetches_total JWKS documents fetched (or attempted), by provider.\n"
      "# TYPE asobi_oauth_key_fetches_total counter\n";
  for (const auto& [name, v] : p.verifiers) {
    *out += "asobi_oauth_key_fetches_total{provider=\"" + name + "\"} " +
            std::to_string(v->KeyFetches()) + "\n";
  }
  *out +=
      "# HELP asobi_oauth_busy_total Sign-ins and links answered not_ready: the OAuth pool was "
      "full or the job waited too long.\n"
      "# TYPE asobi_oauth_busy_total counter\n"
      "asobi_oauth_busy_total " +
      std::to_string(p.busy.load(r)) + "\n";
}

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
  for (const auto& [name, verifier] : providers->verifiers) {
    providers->counters[name] = std::make_unique<OauthProviders::Counters>();
  }
  WorkerPool::Options wo;
  wo.threads = options.workers;
  wo.nice = 10;
  wo.queue_max = kQueueMax;
  wo.queue_wait_max_ms = kQueueWaitMaxMs;
  providers->workers = std::make_unique<WorkerPool>(wo);
  RegisterOauthRoutes(ctx.http_api());
  ctx.AddMetricsWriter([providers](std::string* out) { WriteMetrics(*providers, out); });
  ctx.OnShardStart([providers](GameShard& game) {
    if (game.db == nullptr || game.accounts == nullptr) return;
    auto service = std::make_shared<OauthService>(*game.shard, *game.db, *game.accounts,
                                                  game.auth_posture, providers);
    game.AddTeardown([service]() mutable { service.reset(); });
  });
  return [providers] { providers->workers->Shutdown(); };
}

}  // namespace asobi::oauth
