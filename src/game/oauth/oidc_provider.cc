#include "game/oauth/oidc_provider.h"

#include "game/iap/http_fetch.h"

namespace asobi::oauth {
namespace {

Error Reject(const char* detail) { return MakeError(kProviderRejected, detail); }

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

}  // namespace

bool JwksUrlAllowed(std::string_view url) {
  if (StartsWith(url, "https://")) return url.size() > 8;
  for (std::string_view host : {"http://127.0.0.1:", "http://127.0.0.1/", "http://localhost:",
                                "http://localhost/", "http://[::1]:", "http://[::1]/"}) {
    if (StartsWith(url, host)) return true;
  }
  return false;
}

Result<std::string> FetchJwks(const std::string& url, int64_t timeout_ms) {
  iap::FetchRequest req;
  req.url = url;
  req.headers = {"Accept: application/json"};
  req.timeout_ms = timeout_ms;
  Result<iap::FetchReply> r = iap::HttpFetch(req);
  if (!r.ok()) return r.error();
  if (r->status != 200) return MakeError("fetch_failed", "status " + std::to_string(r->status));
  return std::move(r->body);
}

OidcProvider::OidcProvider(OidcProviderConfig config, Fetcher fetcher)
    : config_(std::move(config)), fetcher_(std::move(fetcher)) {
  policy_.issuer = config_.issuer;
  policy_.audience = config_.client_id;
  policy_.leeway_s = config_.leeway_s;
  if (!fetcher_) fetcher_ = &FetchJwks;
}

std::shared_ptr<const KeySet> OidcProvider::KeysFor(std::string_view kid, int64_t now_ms) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    bool fresh = keys_ && now_ms - fetched_at_ms_ < config_.cache_ttl_ms;
    if (fresh && keys_->Find(kid) != nullptr) return keys_;
    if (attempted_ && now_ms - last_attempt_ms_ < config_.refresh_min_ms) return keys_;
    attempted_ = true;
    last_attempt_ms_ = now_ms;  // claims the fetch: other workers use the current set
    fetches_.fetch_add(1, std::memory_order_relaxed);
  }
  Result<std::string> body = fetcher_(config_.jwks_uri, config_.http_timeout_ms);
  Result<KeySet> set = body.ok() ? ParseJwks(body.value()) : Result<KeySet>(body.error());
  std::lock_guard<std::mutex> lock(mu_);
  if (set.ok()) {
    keys_ = std::make_shared<const KeySet>(std::move(set.value()));
    fetched_at_ms_ = now_ms;
  }
  return keys_;
}

Result<IdClaims> OidcProvider::Verify(std::string_view token, int64_t now_ms) {
  Result<ParsedIdToken> parsed = ParseIdToken(token);
  if (!parsed.ok()) return parsed.error();
  std::shared_ptr<const KeySet> keys = KeysFor(parsed->kid, now_ms);
  if (!keys) return Reject("jwks_unavailable");
  const Jwk* key = keys->Find(parsed->kid);
  if (key == nullptr) return Reject("unknown_kid");
  return VerifyIdToken(parsed.value(), *key, policy_, now_ms / 1000);
}

}  // namespace asobi::oauth
