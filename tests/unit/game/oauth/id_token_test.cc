// ID token and JWKS checks (rest.md §2.8; issue 15 item 4 bad input): RS256 and ES256 tokens
// made in the test, every refusal detail, and JWKS documents with unusable keys.
#include "game/oauth/id_token.h"

#include <gtest/gtest.h>

#include "game/iap/base64.h"
#include "game/oauth/jwks.h"
#include "iap_test_pki.h"
#include "oidc_test_keys.h"

namespace asobi::oauth {
namespace {

using iap::testing::Key;
using iap::testing::NewEcKey;
using iap::testing::NewRsaKey;
using iap::testing::PublicPem;
using iap::testing::SignHs256;
using namespace oauth::testing;

constexpr char kIss[] = "https://issuer.example";
constexpr char kAud[] = "client-1";

class IdTokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    rsa_ = NewRsaKey();
    ec_ = NewEcKey();
    Result<KeySet> set =
        ParseJwks(Jwks({JwkJson(rsa_.get(), "r1"), JwkJson(ec_.get(), "e1", "ES256")}));
    ASSERT_TRUE(set.ok()) << set.error().message;
    keys_ = std::move(set.value());
    policy_.issuer = kIss;
    policy_.audience = kAud;
  }
  // The detail of the refusal, or "ok".
  std::string Check(const std::string& token, int64_t now_s = NowS()) {
    Result<ParsedIdToken> p = ParseIdToken(token);
    if (!p.ok()) return p.error().message;
    const Jwk* key = keys_.Find(p->kid);
    if (key == nullptr) return "unknown_kid";
    Result<IdClaims> c = VerifyIdToken(p.value(), *key, policy_, now_s);
    if (!c.ok()) {
      EXPECT_EQ(c.error().reason, kProviderRejected);
      return c.error().message;
    }
    claims_ = c.value();
    return "ok";
  }

  Key rsa_, ec_;
  KeySet keys_;
  IdTokenPolicy policy_;
  IdClaims claims_;
};

TEST_F(IdTokenTest, AcceptsRs256AndEs256) {
  EXPECT_EQ(
      Check(IdToken(rsa_.get(), "r1", Claims(kIss, kAud, "u-1", NowS(), 3600, "a@b.c", "Ann"))),
      "ok");
  EXPECT_EQ(claims_.sub, "u-1");
  EXPECT_EQ(claims_.email, "a@b.c");
  EXPECT_EQ(claims_.name, "Ann");
  EXPECT_EQ(Check(IdToken(ec_.get(), "e1", Claims(kIss, kAud, "u-2", NowS()))), "ok");
  EXPECT_EQ(claims_.sub, "u-2");
  // aud may be an array holding the client id.
  std::string claims = R"({"iss":")" + std::string(kIss) + R"(","aud":["x",")" + kAud +
                       R"("],"sub":"u-3","iat":)" + std::to_string(NowS()) + R"(,"exp":)" +
                       std::to_string(NowS() + 60) + "}";
  EXPECT_EQ(Check(IdToken(rsa_.get(), "r1", claims)), "ok");
}

TEST_F(IdTokenTest, RefusesWrongClaims) {
  int64_t now = NowS();
  EXPECT_EQ(Check(IdToken(rsa_.get(), "r1", Claims("https://evil", kAud, "u", now))),
            "wrong_issuer");
  EXPECT_EQ(Check(IdToken(rsa_.get(), "r1", Claims(kIss, "other", "u", now))), "wrong_audience");
  EXPECT_EQ(Check(IdToken(rsa_.get(), "r1", Claims(kIss, kAud, "u", now - 7200, 3600))), "expired");
  EXPECT_EQ(Check(IdToken(rsa_.get(), "r1", Claims(kIss, kAud, "u", now + 3600))),
            "issued_in_future");
  EXPECT_EQ(Check(IdToken(rsa_.get(), "r1", Claims(kIss, kAud, "", now))), "missing_sub");
  // Inside the 60 s leeway: still fine.
  EXPECT_EQ(Check(IdToken(rsa_.get(), "r1", Claims(kIss, kAud, "u", now - 3630, 3600))), "ok");
  std::string nbf = R"({"iss":")" + std::string(kIss) + R"(","aud":")" + kAud +
                    R"(","sub":"u","iat":)" + std::to_string(now) + R"(,"nbf":)" +
                    std::to_string(now + 600) + R"(,"exp":)" + std::to_string(now + 3600) + "}";
  EXPECT_EQ(Check(IdToken(rsa_.get(), "r1", nbf)), "not_yet_valid");
}

