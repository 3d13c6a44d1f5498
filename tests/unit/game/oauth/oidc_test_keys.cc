#include "oidc_test_keys.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>

#include <chrono>
#include <memory>

#include "game/iap/base64.h"
#include "iap_test_pki.h"
#include "protocol/json_writer.h"

namespace asobi::oauth::testing {
namespace {

std::string BnB64(EVP_PKEY* key, const char* name) {
  BIGNUM* bn = nullptr;
  EVP_PKEY_get_bn_param(key, name, &bn);
  std::string raw(size_t(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(raw.data()));
  BN_free(bn);
  return iap::Base64UrlEncode(raw);
}

}  // namespace

int64_t NowS() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string JwkJson(EVP_PKEY* key, const std::string& kid, const std::string& alg) {
  JsonWriter w;
  w.BeginObject();
  w.Key("kid");
  w.String(kid);
  w.Key("use");
  w.String("sig");
  if (!alg.empty()) {
    w.Key("alg");
    w.String(alg);
  }
  if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA) {
    w.Key("kty");
    w.String("RSA");
    w.Key("n");
    w.String(BnB64(key, OSSL_PKEY_PARAM_RSA_N));
    w.Key("e");
    w.String(BnB64(key, OSSL_PKEY_PARAM_RSA_E));
  } else {
    unsigned char point[65];
    size_t len = 0;
    EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &len);
    w.Key("kty");
    w.String("EC");
    w.Key("crv");
    w.String("P-256");
    w.Key("x");
    w.String(iap::Base64UrlEncode(std::string_view(reinterpret_cast<char*>(point + 1), 32)));
    w.Key("y");
    w.String(iap::Base64UrlEncode(std::string_view(reinterpret_cast<char*>(point + 33), 32)));
  }
  w.EndObject();
  return w.Take();
}

std::string Jwks(const std::vector<std::string>& jwks) {
  std::string out = R"({"keys":[)";
  for (size_t i = 0; i < jwks.size(); ++i) out += (i ? "," : "") + jwks[i];
  return out + "]}";
}

std::string SignRs256(const std::string& header_json, const std::string& payload_json,
                      EVP_PKEY* key) {
  std::string input = iap::Base64UrlEncode(header_json) + "." + iap::Base64UrlEncode(payload_json);
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  size_t len = 0;
  EVP_DigestSignInit(md, nullptr, EVP_sha256(), nullptr, key);
  EVP_DigestSign(md, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                 input.size());
  std::string sig(len, '\0');
  EVP_DigestSign(md, reinterpret_cast<unsigned char*>(sig.data()), &len,
                 reinterpret_cast<const unsigned char*>(input.data()), input.size());
  EVP_MD_CTX_free(md);
  sig.resize(len);
  return input + "." + iap::Base64UrlEncode(sig);
}

std::string Claims(const std::string& iss, const std::string& aud, const std::string& sub,
                   int64_t now_s, int64_t ttl_s, const std::string& email,
                   const std::string& name) {
  JsonWriter w;
  w.BeginObject();
  w.Key("iss");
  w.String(iss);
  w.Key("aud");
  w.String(aud);
  w.Key("sub");
  w.String(sub);
  w.Key("iat");
  w.Int(now_s);
  w.Key("exp");
  w.Int(now_s + ttl_s);
  if (!email.empty()) {
    w.Key("email");
    w.String(email);
  }
  if (!name.empty()) {
    w.Key("name");
    w.String(name);
  }
  w.EndObject();
  return w.Take();
}

std::string IdToken(EVP_PKEY* key, const std::string& kid, const std::string& claims_json) {
  bool rsa = EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA;
  std::string header = std::string(R"({"alg":")") + (rsa ? "RS256" : "ES256") + R"(","kid":")" +
                       kid + R"(","typ":"JWT"})";
  return rsa ? SignRs256(header, claims_json, key)
             : iap::testing::SignEs256(header, claims_json, key);
}

}  // namespace asobi::oauth::testing
