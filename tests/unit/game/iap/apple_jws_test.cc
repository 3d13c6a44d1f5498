// AppleVerifier (rest.md §3.6; issue 12 "Forged IAP evidence"): a StoreKit 2 JWS made in the
// test with a test CA verifies; every forgery is refused with its reason: a chain to another
// root, a self-signed leaf, a leaf without Apple's OID, an expired leaf, the wrong bundle id,
// `alg: none`, an HS256 swap keyed with public material, a P-384 leaf, a tampered payload,
// another key's signature, every truncation, and garbage certificates.
#include "game/iap/apple_jws.h"

#include <gtest/gtest.h>

#include <string>

#include "game/iap/base64.h"
#include "iap_test_pki.h"

namespace asobi::iap {
namespace {

using namespace testing;

constexpr char kBundle[] = "com.example.game";
constexpr int64_t kPurchaseMs = 1767225600000;  // 2026-01-01

std::unique_ptr<AppleVerifier> VerifierFor(X509* root) {
  Result<std::unique_ptr<AppleVerifier>> v = AppleVerifier::Create(kBundle, CertPem(root));
  EXPECT_TRUE(v.ok());
  return v.ok() ? std::move(v.value()) : nullptr;
}

// The detail (details.reason) of a refused JWS, or "accepted".
std::string Refusal(const AppleVerifier& v, const std::string& jws) {
  Result<AppleTransaction> r = v.Verify(jws);
  if (r.ok()) return "accepted";
  if (r.error().reason == kMissingTransactionId) return "missing_transaction_id";
  EXPECT_EQ(r.error().reason, kVerificationFailed);
  return r.error().message;
}

class AppleJwsTest : public ::testing::Test {
 protected:
  AppleChain chain_ = MakeAppleChain();
  std::unique_ptr<AppleVerifier> verifier_ = VerifierFor(chain_.root.get());
  std::string payload_ = ApplePayload(kBundle, "2000000123", "gems_100", kPurchaseMs);
  std::string header_ = R"({"alg":"ES256","x5c":)" + chain_.X5c() + "}";
};

TEST_F(AppleJwsTest, ValidTransactionVerifies) {
  Result<AppleTransaction> r = verifier_->Verify(AppleJws(chain_, payload_));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->transaction_id, "2000000123");
  EXPECT_EQ(r->original_transaction_id, "2000000123");
  EXPECT_EQ(r->product_id, "gems_100");
  EXPECT_EQ(r->type, "Consumable");
  EXPECT_EQ(r->purchase_date_ms, kPurchaseMs);
  EXPECT_FALSE(r->expires_date_ms.has_value());
  EXPECT_EQ(r->quantity, 1);
  // A subscription carries its expiry (the route turns a past one into valid:false).
  Result<AppleTransaction> sub = verifier_->Verify(
      AppleJws(chain_, ApplePayload(kBundle, "2000000124", "vip", kPurchaseMs, kPurchaseMs + 1)));
  ASSERT_TRUE(sub.ok());
  EXPECT_EQ(sub->expires_date_ms, kPurchaseMs + 1);
}

TEST_F(AppleJwsTest, ChainToAnotherRootIsRefused) {
  AppleChain other = MakeAppleChain();
  EXPECT_EQ(Refusal(*verifier_, AppleJws(other, payload_)), "untrusted_chain");
  // The trusted root appended to a foreign chain does not help.
  std::string x5c = "[\"" + CertB64(other.leaf.get()) + "\",\"" + CertB64(other.inter.get()) +
                    "\",\"" + CertB64(chain_.root.get()) + "\"]";
  EXPECT_EQ(Refusal(*verifier_, SignEs256(R"({"alg":"ES256","x5c":)" + x5c + "}", payload_,
                                          other.leaf_key.get())),
            "untrusted_chain");
}

TEST_F(AppleJwsTest, SelfSignedLeafIsRefused) {
  Key key = NewEcKey();
  Cert self =
      MakeCert({"Self Signed", key.get(), nullptr, nullptr, false, "1.2.840.113635.100.6.11.1"});
  std::string header = R"({"alg":"ES256","x5c":[")" + CertB64(self.get()) + "\"]}";
  EXPECT_EQ(Refusal(*verifier_, SignEs256(header, payload_, key.get())), "untrusted_chain");
  // Even when the self-signed leaf is followed by the real intermediate and root.
  header = R"({"alg":"ES256","x5c":[")" + CertB64(self.get()) + "\",\"" +
           CertB64(chain_.inter.get()) + "\",\"" + CertB64(chain_.root.get()) + "\"]}";
  EXPECT_EQ(Refusal(*verifier_, SignEs256(header, payload_, key.get())), "untrusted_chain");
}

TEST_F(AppleJwsTest, LeafWithoutAppleOidIsRefused) {
  AppleChain plain = MakeAppleChain("P-256", false);
  std::unique_ptr<AppleVerifier> v = VerifierFor(plain.root.get());
  EXPECT_EQ(Refusal(*v, AppleJws(plain, payload_)), "not_apple_chain");
}

TEST_F(AppleJwsTest, ExpiredLeafIsRefused) {
  AppleChain old = MakeAppleChain("P-256", true, -60);
  std::unique_ptr<AppleVerifier> v = VerifierFor(old.root.get());
  EXPECT_EQ(Refusal(*v, AppleJws(old, payload_)), "untrusted_chain");
}

TEST_F(AppleJwsTest, WrongBundleIdIsRefused) {
  EXPECT_EQ(Refusal(*verifier_, AppleJws(chain_, ApplePayload("com.evil.game", "2000000123",
                                                              "gems_100", kPurchaseMs))),
            "wrong_bundle_id");
}

