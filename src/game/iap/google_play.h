// GooglePlayVerifier: Play purchase verification through the Android Publisher API (rest.md
// §3.6): a service-account JWT (RS256, signed with OpenSSL) is exchanged for an access token
// at the key's token_uri (cached until a minute before it expires), then
// GET {api_base}/androidpublisher/v3/applications/{package}/purchases/products/{product}/
// tokens/{token} reads the purchase. Blocking (libcurl): call Verify on a WorkerPool thread
// only. Thread-safe (the token cache is mutex-guarded).
#pragma once

#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "base/result.h"
#include "game/iap/iap_errors.h"

namespace asobi::iap {

/// Play verifier settings: package, service-account credentials and endpoints (URLs).
struct GoogleConfig {
  std::string package_name;
  std::string client_email;     // from the service-account key
  std::string private_key_pem;  // from the service-account key (RSA)
  std::string token_uri;        // OAuth token endpoint (the JWT's audience)
  std::string api_base;         // e.g. https://androidpublisher.googleapis.com
  int64_t timeout_ms = 10000;   // per HTTP request
};

/// A product purchase as the API reports it.
struct GooglePurchase {
  std::string order_id;
  std::string purchase_time_ms;  // the API's string of epoch ms
  int64_t consumption_state = 0;
  bool acknowledged = false;
};

/// Node-wide (IapProviders::google); Verify runs on IAP worker threads (blocking HTTPS).
class GooglePlayVerifier {
 public:
  /// Reads client_email, private_key and token_uri from a service-account JSON key. Errors:
  /// "bad_config".
  static Result<GoogleConfig> ParseServiceAccount(std::string_view json);
  /// Errors: "bad_config" (no package name, unreadable key).
  static Result<std::unique_ptr<GooglePlayVerifier>> Create(GoogleConfig config);
  ~GooglePlayVerifier();
  GooglePlayVerifier(const GooglePlayVerifier&) = delete;
  GooglePlayVerifier& operator=(const GooglePlayVerifier&) = delete;

  /// Verifies one product purchase. Errors (reason kVerificationFailed, message =
  /// details.reason): provider_unreachable (network, timeout, 5xx), provider_auth_failed (token
  /// exchange refused, 401/403), purchase_not_found (404/410/400), purchase_not_completed
  /// (purchaseState cancelled or pending), bad_response; kMissingTransactionId when the
  /// purchase has no orderId.
  Result<GooglePurchase> Verify(const std::string& product_id, const std::string& token);

  /// The signed service-account assertion for `now_s` (for tests).
  Result<std::string> SignedAssertion(int64_t now_s) const;

 private:
  GooglePlayVerifier(GoogleConfig config, EVP_PKEY* key) : config_(std::move(config)), key_(key) {}
  // A cached or fresh access token.
  Result<std::string> AccessToken();

  GoogleConfig config_;
  EVP_PKEY* key_;
  std::mutex mu_;
  std::string token_;            // guarded by mu_
  int64_t token_expiry_ms_ = 0;  // guarded by mu_ (wall clock)
};

}  // namespace asobi::iap
