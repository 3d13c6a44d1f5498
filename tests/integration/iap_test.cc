// In-app purchases against the real server and PostgreSQL (rest.md §3.6; issue 12 "Forged IAP
// evidence"). Apple: StoreKit 2 JWS made in the test under a test CA whose root the server
// trusts (--iap-apple-root-certs); Google: a fake token endpoint and Android Publisher API in
// the test process (--iap-google-api-base, --iap-google-token-uri) that checks the server's
// RS256 service-account assertion. Every error row of §3.6, duplicates, claims by another
// player (409), and the recorded iap_transactions rows.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <string>

#include "fake_http_server.h"
#include "game/iap/base64.h"
#include "http_call.h"
#include "http_client.h"
#include "iap_test_pki.h"
#include "itest_checks.h"
#include "itest_suite.h"
#include "json_doc.h"
#include "pg_test_db.h"
#include "protocol/json_writer.h"
#include "server_harness.h"
#include "server_suite.h"

namespace asobi::itest {
namespace {

using namespace iap::testing;

constexpr char kBundle[] = "com.example.game";
constexpr char kPackage[] = "com.example.game";
constexpr char kAccessToken[] = "fake-access-token-1";

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The fake Google side: token exchange (checks the RS256 assertion) and product purchases by
// token: "good-<n>" purchased (orderId GPA.<n>), "cancelled", "pending", "no-order", anything
// else 404.
FakeResponse GoogleFake(const FakeRequest& req, EVP_PKEY* service_key,
                        std::atomic<int>* token_requests) {
  if (req.method == "POST" && req.target == "/token") {
    ++*token_requests;
    const std::string prefix =
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=";
    if (req.body.rfind(prefix, 0) != 0 ||
        !VerifyRs256(req.body.substr(prefix.size()), service_key)) {
      return {400, R"({"error":"invalid_grant"})"};
    }
    return {200, std::string(R"({"access_token":")") + kAccessToken +
                     R"(","expires_in":3599,"token_type":"Bearer"})"};
  }
  const std::string base =
      std::string("/androidpublisher/v3/applications/") + kPackage + "/purchases/products/";
  if (req.method != "GET" || req.target.rfind(base, 0) != 0) return {404, "{}"};
  auto auth = req.headers.find("authorization");
  if (auth == req.headers.end() || auth->second != std::string("Bearer ") + kAccessToken) {
    return {401, R"({"error":{"code":401}})"};
  }
  std::string rest = req.target.substr(base.size());  // <product>/tokens/<token>
  std::string token = rest.substr(rest.rfind('/') + 1);
  auto purchase = [](int state, const std::string& order) {
    std::string b = R"({"kind":"androidpublisher#productPurchase","purchaseTimeMillis":)"
                    R"("1767225600000","purchaseState":)" +
                    std::to_string(state) + R"(,"consumptionState":0,"acknowledgementState":1)";
    if (!order.empty()) b += R"(,"orderId":")" + order + "\"";
    return b + "}";
  };
  if (token.rfind("good-", 0) == 0) return {200, purchase(0, "GPA." + token.substr(5))};
  if (token == "cancelled") return {200, purchase(1, "GPA.c")};
  if (token == "pending") return {200, purchase(2, "GPA.p")};
  if (token == "no-order") return {200, purchase(0, "")};
  return {404, R"({"error":{"code":404,"message":"not found"}})"};
}

