// OidcProvider: one configured OpenID provider (google, apple, microsoft, discord; rest.md
// §2.8): its issuer, client id and JWKS URL, and the cached key set. Verify() is blocking (it
// may fetch the JWKS over HTTPS with libcurl): call it on the OAuth worker pool only, never on
// a shard. Thread-safe: the cache is guarded by `mu_` (never held across the network call).
//
// Cache: the key set is kept `cache_ttl_ms`; a token naming a `kid` the set lacks, or a stale
// set, triggers a refetch, at most one per `refresh_min_ms` (rotation without a fetch storm:
// forged kids cost nothing past that). A failed fetch keeps the previous set.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "base/result.h"
#include "game/oauth/id_token.h"
#include "game/oauth/identity_verifier.h"
#include "game/oauth/jwks.h"

namespace asobi::oauth {

/// One provider's settings (docs/decisions.md "OAuth": --oidc-providers).
struct OidcProviderConfig {
  std::string name;                        // google | apple | microsoft | discord
  std::string issuer;                      // https://... ; the exact `iss`
  std::string client_id;                   // the `aud` a token must carry
  std::string jwks_uri;                    // https://... (http only for a loopback host)
  int64_t http_timeout_ms = 5000;          // one JWKS fetch, connect included
  int64_t refresh_min_ms = 60000;          // between two fetches at most
  int64_t cache_ttl_ms = 6 * 3600 * 1000;  // a set older than this is refetched
  int64_t leeway_s = 60;                   // exp / nbf / iat
};

class OidcProvider : public IdentityVerifier {
 public:
  /// Fetches a JWKS URL and returns its body (status 200) or an error. Default: libcurl.
  using Fetcher = std::function<Result<std::string>(const std::string& url, int64_t timeout_ms)>;

  explicit OidcProvider(OidcProviderConfig config, Fetcher fetcher = nullptr);

  /// Verifies `token` at `now_ms` (Unix ms). Blocking; worker threads only. Errors: reason
  /// kProviderRejected with the detail of ParseIdToken / VerifyIdToken, unknown_kid, or
  /// jwks_unavailable (no key set could be fetched: endpoint down, slow past the timeout,
  /// not JSON).
  Result<IdClaims> Verify(std::string_view token, int64_t now_ms) override;

  const OidcProviderConfig& config() const { return config_; }
  /// JWKS fetches attempted so far (tests, /metrics). Any thread.
  uint64_t fetches() const { return fetches_.load(std::memory_order_relaxed); }
  uint64_t KeyFetches() const override { return fetches(); }

 private:
  // The current set, refetched first when `kid` is missing or the set is stale and the rate
  // limit allows.
  std::shared_ptr<const KeySet> KeysFor(std::string_view kid, int64_t now_ms);

  OidcProviderConfig config_;
  IdTokenPolicy policy_;
  Fetcher fetcher_;
  mutable std::mutex mu_;
  std::shared_ptr<const KeySet> keys_;  // guarded by mu_
  int64_t fetched_at_ms_ = 0;           // guarded by mu_
  int64_t last_attempt_ms_ = 0;         // guarded by mu_
  bool attempted_ = false;              // guarded by mu_
  std::atomic<uint64_t> fetches_{0};    // read by /metrics without the lock
};

/// The libcurl fetcher (game/iap/http_fetch): GET with `Accept: application/json`.
Result<std::string> FetchJwks(const std::string& url, int64_t timeout_ms);

/// Whether `url` may serve keys: https, or http to 127.0.0.1 / localhost / [::1] (tests).
bool JwksUrlAllowed(std::string_view url);

}  // namespace asobi::oauth
