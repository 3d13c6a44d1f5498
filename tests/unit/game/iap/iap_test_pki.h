// Test PKI for IAP verification (rest.md §3.6): EC P-256 keys, a root CA, an Apple-like
// intermediate and leaf (with Apple's marker OIDs), StoreKit-2-shaped JWS signed with ES256,
// forged variants, and RSA keys for Google service-account tests. All made with OpenSSL in
// the test; shared by the unit and integration tests.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace asobi::iap::testing {

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
  void operator()(X509* c) const { X509_free(c); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

/// A new EC key on `curve` ("P-256", "P-384").
Key NewEcKey(const char* curve = "P-256");
/// A new 2048-bit RSA key.
Key NewRsaKey();
/// PKCS#8 PEM of a private key; PEM of a public key.
std::string PrivatePem(EVP_PKEY* key);
std::string PublicPem(EVP_PKEY* key);

struct CertSpec {
  std::string cn;
  EVP_PKEY* key = nullptr;  // the subject's key
  X509* issuer = nullptr;   // null: self-signed
  EVP_PKEY* issuer_key = nullptr;
  bool ca = false;
  const char* marker_oid = nullptr;  // an extra (Apple marker) extension, or null
  int64_t not_before_s = -3600;      // relative to now
  int64_t not_after_s = 86400 * 365;
};
Cert MakeCert(const CertSpec& spec);
std::string CertPem(X509* cert);
/// Standard base64 of the DER (an x5c entry).
std::string CertB64(X509* cert);

/// A root, an intermediate (Apple WWDR OID) and a leaf (receipt-signing OID), all P-256.
struct AppleChain {
  Key root_key, inter_key, leaf_key;
  Cert root, inter, leaf;
  /// The x5c array (leaf, intermediate, root) as JSON.
  std::string X5c() const;
};
AppleChain MakeAppleChain(const char* leaf_curve = "P-256", bool leaf_oid = true,
                          int64_t leaf_not_after_s = 86400 * 365);

/// `header_json.payload_json.signature` with an ES256 (r||s) signature by `key`.
std::string SignEs256(const std::string& header_json, const std::string& payload_json,
                      EVP_PKEY* key);
/// The same with an HMAC-SHA256 signature keyed by `secret` (a forged HS256 token).
std::string SignHs256(const std::string& header_json, const std::string& payload_json,
                      const std::string& secret);
/// A StoreKit 2 transaction payload.
std::string ApplePayload(const std::string& bundle_id, const std::string& transaction_id,
                         const std::string& product_id, int64_t purchase_ms,
                         int64_t expires_ms = 0);
/// A complete, valid signed transaction for `chain`.
std::string AppleJws(const AppleChain& chain, const std::string& payload_json);

/// Verifies an RS256 JWT signature with `public_key` (for the Google fake's token endpoint).
bool VerifyRs256(const std::string& jwt, EVP_PKEY* public_key);

}  // namespace asobi::iap::testing
