// The --oidc-providers setting (docs/decisions.md "OAuth"): a JSON object by provider name,
//   {"google":{"issuer":"https://accounts.google.com","client_id":"…",
//              "jwks_uri":"https://www.googleapis.com/oauth2/v3/certs"}, "apple":{…}, …}
// with optional integers "timeout_ms", "refresh_min_ms", "cache_ttl_ms", "leeway_s".
#pragma once

#include <string_view>
#include <vector>

#include "base/result.h"
#include "game/oauth/oidc_provider.h"

namespace asobi::oauth {

/// Provider names POST /auth/oauth knows (rest.md §2.8).
inline constexpr std::string_view kOidcProviderNames[] = {"google", "apple", "microsoft",
                                                          "discord"};

/// Parses the setting. Errors: reason "bad_config" naming the problem (not JSON, unknown
/// provider, missing or non-https issuer, missing client id, JWKS URL not allowed by
/// JwksUrlAllowed, numbers out of range).
Result<std::vector<OidcProviderConfig>> ParseOidcProviders(std::string_view json);

}  // namespace asobi::oauth