class IapTest : public ServerSuite<IapTest> {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    ASSERT_TRUE(db_->ok()) << db_->error();
    chain_ = new AppleChain(MakeAppleChain());
    service_key_ = NewRsaKey().release();
    token_requests_ = new std::atomic<int>(0);
    google_ = new FakeHttpServer(
        [](const FakeRequest& r) { return GoogleFake(r, service_key_, token_requests_); });
    dir_ = new std::string(
        MakeGameDir("/tmp/asobi_iap_itest_XXXXXX", {{"roots.pem", CertPem(chain_->root.get())}}));
    JsonWriter key;
    key.BeginObject();
    key.Key("type");
    key.String("service_account");
    key.Key("client_email");
    key.String("verifier@example.iam.gserviceaccount.com");
    key.Key("private_key");
    key.String(PrivatePem(service_key_));
    key.Key("token_uri");
    key.String("https://oauth2.googleapis.com/token");  // overridden by the flag below
    key.EndObject();
    std::ofstream(*dir_ + "/service_account.json") << key.out();
    server_ = new ServerProcess();
    ServerOptions o;
    o.flags = db_->ServerFlags();
    o.flags.insert(
        o.flags.end(),
        {"--rate-limits", "register=1000/1000,auth=1000/1000,iap=1000/1000",
         "--iap-apple-bundle-id", kBundle, "--iap-apple-root-certs", *dir_ + "/roots.pem",
         "--iap-google-package-name", kPackage, "--iap-google-service-account",
         *dir_ + "/service_account.json", "--iap-google-api-base", google_->base_url(),
         "--iap-google-token-uri", google_->base_url() + "/token"});
    ASSERT_TRUE(StartReady(server_, o));
  }
  // The server stops first (ServerSuite), then the fake Google endpoint and the test PKI go.
  static void TearDownTestSuite() {
    ServerSuite::TearDownTestSuite();
    delete google_;
    delete token_requests_;
    EVP_PKEY_free(service_key_);
    delete chain_;
  }
  static HttpResponse Apple(const std::string& jws, const std::string& token) {
    JsonWriter w;
    w.BeginObject();
    w.Key("signed_transaction");
    w.String(jws);
    w.EndObject();
    return Call("POST", "/api/v1/iap/apple", w.Take(), token);
  }
  static HttpResponse Google(const std::string& product, const std::string& purchase_token,
                             const std::string& token) {
    return Call("POST", "/api/v1/iap/google",
                R"({"product_id":")" + product + R"(","purchase_token":")" + purchase_token + "\"}",
                token);
  }
  // 422 iap.verification_failed with `reason` in details.
  static ::testing::AssertionResult Refused(const HttpResponse& r, const std::string& reason) {
    if (auto env = IsErrorEnvelope(r, 422, "iap.verification_failed"); !env) return env;
    JsonDoc d;
    d.Parse(r.body);
    if (d.Str({"error", "details", "reason"}) != reason) {
      return ::testing::AssertionFailure() << "details.reason: " << r.body;
    }
    return ::testing::AssertionSuccess();
  }
  static std::string Q(const std::string& sql) { return db_->Query(sql).value_or("<error>"); }

  static AppleChain* chain_;
  static EVP_PKEY* service_key_;
  static FakeHttpServer* google_;
  static std::atomic<int>* token_requests_;
};
AppleChain* IapTest::chain_ = nullptr;
EVP_PKEY* IapTest::service_key_ = nullptr;
FakeHttpServer* IapTest::google_ = nullptr;
std::atomic<int>* IapTest::token_requests_ = nullptr;

TEST_F(IapTest, AppleTransactionIsVerifiedRecordedAndClaimedOnce) {
  auto [id, token] = Register("iap_apple_a");
  auto [other_id, other_token] = Register("iap_apple_b");
  const int64_t bought = WallMs() - 60000;
  const std::string jws =
      AppleJws(*chain_, ApplePayload(kBundle, "1000000001", "gems_100", bought));
  HttpResponse r = Apple(jws, token);
  ASSERT_EQ(r.status, 200) << r.body;
  JsonDoc d;
  ASSERT_TRUE(d.Parse(r.body));
  EXPECT_EQ(d.Str({"product_id"}), "gems_100");
  EXPECT_EQ(d.Str({"transaction_id"}), "1000000001");
  EXPECT_EQ(d.Str({"original_transaction_id"}), "1000000001");
  EXPECT_EQ(d.Int({"purchase_date"}), bought);
  EXPECT_EQ(d.Raw({"expires_date"}), "null");
  EXPECT_EQ(d.Int({"quantity"}), 1);
  EXPECT_EQ(d.Str({"type"}), "Consumable");
  EXPECT_EQ(d.Raw({"valid"}), "true");
  EXPECT_EQ(d.Raw({"duplicate"}), "false");
  // The same player again: a duplicate, still 200.
  JsonDoc again;
  ASSERT_TRUE(again.Parse(Apple(jws, token).body));
  EXPECT_EQ(again.Raw({"duplicate"}), "true");
  // Another player: 409.
  EXPECT_TRUE(IsErrorEnvelope(Apple(jws, other_token), 409, "iap.transaction_already_claimed"));
  EXPECT_EQ(Q("SELECT count(*) || '/' || min(player_id::text) || '/' || min(provider) || '/' || "
              "min(product_id) FROM iap_transactions WHERE transaction_id = '1000000001'"),
            "1/" + id + "/apple/gems_100");
  // Nothing is credited (rest.md §3.6: the game grants).
  EXPECT_EQ(Q("SELECT count(*) FROM wallets WHERE player_id = '" + id + "'"), "0");
}

TEST_F(IapTest, AppleExpiredSubscriptionIsRecordedButNotValid) {
  auto [id, token] = Register("iap_apple_sub");
  const int64_t now = WallMs();
  HttpResponse r = Apple(AppleJws(*chain_, ApplePayload(kBundle, "1000000050", "vip_monthly",
                                                        now - 40LL * 86400000, now - 86400000)),
                         token);
  ASSERT_EQ(r.status, 200) << r.body;
  JsonDoc d;
  ASSERT_TRUE(d.Parse(r.body));
  EXPECT_EQ(d.Raw({"valid"}), "false");
  EXPECT_EQ(d.Int({"expires_date"}), now - 86400000);
  EXPECT_EQ(d.Str({"type"}), "Auto-Renewable Subscription");
  HttpResponse live = Apple(AppleJws(*chain_, ApplePayload(kBundle, "1000000051", "vip_monthly",
                                                           now - 86400000, now + 86400000)),
                            token);
  ASSERT_TRUE(d.Parse(live.body));
  EXPECT_EQ(d.Raw({"valid"}), "true");
}

