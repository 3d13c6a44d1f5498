// OpenID Connect ID tokens (compact JWS, RFC 7515/7519): split and header checks, then the
// signature with OpenSSL EVP and the claims (OpenID Connect Core §3.1.3.7). Pure functions,
// any thread. Every refusal is an Error with reason kProviderRejected and the short detail
// (rest.md §2.8 `details.reason`) in `message`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "game/oauth/identity_verifier.h"
#include "game/oauth/jwks.h"

namespace asobi::oauth {

/// rest.md §1.3 code of every validation failure.
inline constexpr char kProviderRejected[] = "auth.provider_rejected";
/// ID tokens longer than this are refused unparsed (malformed_token).
inline constexpr size_t kMaxIdTokenBytes = 16384;

/// A split token whose header passed: `alg` is RS256 or ES256 and `kid` is present.
struct ParsedIdToken {
  std::string alg;
  std::string kid;
  std::string_view signing_input;  // header.payload, inside the token given to Parse
  std::string signature;           // decoded
  std::string payload;             // decoded JSON text
};

/// What the issuer must match (per provider, from the server's configuration).
struct IdTokenPolicy {
  std::string issuer;    // exact `iss`
  std::string audience;  // the client id: `aud` (string or array) must contain it
  int64_t leeway_s = 60;
};

/// Splits `token` and checks its header. Details: malformed_token, unsupported_alg (`none`,
/// HS256 and anything but RS256/ES256), missing_kid.
Result<ParsedIdToken> ParseIdToken(std::string_view token);

/// Verifies the signature with `key` (its type must fit `alg`, and the JWK's own `alg` when
/// it names one), then the claims at `now_s` (Unix seconds). Details: bad_signature,
/// wrong_issuer, wrong_audience, expired, not_yet_valid, issued_in_future, missing_sub,
/// malformed_token.
Result<IdClaims> VerifyIdToken(const ParsedIdToken& token, const Jwk& key,
                               const IdTokenPolicy& policy, int64_t now_s);

/// Reads the claims of an already verified payload (the second half of VerifyIdToken;
/// exposed for the fuzz target). Same details as VerifyIdToken minus bad_signature.
Result<IdClaims> CheckClaims(std::string_view payload_json, const IdTokenPolicy& policy,
                             int64_t now_s);

}  // namespace asobi::oauth
