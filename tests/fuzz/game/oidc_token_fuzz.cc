// Fuzzes the OpenID sign-in parsers (src/game/oauth): the input's first line is a JWKS
// document (ParseJwks, as fetched from an issuer), the rest an ID token (ParseIdToken, as sent
// by a client to POST /auth/oauth), verified against the parsed keys when its kid is there;
// the rest is also read as a claims object (CheckClaims) and as a Steam
// AuthenticateUserTicket response (SteamVerifier::ReadResponse). Every refusal must be
// auth.provider_rejected with one of the documented details, or bad_jwks.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "game/oauth/id_token.h"
#include "game/oauth/jwks.h"
#include "game/oauth/steam_ticket.h"

namespace {

bool KnownDetail(const asobi::Error& e) {
  if (e.reason != asobi::oauth::kProviderRejected) return false;
  for (const char* d : {"malformed_token", "unsupported_alg", "missing_kid", "bad_signature",
                        "wrong_issuer", "wrong_audience", "expired", "not_yet_valid",
                        "issued_in_future", "missing_sub", "invalid_ticket", "steam_unavailable"}) {
    if (e.message == d) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nl = in.find('\n');
  std::string_view jwks = in.substr(0, nl);
  std::string_view token = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  asobi::Result<asobi::oauth::KeySet> keys = asobi::oauth::ParseJwks(jwks);
  if (!keys.ok() && keys.error().reason != "bad_jwks") std::abort();
  asobi::oauth::IdTokenPolicy policy{"https://issuer.example", "client-1", 60};
  asobi::Result<asobi::oauth::ParsedIdToken> parsed = asobi::oauth::ParseIdToken(token);
  if (!parsed.ok()) {
    if (!KnownDetail(parsed.error())) std::abort();
  } else if (keys.ok()) {
    if (const asobi::oauth::Jwk* key = keys->Find(parsed->kid)) {
      asobi::Result<asobi::oauth::IdClaims> c =
          asobi::oauth::VerifyIdToken(parsed.value(), *key, policy, 1767225600);
      if (!c.ok() && !KnownDetail(c.error())) std::abort();
    }
  }
  asobi::Result<asobi::oauth::IdClaims> claims =
      asobi::oauth::CheckClaims(token, policy, 1767225600);
  if (claims.ok() && (claims->sub.empty() || claims->sub.size() > 255)) std::abort();
  if (!claims.ok() && !KnownDetail(claims.error())) std::abort();
  asobi::Result<asobi::oauth::IdClaims> steam = asobi::oauth::SteamVerifier::ReadResponse(token);
  if (steam.ok() && steam->sub.empty()) std::abort();
  if (!steam.ok() && !KnownDetail(steam.error())) std::abort();
  return 0;
}