TEST_F(IapTest, ForgedAppleEvidenceIsRefused) {
  auto [id, token] = Register("iap_apple_forger");
  const std::string payload = ApplePayload(kBundle, "1000000099", "gems_100", WallMs());
  AppleChain foreign = MakeAppleChain();
  EXPECT_TRUE(Refused(Apple(AppleJws(foreign, payload), token), "untrusted_chain"));
  Key self_key = NewEcKey();
  Cert self =
      MakeCert({"Self", self_key.get(), nullptr, nullptr, false, "1.2.840.113635.100.6.11.1"});
  EXPECT_TRUE(Refused(Apple(SignEs256(R"({"alg":"ES256","x5c":[")" + CertB64(self.get()) + "\"]}",
                                      payload, self_key.get()),
                            token),
                      "untrusted_chain"));
  EXPECT_TRUE(Refused(
      Apple(AppleJws(*chain_, ApplePayload("com.evil.app", "1000000099", "gems_100", WallMs())),
            token),
      "wrong_bundle_id"));
  const std::string body = iap::Base64UrlEncode(payload);
  EXPECT_TRUE(Refused(Apple(iap::Base64UrlEncode(R"({"alg":"none","x5c":)" + chain_->X5c() + "}") +
                                "." + body + ".AAAA",
                            token),
                      "unsupported_alg"));
  EXPECT_TRUE(Refused(Apple(SignHs256(R"({"alg":"HS256","x5c":)" + chain_->X5c() + "}", payload,
                                      PublicPem(chain_->root_key.get())),
                            token),
                      "unsupported_alg"));
  const std::string good = AppleJws(*chain_, payload);
  EXPECT_TRUE(Refused(Apple(good.substr(0, good.size() - 10), token), "bad_signature"));
  EXPECT_TRUE(Refused(Apple(good.substr(0, good.rfind('.')), token), "malformed_jws"));
  EXPECT_TRUE(Refused(Apple(good.substr(0, 40), token), "malformed_jws"));
  EXPECT_TRUE(IsErrorEnvelope(
      Apple(AppleJws(*chain_, ApplePayload(kBundle, "", "gems_100", WallMs())), token), 422,
      "iap.missing_transaction_id"));
  // Nothing of that was recorded.
  EXPECT_EQ(Q("SELECT count(*) FROM iap_transactions WHERE player_id = '" + id + "'"), "0");
  // Bad requests.
  EXPECT_TRUE(
      IsErrorEnvelope(Call("POST", "/api/v1/iap/apple", "{}", token), 400, "missing_field"));
  EXPECT_TRUE(
      IsErrorEnvelope(Call("POST", "/api/v1/iap/apple", R"({"signed_transaction":42})", token), 400,
                      "invalid_payload"));
  EXPECT_TRUE(
      IsErrorEnvelope(Call("POST", "/api/v1/iap/apple", R"({"signed_transaction":""})", token), 400,
                      "missing_field"));
  EXPECT_TRUE(IsErrorEnvelope(Call("POST", "/api/v1/iap/apple", good), 401, "unauthenticated"));
}

TEST_F(IapTest, GooglePurchaseIsVerifiedRecordedAndClaimedOnce) {
  auto [id, token] = Register("iap_google_a");
  auto [other_id, other_token] = Register("iap_google_b");
  HttpResponse r = Google("gems_500", "good-1", token);
  ASSERT_EQ(r.status, 200) << r.body;
  JsonDoc d;
  ASSERT_TRUE(d.Parse(r.body));
  EXPECT_EQ(d.Str({"product_id"}), "gems_500");
  EXPECT_EQ(d.Str({"order_id"}), "GPA.1");
  EXPECT_EQ(d.Str({"purchase_time"}), "1767225600000");
  EXPECT_EQ(d.Int({"consumption_state"}), 0);
  EXPECT_EQ(d.Raw({"acknowledged"}), "true");
  EXPECT_EQ(d.Raw({"valid"}), "true");
  EXPECT_EQ(d.Raw({"duplicate"}), "false");
  JsonDoc again;
  ASSERT_TRUE(again.Parse(Google("gems_500", "good-1", token).body));
  EXPECT_EQ(again.Raw({"duplicate"}), "true");
  EXPECT_TRUE(IsErrorEnvelope(Google("gems_500", "good-1", other_token), 409,
                              "iap.transaction_already_claimed"));
  EXPECT_EQ(Q("SELECT count(*) || '/' || min(player_id::text) || '/' || min(provider) || '/' || "
              "min(product_id) FROM iap_transactions WHERE transaction_id = 'GPA.1'"),
            "1/" + id + "/google/gems_500");
  ASSERT_EQ(Google("gems_500", "good-2", token).status, 200);
  // One token exchange served every request (cached until shortly before it expires).
  EXPECT_EQ(token_requests_->load(), 1);
}

