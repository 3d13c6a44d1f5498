// OidcProvider's JWKS cache (rest.md §2.8): one fetch for many verifications, a refetch on an
// unknown kid at most once per refresh_min_ms, the previous set kept when the endpoint fails,
// jwks_unavailable when there never was one. The fetcher is a function in the test.
#include "game/oauth/oidc_provider.h"

#include <gtest/gtest.h>

#include "iap_test_pki.h"
#include "oidc_test_keys.h"

namespace asobi::oauth {
namespace {

using iap::testing::Key;
using iap::testing::NewRsaKey;
using namespace oauth::testing;

constexpr char kIss[] = "https://issuer.example";
constexpr char kAud[] = "client-1";

struct FakeJwks {
  std::string body;  // "" = endpoint down
  int calls = 0;
  Result<std::string> Fetch() {
    ++calls;
    if (body.empty()) return MakeError("fetch_failed", "down");
    return body;
  }
};

OidcProvider Make(FakeJwks* fake, int64_t refresh_min_ms) {
  OidcProviderConfig c;
  c.name = "google";
  c.issuer = kIss;
  c.client_id = kAud;
  c.jwks_uri = "https://keys.example/jwks";
  c.refresh_min_ms = refresh_min_ms;
  return OidcProvider(c, [fake](const std::string&, int64_t) { return fake->Fetch(); });
}

std::string Detail(const Result<IdClaims>& r) { return r.ok() ? "ok" : r.error().message; }

TEST(OidcProviderTest, CachesAndRefreshesOnUnknownKid) {
  Key a = NewRsaKey(), b = NewRsaKey();
  FakeJwks fake{Jwks({JwkJson(a.get(), "a")})};
  OidcProvider p = Make(&fake, 30000);
  int64_t now_ms = NowS() * 1000;
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(Detail(p.Verify(IdToken(a.get(), "a", Claims(kIss, kAud, "u", NowS())), now_ms)),
              "ok");
  }
  EXPECT_EQ(fake.calls, 1);
  // Rotation: kid b appears; the unknown kid triggers one refetch.
  fake.body = Jwks({JwkJson(a.get(), "a"), JwkJson(b.get(), "b")});
  std::string tb = IdToken(b.get(), "b", Claims(kIss, kAud, "u", NowS()));
  EXPECT_EQ(Detail(p.Verify(tb, now_ms + 31000)), "ok");
  EXPECT_EQ(fake.calls, 2);
  // Forged kids: one refetch per interval, no more.
  std::string forged = IdToken(b.get(), "zz", Claims(kIss, kAud, "u", NowS()));
  EXPECT_EQ(Detail(p.Verify(forged, now_ms + 62000)), "unknown_kid");
  EXPECT_EQ(Detail(p.Verify(forged, now_ms + 62001)), "unknown_kid");
  EXPECT_EQ(Detail(p.Verify(forged, now_ms + 63000)), "unknown_kid");
  EXPECT_EQ(fake.calls, 3);
  // The endpoint goes down: the cached set keeps working.
  fake.body.clear();
  EXPECT_EQ(Detail(p.Verify(forged, now_ms + 100000)), "unknown_kid");
  EXPECT_EQ(Detail(p.Verify(tb, now_ms + 100001)), "ok");
  EXPECT_EQ(fake.calls, 4);
}

TEST(OidcProviderTest, DownEndpointIsJwksUnavailable) {
  Key a = NewRsaKey();
  FakeJwks fake;
  OidcProvider p = Make(&fake, 30000);
  int64_t now_ms = NowS() * 1000;
  std::string t = IdToken(a.get(), "a", Claims(kIss, kAud, "u", NowS()));
  EXPECT_EQ(Detail(p.Verify(t, now_ms)), "jwks_unavailable");
  EXPECT_EQ(Detail(p.Verify(t, now_ms + 1)), "jwks_unavailable");
  EXPECT_EQ(fake.calls, 1);  // the second did not wait for another fetch
  fake.body = "<html>not json</html>";
  EXPECT_EQ(Detail(p.Verify(t, now_ms + 30001)), "jwks_unavailable");
  fake.body = Jwks({JwkJson(a.get(), "a")});
  EXPECT_EQ(Detail(p.Verify(t, now_ms + 60002)), "ok");
  EXPECT_EQ(fake.calls, 3);
}

TEST(OidcProviderTest, UrlPolicy) {
  EXPECT_TRUE(JwksUrlAllowed("https://www.googleapis.com/oauth2/v3/certs"));
  EXPECT_TRUE(JwksUrlAllowed("http://127.0.0.1:8080/jwks"));
  EXPECT_FALSE(JwksUrlAllowed("http://keys.example/jwks"));
  EXPECT_FALSE(JwksUrlAllowed("http://127.0.0.1.evil.example/jwks"));
  EXPECT_FALSE(JwksUrlAllowed("file:///etc/passwd"));
}

}  // namespace
}  // namespace asobi::oauth
