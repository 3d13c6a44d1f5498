// JWS signature helpers shared by the IAP (Apple StoreKit 2) and OAuth (OpenID ID token)
// verifiers: ES256's r||s form (RFC 7518 §3.4) to DER, and one SHA-256 signature check with
// OpenSSL EVP (RS256 PKCS#1 v1.5 for RSA keys, ECDSA for EC keys). Pure, any thread.
#pragma once

#include <openssl/evp.h>

#include <string>
#include <string_view>

namespace asobi::iap {

/// The DER ECDSA-Sig-Value of a 64-byte r||s P-256 signature; "" when `raw` is not 64 bytes.
std::string EcdsaRawToDer(std::string_view raw);

/// Whether `sig` (DER for EC keys, raw for RSA) signs `input` under `key` with SHA-256.
bool VerifySha256(EVP_PKEY* key, std::string_view input, std::string_view sig);

}  // namespace asobi::iap