TEST_F(IdTokenTest, RefusesForgedAlgorithmsAndSignatures) {
  std::string claims = Claims(kIss, kAud, "u", NowS());
  // alg none, with and without a signature segment.
  std::string none = iap::Base64UrlEncode(R"({"alg":"none","kid":"r1"})") + "." +
                     iap::Base64UrlEncode(claims) + ".";
  EXPECT_EQ(Check(none), "unsupported_alg");
  EXPECT_EQ(Check(none + "AAAA"), "unsupported_alg");
  // HS256 keyed with the RSA public key (key confusion).
  EXPECT_EQ(Check(SignHs256(R"({"alg":"HS256","kid":"r1"})", claims, PublicPem(rsa_.get()))),
            "unsupported_alg");
  // A critical header extension we do not know.
  EXPECT_EQ(
      Check(SignRs256(R"({"alg":"RS256","kid":"r1","crit":["exp"],"exp":1})", claims, rsa_.get())),
      "unsupported_alg");
  // A key embedded in the header is not trusted: the kid's JWKS key decides.
  Key attacker = NewRsaKey();
  EXPECT_EQ(
      Check(SignRs256(R"({"alg":"RS256","kid":"r1","jwk":)" + JwkJson(attacker.get(), "r1") + "}",
                      claims, attacker.get())),
      "bad_signature");
  // No kid; a kid of the other key type; another key's signature.
  EXPECT_EQ(Check(SignRs256(R"({"alg":"RS256"})", claims, rsa_.get())), "missing_kid");
  EXPECT_EQ(Check(IdToken(rsa_.get(), "e1", claims)), "bad_signature");
  Key other = NewRsaKey();
  EXPECT_EQ(Check(IdToken(other.get(), "r1", claims)), "bad_signature");
  // A tampered payload.
  std::string good = IdToken(rsa_.get(), "r1", claims);
  size_t a = good.find('.'), b = good.rfind('.');
  std::string tampered = good.substr(0, a + 1) +
                         iap::Base64UrlEncode(Claims(kIss, kAud, "admin", NowS())) + good.substr(b);
  EXPECT_EQ(Check(tampered), "bad_signature");
  EXPECT_EQ(Check("a.b"), "malformed_token");
  EXPECT_EQ(Check("a.b.c.d"), "malformed_token");
  EXPECT_EQ(Check(std::string(kMaxIdTokenBytes + 1, 'a')), "malformed_token");
}

TEST(JwksTest, SkipsUnusableKeys) {
  Key rsa = NewRsaKey();
  Key p384 = NewEcKey("P-384");
  EXPECT_FALSE(ParseJwks("not json").ok());
  EXPECT_FALSE(ParseJwks(R"({"keys":{}})").ok());
  EXPECT_FALSE(ParseJwks(R"({"keys":[]})").ok());
  EXPECT_FALSE(ParseJwks(R"({"keys":[{"kty":"oct","kid":"h","k":"c2VjcmV0"}]})").ok());
  EXPECT_FALSE(ParseJwks(R"({"keys":[{"kty":"RSA","kid":"s","n":"AQAB","e":"AQAB"}]})").ok());
  // An EC point not on the curve.
  std::string x(43, 'A'), y(43, 'B');
  EXPECT_FALSE(ParseJwks(R"({"keys":[{"kty":"EC","crv":"P-256","kid":"c","x":")" + x +
                         R"(","y":")" + y + R"("}]})")
                   .ok());
  std::string enc = JwkJson(rsa.get(), "enc");
  enc.replace(enc.find(R"("use":"sig")"), 11, R"("use":"enc")");
  Result<KeySet> set = ParseJwks(Jwks({enc, JwkJson(rsa.get(), "ok"), JwkJson(rsa.get(), "")}));
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->size(), 1u);
  EXPECT_NE(set->Find("ok"), nullptr);
}

}  // namespace
}  // namespace asobi::oauth
