#include <fstream>
#include <memory>
#include <sstream>

#include "base/log.h"
#include "game/iap/iap.h"
#include "game/iap/iap_routes.h"
#include "game/iap/iap_service.h"

namespace asobi::iap {
namespace {

constexpr size_t kQueueMax = 256;
constexpr int64_t kQueueWaitMaxMs = 5000;

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::unique_ptr<AppleVerifier> LoadApple(const IapOptions& o) {
  if (o.apple_bundle_id.empty()) return nullptr;
  std::optional<std::string> pem = ReadFile(o.apple_root_certs_path);
  if (!pem) {
    LOG_WARN("apple iap stays off: cannot read --iap-apple-root-certs")
        .KV("path", o.apple_root_certs_path);
    return nullptr;
  }
  Result<std::unique_ptr<AppleVerifier>> v = AppleVerifier::Create(o.apple_bundle_id, *pem);
  if (!v.ok()) {
    LOG_WARN("apple iap stays off").KV("error", v.error().message);
    return nullptr;
  }
  return std::move(v.value());
}

std::unique_ptr<GooglePlayVerifier> LoadGoogle(const IapOptions& o) {
  if (o.google_package_name.empty()) return nullptr;
  std::optional<std::string> key = ReadFile(o.google_service_account_path);
  Result<GoogleConfig> config = key ? GooglePlayVerifier::ParseServiceAccount(*key)
                                    : Result<GoogleConfig>(MakeError("bad_config", "unreadable"));
  if (!config.ok()) {
    LOG_WARN("google iap stays off: bad --iap-google-service-account")
        .KV("path", o.google_service_account_path)
        .KV("error", config.error().message);
    return nullptr;
  }
  config->package_name = o.google_package_name;
  config->api_base = o.google_api_base;
  if (!o.google_token_uri.empty()) config->token_uri = o.google_token_uri;
  config->timeout_ms = o.http_timeout_ms;
  Result<std::unique_ptr<GooglePlayVerifier>> v = GooglePlayVerifier::Create(config.value());
  if (!v.ok()) {
    LOG_WARN("google iap stays off").KV("error", v.error().message);
    return nullptr;
  }
  return std::move(v.value());
}

}  // namespace

std::function<void()> RegisterIap(DomainContext& ctx, const IapOptions& options) {
  auto providers = std::make_shared<IapProviders>();
  providers->apple = LoadApple(options);
  providers->google = LoadGoogle(options);
  WorkerPool::Options wo;
  wo.threads = options.workers;
  wo.nice = 10;
  wo.queue_max = kQueueMax;
  wo.queue_wait_max_ms = kQueueWaitMaxMs;
  providers->workers = std::make_unique<WorkerPool>(wo);
  RegisterIapRoutes(ctx.http_api());
  ctx.OnShardStart([providers](GameShard& game) {
    if (game.db == nullptr) return;
    auto service = std::make_shared<IapService>(*game.shard, *game.db, providers);
    game.AddTeardown([service]() mutable { service.reset(); });
  });
  return [providers] { providers->workers->Shutdown(); };
}

}  // namespace asobi::iap
