// AppleVerifier: StoreKit 2 signed transactions (JWS, rest.md §3.6) verified with OpenSSL:
//   - the JWS has three base64url segments; the header's `alg` is exactly "ES256" (so `none`,
//     HS256 and every other algorithm are refused before any key is looked at);
//   - the header's x5c chain (leaf first, DER in standard base64) verifies with
//     X509_verify_cert against the configured root certificates only (partial chains are not
//     accepted, so a self-signed leaf or a chain to another root fails), at the current time;
//   - the leaf carries Apple's receipt-signing OID 1.2.840.113635.100.6.11.1 and the
//     intermediate Apple's WWDR OID 1.2.840.113635.100.6.2.1, and the leaf key is P-256;
//   - the 64-byte r||s signature over `header.payload` verifies (converted to DER for
//     EVP_DigestVerify with SHA-256);
//   - the payload's bundleId equals the configured bundle id; transactionId is present.
// Thread-safe after construction (verifications run on the IAP worker pool).
#pragma once

#include <openssl/x509.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "game/iap/iap_errors.h"

namespace asobi::iap {

/// The decoded transaction (StoreKit 2 JWSTransactionDecodedPayload fields we return).
struct AppleTransaction {
  std::string transaction_id;
  std::string original_transaction_id;  // empty when absent
  std::string product_id;
  std::string type;
  int64_t purchase_date_ms = 0;
  std::optional<int64_t> expires_date_ms;
  int64_t quantity = 1;
};

/// Node-wide (IapProviders::apple), immutable after Create; used from IAP worker threads.
class AppleVerifier {
 public:
  /// Trusts every certificate in `roots_pem` (one or more PEM blocks). Errors: reason
  /// "bad_config" when no certificate can be read.
  static Result<std::unique_ptr<AppleVerifier>> Create(std::string bundle_id,
                                                       std::string_view roots_pem);
  ~AppleVerifier();
  AppleVerifier(const AppleVerifier&) = delete;
  AppleVerifier& operator=(const AppleVerifier&) = delete;

  /// Verifies `jws`. Errors: kVerificationFailed with message malformed_jws, unsupported_alg,
  /// missing_x5c, bad_certificate, untrusted_chain, not_apple_chain, bad_signature,
  /// wrong_bundle_id, bad_payload; kMissingTransactionId.
  Result<AppleTransaction> Verify(std::string_view jws) const;

 private:
  AppleVerifier(std::string bundle_id, X509_STORE* store)
      : bundle_id_(std::move(bundle_id)), store_(store) {}
  std::string bundle_id_;
  X509_STORE* store_;
};

}  // namespace asobi::iap
