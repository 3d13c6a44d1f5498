// SteamVerifier: `steam` session tickets (rest.md §2.8) checked with the Steam Web API
// ISteamUserAuth/AuthenticateUserTicket/v1 (publisher key, app id) over HTTPS with libcurl.
// Blocking: OAuth worker pool only. Thread-safe (no state after construction).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "game/oauth/identity_verifier.h"

namespace asobi::oauth {

/// --steam-* settings (docs/decisions.md "OAuth").
struct SteamConfig {
  std::string api_key;  // --steam-api-key (publisher Web API key)
  std::string app_id;   // --steam-app-id (digits)
  std::string api_base = "https://partner.steam-api.com";  // --steam-api-base
  int64_t http_timeout_ms = 5000;                          // one Web API call
};

/// Tickets longer than this (hex characters) are refused unsent (rest.md §2.8: ≤ 4096 bytes).
inline constexpr size_t kMaxSteamTicketChars = 4096;

class SteamVerifier : public IdentityVerifier {
 public:
  /// GETs `url` and returns {status, body}; default libcurl (game/iap/http_fetch).
  using Fetcher =
      std::function<Result<std::pair<long, std::string>>(const std::string& url, int64_t ms)>;

  explicit SteamVerifier(SteamConfig config, Fetcher fetcher = nullptr);

  /// Details: malformed_ticket (not even-length hex, empty, too long), invalid_ticket (Steam
  /// refused it: an `error` object or a result other than OK), steam_unavailable (network,
  /// timeout, a status other than 200, a body that is not the documented shape). The identity
  /// is `steamid`.
  Result<IdClaims> Verify(std::string_view ticket, int64_t now_ms) override;

  /// Reads an AuthenticateUserTicket response body (exposed for the fuzz target).
  static Result<IdClaims> ReadResponse(std::string_view body);

 private:
  SteamConfig config_;
  Fetcher fetcher_;
};

}  // namespace asobi::oauth
