// GooglePlayVerifier's pieces that need no network (rest.md §3.6): the service-account key
// is read from its JSON form, and the JWT assertion is RS256-signed by that key with the
// issuer, scope, audience and lifetime the token endpoint expects.
#include "game/iap/google_play.h"

#include <gtest/gtest.h>

#include "game/iap/base64.h"
#include "iap_test_pki.h"
#include "protocol/json_writer.h"

namespace asobi::iap {
namespace {

using namespace testing;

std::string KeyJson(const std::string& pem, const std::string& token_uri) {
  JsonWriter w;
  w.BeginObject();
  w.Key("type");
  w.String("service_account");
  w.Key("client_email");
  w.String("verifier@example.iam.gserviceaccount.com");
  w.Key("private_key");
  w.String(pem);
  if (!token_uri.empty()) {
    w.Key("token_uri");
    w.String(token_uri);
  }
  w.EndObject();
  return w.Take();
}

TEST(GooglePlay, ServiceAccountKeyIsRead) {
  Key rsa = NewRsaKey();
  Result<GoogleConfig> c =
      GooglePlayVerifier::ParseServiceAccount(KeyJson(PrivatePem(rsa.get()), ""));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->client_email, "verifier@example.iam.gserviceaccount.com");
  EXPECT_EQ(c->token_uri, "https://oauth2.googleapis.com/token");
  EXPECT_FALSE(GooglePlayVerifier::ParseServiceAccount("{}").ok());
  EXPECT_FALSE(GooglePlayVerifier::ParseServiceAccount("not json").ok());
  // An EC key is not a service-account key.
  Key ec = NewEcKey();
  Result<GoogleConfig> e =
      GooglePlayVerifier::ParseServiceAccount(KeyJson(PrivatePem(ec.get()), "http://t"));
  ASSERT_TRUE(e.ok());
  e->package_name = "com.example.game";
  e->api_base = "http://127.0.0.1:1";
  EXPECT_FALSE(GooglePlayVerifier::Create(e.value()).ok());
}

TEST(GooglePlay, AssertionIsSignedRs256WithTheExpectedClaims) {
  Key rsa = NewRsaKey();
  Result<GoogleConfig> c = GooglePlayVerifier::ParseServiceAccount(
      KeyJson(PrivatePem(rsa.get()), "http://127.0.0.1:9/token"));
  ASSERT_TRUE(c.ok());
  c->package_name = "com.example.game";
  c->api_base = "http://127.0.0.1:9";
  Result<std::unique_ptr<GooglePlayVerifier>> v = GooglePlayVerifier::Create(c.value());
  ASSERT_TRUE(v.ok()) << v.error().message;
  Result<std::string> jwt = v.value()->SignedAssertion(1767225600);
  ASSERT_TRUE(jwt.ok());
  EXPECT_TRUE(VerifyRs256(jwt.value(), rsa.get()));
  Key other = NewRsaKey();
  EXPECT_FALSE(VerifyRs256(jwt.value(), other.get()));
  size_t a = jwt->find('.'), b = jwt->rfind('.');
  EXPECT_EQ(Base64UrlDecode(jwt->substr(0, a)), R"({"alg":"RS256","typ":"JWT"})");
  EXPECT_EQ(Base64UrlDecode(jwt->substr(a + 1, b - a - 1)),
            R"({"iss":"verifier@example.iam.gserviceaccount.com","scope":)"
            R"("https://www.googleapis.com/auth/androidpublisher","aud":)"
            R"("http://127.0.0.1:9/token","iat":1767225600,"exp":1767229200})");
}

TEST(GooglePlay, UnreachableProviderIsAVerificationFailure) {
  Key rsa = NewRsaKey();
  Result<GoogleConfig> c = GooglePlayVerifier::ParseServiceAccount(
      KeyJson(PrivatePem(rsa.get()), "http://127.0.0.1:1/token"));
  ASSERT_TRUE(c.ok());
  c->package_name = "com.example.game";
  c->api_base = "http://127.0.0.1:1";
  c->timeout_ms = 2000;
  Result<std::unique_ptr<GooglePlayVerifier>> v = GooglePlayVerifier::Create(c.value());
  ASSERT_TRUE(v.ok());
  Result<GooglePurchase> r = v.value()->Verify("gems", "token");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, kVerificationFailed);
  EXPECT_EQ(r.error().message, "provider_unreachable");
}

}  // namespace
}  // namespace asobi::iap
