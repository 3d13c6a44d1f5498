// The IAP domain's registration (ARCHITECTURE.md "Adding a domain"; rest.md §3.6).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "game/domain.h"

namespace asobi::iap {

/// From Config (src/server/domains.cc). A provider stays off (its route answers 422
/// iap.verification_failed, details.reason "not_configured") until its settings are given.
struct IapOptions {
  std::string apple_bundle_id;
  std::string apple_root_certs_path;  // PEM file
  std::string google_package_name;
  std::string google_service_account_path;  // JSON key file
  std::string google_api_base;
  std::string google_token_uri;  // empty: the key's token_uri
  int64_t http_timeout_ms = 10000;
  int workers = 2;
};

/// Loads the providers (a provider whose files cannot be read is logged and stays off), starts
/// the IAP worker pool, registers the routes and each shard's IapService (shards with a
/// database only). Returns the function that stops the worker pool: call it before the
/// shards tear down (ServerShared::before_stop).
std::function<void()> RegisterIap(DomainContext& ctx, const IapOptions& options);

}  // namespace asobi::iap
