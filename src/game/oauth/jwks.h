// JWKS: the public keys an OpenID provider publishes (RFC 7517), turned into OpenSSL keys.
// Only signing keys we can verify with are kept: RSA (n, e; modulus >= 2048 bits) and EC P-256
// (x, y). Each needs a `kid`. Any thread; a KeySet is immutable once parsed.
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/result.h"

namespace asobi::oauth {

/// One public key of a JWKS: EVP_PKEY_RSA or EVP_PKEY_EC (P-256).
struct Jwk {
  int type = 0;                   // EVP_PKEY_RSA or EVP_PKEY_EC
  std::string alg;                // the JWK's `alg` ("" when absent)
  std::shared_ptr<EVP_PKEY> key;  // public key
};

/// The keys of one JWKS document, by `kid`.
class KeySet {
 public:
  /// The key named `kid`, or null.
  const Jwk* Find(std::string_view kid) const;
  size_t size() const { return keys_.size(); }

 private:
  friend Result<KeySet> ParseJwks(std::string_view json);
  std::unordered_map<std::string, Jwk> keys_;
};

/// JWKS documents larger than this are refused.
inline constexpr size_t kMaxJwksBytes = 256 * 1024;
/// Keys kept from one document at most (later ones are ignored).
inline constexpr size_t kMaxJwksKeys = 64;

/// Parses a JWKS document (`{"keys":[...]}`). Unusable keys (other types or curves, `use`
/// other than "sig", missing `kid`, malformed numbers, RSA under 2048 bits, points not on the
/// curve) are skipped. Errors: reason "bad_jwks" when the document is not a JWKS or has no
/// usable key.
Result<KeySet> ParseJwks(std::string_view json);

}  // namespace asobi::oauth
