// The OAuth/OIDC sign-in domain's registration (ARCHITECTURE.md "Adding a domain"; rest.md
// §2.8, §3.1 /auth/oauth, /auth/link, /auth/unlink).
#pragma once

#include <functional>
#include <string>

#include "game/domain.h"

namespace asobi::oauth {

/// From Config (src/server/domains.cc).
struct OauthOptions {
  std::string oidc_providers_json;  // --oidc-providers (see oauth_config.h); "" = none
  int workers = 2;                  // threads verifying tokens, off the shards
  std::string steam_api_key;        // --steam-api-key; "" = steam off
  std::string steam_app_id;         // --steam-app-id
  std::string steam_api_base;       // --steam-api-base; "" = https://partner.steam-api.com
};

/// Loads the providers (a bad setting is logged and leaves every provider off: /auth/oauth
/// then answers auth.unsupported_provider), starts the OAuth worker pool, registers the
/// routes and each shard's OauthService (shards with a database only). Returns the function
/// that stops the pool: call it before the shards tear down (ServerShared::before_stop).
std::function<void()> RegisterOauth(DomainContext& ctx, const OauthOptions& options);

}  // namespace asobi::oauth
