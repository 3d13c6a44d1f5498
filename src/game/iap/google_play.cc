#include "game/iap/google_play.h"

#include <openssl/bio.h>
#include <openssl/pem.h>

#include <chrono>

#include "game/iap/base64.h"
#include "game/iap/http_fetch.h"
#include "protocol/json_value.h"
#include "protocol/json_writer.h"

namespace asobi::iap {
namespace {

constexpr char kScope[] = "https://www.googleapis.com/auth/androidpublisher";
constexpr char kDefaultTokenUri[] = "https://oauth2.googleapis.com/token";
constexpr int64_t kAssertionLifetimeS = 3600;
constexpr int64_t kTokenSlackMs = 60000;  // refresh a minute before the token expires

Error Fail(const char* detail) { return MakeError(kVerificationFailed, detail); }

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Parses `body` as a JSON object into `parser`.
std::optional<simdjson::dom::element> ParseObject(simdjson::dom::parser& parser,
                                                  const std::string& body) {
  simdjson::dom::element el;
  if (parser.parse(body.data(), body.size(), true).get(el) != simdjson::SUCCESS || !IsObject(el)) {
    return std::nullopt;
  }
  return el;
}

}  // namespace

Result<GoogleConfig> GooglePlayVerifier::ParseServiceAccount(std::string_view json) {
  simdjson::dom::parser parser;
  std::string text(json);
  std::optional<simdjson::dom::element> key = ParseObject(parser, text);
  if (!key) return MakeError("bad_config", "the service-account key is not a JSON object");
  std::optional<std::string_view> email = GetString(*key, "client_email");
  std::optional<std::string_view> pem = GetString(*key, "private_key");
  if (!email || !pem) {
    return MakeError("bad_config", "the service-account key lacks client_email/private_key");
  }
  GoogleConfig c;
  c.client_email = std::string(*email);
  c.private_key_pem = std::string(*pem);
  c.token_uri = std::string(GetString(*key, "token_uri").value_or(kDefaultTokenUri));
  return c;
}

Result<std::unique_ptr<GooglePlayVerifier>> GooglePlayVerifier::Create(GoogleConfig config) {
  if (config.package_name.empty() || config.client_email.empty() || config.token_uri.empty() ||
      config.api_base.empty()) {
    return MakeError("bad_config", "package name, client email, token uri and api base needed");
  }
  BIO* bio = BIO_new_mem_buf(config.private_key_pem.data(), int(config.private_key_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (key == nullptr || EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
    EVP_PKEY_free(key);
    return MakeError("bad_config", "the service-account private key is not an RSA PEM key");
  }
  return std::unique_ptr<GooglePlayVerifier>(new GooglePlayVerifier(std::move(config), key));
}

GooglePlayVerifier::~GooglePlayVerifier() { EVP_PKEY_free(key_); }

Result<std::string> GooglePlayVerifier::SignedAssertion(int64_t now_s) const {
  JsonWriter claims;
  claims.BeginObject();
  claims.Key("iss");
  claims.String(config_.client_email);
  claims.Key("scope");
  claims.String(kScope);
  claims.Key("aud");
  claims.String(config_.token_uri);
  claims.Key("iat");
  claims.Int(now_s);
  claims.Key("exp");
  claims.Int(now_s + kAssertionLifetimeS);
  claims.EndObject();
  std::string input =
      Base64UrlEncode(R"({"alg":"RS256","typ":"JWT"})") + "." + Base64UrlEncode(claims.out());
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  size_t sig_len = 0;
  if (!md || EVP_DigestSignInit(md.get(), nullptr, EVP_sha256(), nullptr, key_) != 1 ||
      EVP_DigestSign(md.get(), nullptr, &sig_len,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    return MakeError("sign_failed");
  }
  std::string sig(sig_len, '\0');
  if (EVP_DigestSign(md.get(), reinterpret_cast<unsigned char*>(sig.data()), &sig_len,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    return MakeError("sign_failed");
  }
  sig.resize(sig_len);
  return input + "." + Base64UrlEncode(sig);
}

Result<std::string> GooglePlayVerifier::AccessToken() {
  const int64_t now_ms = WallMs();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!token_.empty() && now_ms < token_expiry_ms_) return token_;
  }
  Result<std::string> assertion = SignedAssertion(now_ms / 1000);
  if (!assertion.ok()) return Fail("provider_auth_failed");
  FetchRequest req;
  req.method = "POST";
  req.url = config_.token_uri;
  req.headers = {"Content-Type: application/x-www-form-urlencoded"};
  req.body = "grant_type=" + UrlEscape("urn:ietf:params:oauth:grant-type:jwt-bearer") +
             "&assertion=" + UrlEscape(assertion.value());
  req.timeout_ms = config_.timeout_ms;
  Result<FetchReply> reply = HttpFetch(req);
  if (!reply.ok() || reply->status >= 500) return Fail("provider_unreachable");
  if (reply->status != 200) return Fail("provider_auth_failed");
  simdjson::dom::parser parser;
  std::optional<simdjson::dom::element> body = ParseObject(parser, reply->body);
  std::optional<std::string_view> token =
      body ? GetString(*body, "access_token") : std::optional<std::string_view>();
  if (!token || token->empty()) return Fail("provider_auth_failed");
  int64_t expires_s = GetInt(*body, "expires_in").value_or(3600);
  std::lock_guard<std::mutex> lock(mu_);
  token_ = std::string(*token);
  token_expiry_ms_ = now_ms + expires_s * 1000 - kTokenSlackMs;
  return token_;
}

Result<GooglePurchase> GooglePlayVerifier::Verify(const std::string& product_id,
                                                  const std::string& token) {
  Result<std::string> access = AccessToken();
  if (!access.ok()) return access.error();
  FetchRequest req;
  req.url = config_.api_base + "/androidpublisher/v3/applications/" +
            UrlEscape(config_.package_name) + "/purchases/products/" + UrlEscape(product_id) +
            "/tokens/" + UrlEscape(token);
  req.headers = {"Authorization: Bearer " + access.value()};
  req.timeout_ms = config_.timeout_ms;
  Result<FetchReply> reply = HttpFetch(req);
  if (!reply.ok() || reply->status >= 500) return Fail("provider_unreachable");
  if (reply->status == 401 || reply->status == 403) {
    std::lock_guard<std::mutex> lock(mu_);
    token_.clear();  // a revoked token: exchange again next time
    return Fail("provider_auth_failed");
  }
  if (reply->status == 400 || reply->status == 404 || reply->status == 410) {
    return Fail("purchase_not_found");
  }
  if (reply->status != 200) return Fail("bad_response");
  simdjson::dom::parser parser;
  std::optional<simdjson::dom::element> p = ParseObject(parser, reply->body);
  if (!p) return Fail("bad_response");
  // purchaseState: 0 purchased, 1 cancelled, 2 pending.
  if (GetInt(*p, "purchaseState").value_or(-1) != 0) return Fail("purchase_not_completed");
  std::optional<std::string_view> order = GetString(*p, "orderId");
  if (!order || order->empty() || order->size() > 255) {
    return MakeError(kMissingTransactionId, "the purchase has no orderId");
  }
  GooglePurchase out;
  out.order_id = std::string(*order);
  out.purchase_time_ms = std::string(GetString(*p, "purchaseTimeMillis").value_or(""));
  out.consumption_state = GetInt(*p, "consumptionState").value_or(0);
  out.acknowledged = GetInt(*p, "acknowledgementState").value_or(0) == 1;
  return out;
}

}  // namespace asobi::iap