TEST_F(IapTest, GoogleRefusalsAndBadRequests) {
  auto [id, token] = Register("iap_google_c");
  EXPECT_TRUE(Refused(Google("gems_500", "unknown-token", token), "purchase_not_found"));
  EXPECT_TRUE(Refused(Google("gems_500", "cancelled", token), "purchase_not_completed"));
  EXPECT_TRUE(Refused(Google("gems_500", "pending", token), "purchase_not_completed"));
  EXPECT_TRUE(
      IsErrorEnvelope(Google("gems_500", "no-order", token), 422, "iap.missing_transaction_id"));
  EXPECT_TRUE(IsErrorEnvelope(Call("POST", "/api/v1/iap/google", R"({"product_id":"x"})", token),
                              400, "missing_field"));
  EXPECT_TRUE(
      IsErrorEnvelope(Call("POST", "/api/v1/iap/google", R"({"purchase_token":"good-9"})", token),
                      400, "missing_field"));
  EXPECT_TRUE(IsErrorEnvelope(
      Call("POST", "/api/v1/iap/google", R"({"product_id":1,"purchase_token":"good-9"})", token),
      400, "invalid_payload"));
  EXPECT_TRUE(
      IsErrorEnvelope(Call("POST", "/api/v1/iap/google", "[]", token), 400, "invalid_payload"));
  EXPECT_EQ(Q("SELECT count(*) FROM iap_transactions WHERE player_id = '" + id + "'"), "0");
}

// The claim cannot be written (iap_transactions locked by another session past the server's
// lock timeout): 500 iap.record_failed, and the transaction can be claimed once the lock is gone.
TEST_F(IapTest, UnrecordableClaimIsRecordFailed) {
  auto [id, token] = Register("iap_record");
  const std::string jws =
      AppleJws(*chain_, ApplePayload(kBundle, "1000000777", "gems_100", WallMs()));
  ASSERT_TRUE(db_->Query("BEGIN"));
  ASSERT_TRUE(db_->Query("LOCK TABLE iap_transactions IN ACCESS EXCLUSIVE MODE"));
  HttpResponse locked = Apple(jws, token);
  ASSERT_TRUE(db_->Query("ROLLBACK"));
  EXPECT_TRUE(IsErrorEnvelope(locked, 500, "iap.record_failed"));
  HttpResponse later = Apple(jws, token);
  ASSERT_EQ(later.status, 200) << later.body;
  JsonDoc d;
  ASSERT_TRUE(d.Parse(later.body));
  EXPECT_EQ(d.Raw({"duplicate"}), "false");
}

// A server whose providers are not configured answers every IAP call 422 not_configured.
TEST(IapUnconfigured, ProvidersOffAnswerNotConfigured) {
  TestDatabase db;
  ASSERT_TRUE(db.ok()) << db.error();
  ServerProcess server;
  ServerOptions o;
  o.flags = db.ServerFlags();
  o.flags.insert(o.flags.end(), {"--rate-limits", "register=1000/1000"});
  ASSERT_TRUE(server.Start(o));
  for (int i = 0; i < 200 && HttpCall(server.port(), "GET", "/ready").status != 200; ++i) {
    usleep(50 * 1000);
  }
  HttpResponse reg = HttpCall(server.port(), "POST", "/api/v1/auth/register",
                              R"({"username":"iap_off","password":"password123"})");
  ASSERT_EQ(reg.status, 200) << reg.body;
  JsonDoc d;
  ASSERT_TRUE(d.Parse(reg.body));
  std::string token = d.Str({"access_token"}).value_or("");
  HttpResponse a = HttpCall(server.port(), "POST", "/api/v1/iap/apple",
                            R"({"signed_transaction":"a.b.c"})", token);
  EXPECT_TRUE(IsErrorEnvelope(a, 422, "iap.verification_failed"));
  EXPECT_NE(a.body.find("not_configured"), std::string::npos) << a.body;
  HttpResponse g = HttpCall(server.port(), "POST", "/api/v1/iap/google",
                            R"({"product_id":"p","purchase_token":"t"})", token);
  EXPECT_TRUE(IsErrorEnvelope(g, 422, "iap.verification_failed"));
  EXPECT_NE(g.body.find("not_configured"), std::string::npos) << g.body;
  EXPECT_TRUE(server.Stop());
}

}  // namespace
}  // namespace asobi::itest