TEST_F(AppleJwsTest, MissingTransactionIdIsItsOwnError) {
  EXPECT_EQ(
      Refusal(*verifier_, AppleJws(chain_, ApplePayload(kBundle, "", "gems_100", kPurchaseMs))),
      "missing_transaction_id");
}

TEST_F(AppleJwsTest, AlgNoneAndHs256SwapAreRefused) {
  const std::string body = Base64UrlEncode(payload_);
  // alg none, with an empty or a made-up signature.
  std::string none = Base64UrlEncode(R"({"alg":"none","x5c":)" + chain_.X5c() + "}");
  EXPECT_EQ(Refusal(*verifier_, none + "." + body + "."), "malformed_jws");
  EXPECT_EQ(Refusal(*verifier_, none + "." + body + ".AAAA"), "unsupported_alg");
  EXPECT_EQ(Refusal(*verifier_, Base64UrlEncode(R"({"alg":"NONE"})") + "." + body + ".AAAA"),
            "unsupported_alg");
  // HS256 keyed with the (public) leaf certificate and with the root's public key PEM: the
  // classic key-confusion forgery.
  for (const std::string& secret : {CertB64(chain_.leaf.get()), PublicPem(chain_.root_key.get())}) {
    EXPECT_EQ(Refusal(*verifier_,
                      SignHs256(R"({"alg":"HS256","x5c":)" + chain_.X5c() + "}", payload_, secret)),
              "unsupported_alg");
  }
  // Algorithms that are close but not ES256.
  for (const char* alg : {"ES384", "RS256", "es256", "ES256 "}) {
    EXPECT_EQ(Refusal(*verifier_, SignEs256(std::string(R"({"alg":")") + alg + R"(","x5c":)" +
                                                chain_.X5c() + "}",
                                            payload_, chain_.leaf_key.get())),
              "unsupported_alg")
        << alg;
  }
}

TEST_F(AppleJwsTest, TamperedPayloadAndForeignSignatureAreRefused) {
  std::string jws = AppleJws(chain_, payload_);
  size_t a = jws.find('.'), b = jws.rfind('.');
  std::string richer = ApplePayload(kBundle, "2000000123", "gems_10000", kPurchaseMs);
  EXPECT_EQ(Refusal(*verifier_, jws.substr(0, a + 1) + Base64UrlEncode(richer) + jws.substr(b)),
            "bad_signature");
  Key stranger = NewEcKey();
  EXPECT_EQ(Refusal(*verifier_, SignEs256(header_, payload_, stranger.get())), "bad_signature");
  // A P-384 leaf under the trusted chain: ES256 needs P-256.
  AppleChain p384 = MakeAppleChain("P-384");
  std::unique_ptr<AppleVerifier> v = VerifierFor(p384.root.get());
  EXPECT_EQ(Refusal(*v, AppleJws(p384, payload_)), "bad_signature");
}

TEST_F(AppleJwsTest, EveryTruncationIsRefused) {
  const std::string jws = AppleJws(chain_, payload_);
  for (size_t n = 0; n < jws.size(); ++n) {
    Result<AppleTransaction> r = verifier_->Verify(std::string_view(jws).substr(0, n));
    ASSERT_FALSE(r.ok()) << "prefix of " << n << " bytes accepted";
  }
  EXPECT_EQ(Refusal(*verifier_, jws + "."), "malformed_jws");
  EXPECT_EQ(Refusal(*verifier_, jws + "A"), "bad_signature");  // 65 bytes of signature
}

TEST_F(AppleJwsTest, MalformedHeadersAreRefused) {
  const std::string body = Base64UrlEncode(payload_);
  auto with_header = [&](const std::string& h) {
    return SignEs256(h, payload_, chain_.leaf_key.get());
  };
  EXPECT_EQ(Refusal(*verifier_, with_header(R"({"alg":"ES256"})")), "missing_x5c");
  EXPECT_EQ(Refusal(*verifier_, with_header(R"({"alg":"ES256","x5c":[]})")), "missing_x5c");
  EXPECT_EQ(Refusal(*verifier_, with_header(R"({"alg":"ES256","x5c":"abc"})")), "missing_x5c");
  EXPECT_EQ(Refusal(*verifier_, with_header(R"({"alg":"ES256","x5c":["%%%"]})")),
            "bad_certificate");
  EXPECT_EQ(Refusal(*verifier_, with_header(R"({"alg":"ES256","x5c":["AAAA"]})")),
            "bad_certificate");
  EXPECT_EQ(Refusal(*verifier_, with_header(R"({"alg":"ES256","x5c":[7]})")), "bad_certificate");
  EXPECT_EQ(Refusal(*verifier_, with_header("[1,2]")), "malformed_jws");
  EXPECT_EQ(Refusal(*verifier_, with_header("not json")), "malformed_jws");
  EXPECT_EQ(Refusal(*verifier_, "a.b.c"), "malformed_jws");
  EXPECT_EQ(Refusal(*verifier_, "...."), "malformed_jws");
  EXPECT_EQ(Refusal(*verifier_, ""), "malformed_jws");
}

TEST(AppleVerifierConfig, NeedsRootsAndABundleId) {
  AppleChain chain = MakeAppleChain();
  EXPECT_FALSE(AppleVerifier::Create(kBundle, "not a pem").ok());
  EXPECT_FALSE(AppleVerifier::Create("", CertPem(chain.root.get())).ok());
  EXPECT_TRUE(AppleVerifier::Create(kBundle, CertPem(chain.root.get())).ok());
}

}  // namespace
}  // namespace asobi::iap
