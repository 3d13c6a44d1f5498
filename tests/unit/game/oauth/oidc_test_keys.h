// Test helpers for OpenID sign-in (rest.md §2.8): JWKS entries for keys made in the test
// (iap::testing::NewRsaKey / NewEcKey), RS256/ES256 ID tokens and their claims. Shared by the
// unit, integration and benchmark code.
#pragma once

#include <openssl/evp.h>

#include <cstdint>
#include <string>
#include <vector>

namespace asobi::oauth::testing {

/// The JWK (public part) of an RSA or P-256 key, with `kid` and, when not empty, `alg`.
std::string JwkJson(EVP_PKEY* key, const std::string& kid, const std::string& alg = "");
/// {"keys":[...]} of the given JWK texts.
std::string Jwks(const std::vector<std::string>& jwks);

/// header.payload.signature signed RS256 with `key` (PKCS#1 v1.5, SHA-256).
std::string SignRs256(const std::string& header_json, const std::string& payload_json,
                      EVP_PKEY* key);

/// Claims of an ID token: iss, aud, sub, iat = now_s, exp = now_s + ttl_s, email, name.
std::string Claims(const std::string& iss, const std::string& aud, const std::string& sub,
                   int64_t now_s, int64_t ttl_s = 3600, const std::string& email = "",
                   const std::string& name = "");

/// A signed ID token: RS256 for RSA keys, ES256 for EC keys, header {"alg","kid","typ"}.
std::string IdToken(EVP_PKEY* key, const std::string& kid, const std::string& claims_json);

/// Unix seconds now.
int64_t NowS();

}  // namespace asobi::oauth::testing
