// One OpenID ID token verification with a warm JWKS cache (issue 15 "Numbers": < 200 µs of
// CPU): OidcProvider::Verify as an OAuth worker runs it (split, header, cached key lookup,
// signature, claims), for RS256 (2048-bit RSA) and ES256 (P-256). Not included: the worker
// pool hop and the database round trips of the sign-in.
#include <benchmark/benchmark.h>

#include <string>

#include "game/oauth/oidc_provider.h"
#include "iap_test_pki.h"
#include "oidc_test_keys.h"

namespace asobi::oauth {
namespace {

using namespace oauth::testing;

void Verify(benchmark::State& state, bool rsa) {
  iap::testing::Key key = rsa ? iap::testing::NewRsaKey() : iap::testing::NewEcKey();
  std::string jwks = Jwks({JwkJson(key.get(), "k1")});
  OidcProviderConfig c;
  c.name = "google";
  c.issuer = "https://accounts.google.test";
  c.client_id = "client-1";
  c.jwks_uri = "https://keys.test/jwks";
  OidcProvider provider(
      c, [jwks](const std::string&, int64_t) -> Result<std::string> { return jwks; });
  std::string token =
      IdToken(key.get(), "k1",
              Claims(c.issuer, c.client_id, "user-1", NowS(), 3600, "user@mail.test", "User"));
  int64_t now_ms = NowS() * 1000;
  if (!provider.Verify(token, now_ms).ok()) state.SkipWithError("token does not verify");
  for (auto _ : state) {
    Result<IdClaims> r = provider.Verify(token, now_ms);
    benchmark::DoNotOptimize(r);
  }
}

void BM_VerifyRs256(benchmark::State& state) { Verify(state, true); }
void BM_VerifyEs256(benchmark::State& state) { Verify(state, false); }
BENCHMARK(BM_VerifyRs256);
BENCHMARK(BM_VerifyEs256);

}  // namespace
}  // namespace asobi::oauth

BENCHMARK_MAIN();
