#include "game/oauth/id_token.h"

#include "game/iap/base64.h"
#include "game/iap/jws_signature.h"
#include "protocol/json_value.h"

namespace asobi::oauth {
namespace {

Error Reject(const char* detail) { return MakeError(kProviderRejected, detail); }

bool VerifySignature(const ParsedIdToken& t, const Jwk& key) {
  if (t.alg == "ES256") {
    std::string der = iap::EcdsaRawToDer(t.signature);
    return !der.empty() && iap::VerifySha256(key.key.get(), t.signing_input, der);
  }
  return iap::VerifySha256(key.key.get(), t.signing_input, t.signature);
}

bool AudienceHas(JsonValue claims, std::string_view audience) {
  std::optional<JsonValue> aud = GetField(claims, "aud");
  if (!aud) return false;
  std::string_view s;
  if (aud->get_string().get(s) == simdjson::SUCCESS) return s == audience;
  simdjson::dom::array arr;
  if (aud->get_array().get(arr) != simdjson::SUCCESS) return false;
  for (simdjson::dom::element e : arr) {
    if (e.get_string().get(s) == simdjson::SUCCESS && s == audience) return true;
  }
  return false;
}

// A NumericDate (RFC 7519 §2): integer or fractional seconds.
std::optional<int64_t> Seconds(JsonValue claims, std::string_view name) {
  std::optional<double> v = GetNumber(claims, name);
  if (!v || !(*v > -1e15 && *v < 1e15)) return std::nullopt;
  return int64_t(*v);
}

}  // namespace

Result<ParsedIdToken> ParseIdToken(std::string_view token) {
  if (token.empty() || token.size() > kMaxIdTokenBytes) return Reject("malformed_token");
  size_t a = token.find('.');
  if (a == std::string_view::npos) return Reject("malformed_token");
  size_t b = token.find('.', a + 1);
  if (b == std::string_view::npos || token.find('.', b + 1) != std::string_view::npos) {
    return Reject("malformed_token");
  }
  std::optional<std::string> header = iap::Base64UrlDecode(token.substr(0, a));
  if (!header) return Reject("malformed_token");
  simdjson::dom::parser parser;
  simdjson::dom::element h;
  if (parser.parse(header->data(), header->size(), true).get(h) != simdjson::SUCCESS ||
      !IsObject(h)) {
    return Reject("malformed_token");
  }
  std::optional<std::string_view> alg = GetString(h, "alg");
  // The allow-list: `none`, HS256 (an RSA public key used as an HMAC secret) and every other
  // algorithm stop here, before any key is looked at.
  if (!alg || (*alg != "RS256" && *alg != "ES256")) return Reject("unsupported_alg");
  // RFC 7515 §4.1.11: a `crit` header names extensions we would have to understand. Key
  // material in the header (`jwk`, `jku`, `x5u`, `x5c`) is never used: keys come from the
  // configured JWKS only.
  if (GetField(h, "crit")) return Reject("unsupported_alg");
  std::optional<std::string_view> kid = GetString(h, "kid");
  if (!kid || kid->empty()) return Reject("missing_kid");
  ParsedIdToken t;
  t.alg = std::string(*alg);
  t.kid = std::string(*kid);
  t.signing_input = token.substr(0, b);
  std::optional<std::string> payload = iap::Base64UrlDecode(token.substr(a + 1, b - a - 1));
  std::optional<std::string> sig = iap::Base64UrlDecode(token.substr(b + 1));
  if (!payload || !sig || payload->empty() || sig->empty()) return Reject("malformed_token");
  t.payload = std::move(*payload);
  t.signature = std::move(*sig);
  return t;
}

Result<IdClaims> CheckClaims(std::string_view payload_json, const IdTokenPolicy& policy,
                             int64_t now_s) {
  if (payload_json.empty()) return Reject("malformed_token");  // (and no null buffer to parse)
  simdjson::dom::parser parser;
  simdjson::dom::element c;
  if (parser.parse(payload_json.data(), payload_json.size(), true).get(c) != simdjson::SUCCESS ||
      !IsObject(c)) {
    return Reject("malformed_token");
  }
  if (GetString(c, "iss") != std::optional<std::string_view>(policy.issuer)) {
    return Reject("wrong_issuer");
  }
  if (!AudienceHas(c, policy.audience)) return Reject("wrong_audience");
  std::optional<int64_t> exp = Seconds(c, "exp");
  if (!exp || *exp + policy.leeway_s <= now_s) return Reject("expired");
  if (std::optional<int64_t> nbf = Seconds(c, "nbf"); nbf && *nbf - policy.leeway_s > now_s) {
    return Reject("not_yet_valid");
  }
  std::optional<int64_t> iat = Seconds(c, "iat");
  if (!iat) return Reject("malformed_token");
  if (*iat - policy.leeway_s > now_s) return Reject("issued_in_future");
  std::optional<std::string_view> sub = GetString(c, "sub");
  if (!sub || sub->empty() || sub->size() > 255) return Reject("missing_sub");
  IdClaims out;
  out.sub = std::string(*sub);
  if (auto email = GetString(c, "email"); email && email->size() <= 255) out.email = *email;
  if (auto name = GetString(c, "name"); name && name->size() <= 255) out.name = *name;
  return out;
}

Result<IdClaims> VerifyIdToken(const ParsedIdToken& token, const Jwk& key,
                               const IdTokenPolicy& policy, int64_t now_s) {
  int want = token.alg == "RS256" ? EVP_PKEY_RSA : EVP_PKEY_EC;
  if (key.type != want || (!key.alg.empty() && key.alg != token.alg)) {
    return Reject("bad_signature");
  }
  if (!VerifySignature(token, key)) return Reject("bad_signature");
  return CheckClaims(token.payload, policy, now_s);
}

}  // namespace asobi::oauth
