#include "game/oauth/jwks.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>

#include "game/iap/base64.h"
#include "protocol/json_value.h"

namespace asobi::oauth {
namespace {

struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
struct BldFree {
  void operator()(OSSL_PARAM_BLD* b) const { OSSL_PARAM_BLD_free(b); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
struct CtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;

std::shared_ptr<EVP_PKEY> FromParams(const char* type, OSSL_PARAM_BLD* bld) {
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld));
  std::unique_ptr<EVP_PKEY_CTX, CtxFree> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return nullptr;
  }
  return std::shared_ptr<EVP_PKEY>(key, &EVP_PKEY_free);
}

std::optional<std::string> Member(JsonValue k, std::string_view name) {
  std::optional<std::string_view> b64 = GetString(k, name);
  if (!b64 || b64->empty() || b64->size() > 2048) return std::nullopt;
  return iap::Base64UrlDecode(*b64);
}

std::shared_ptr<EVP_PKEY> RsaKey(JsonValue k) {
  std::optional<std::string> n = Member(k, "n"), e = Member(k, "e");
  if (!n || !e || e->size() > 8) return nullptr;
  BnPtr bn_n(BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()), int(n->size()), nullptr));
  BnPtr bn_e(BN_bin2bn(reinterpret_cast<const unsigned char*>(e->data()), int(e->size()), nullptr));
  if (!bn_n || !bn_e || BN_num_bits(bn_n.get()) < 2048 || BN_num_bits(bn_n.get()) > 8192 ||
      BN_is_zero(bn_e.get())) {
    return nullptr;
  }
  std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    return nullptr;
  }
  return FromParams("RSA", bld.get());
}

std::shared_ptr<EVP_PKEY> EcKey(JsonValue k) {
  if (GetString(k, "crv") != std::optional<std::string_view>("P-256")) return nullptr;
  std::optional<std::string> x = Member(k, "x"), y = Member(k, "y");
  if (!x || !y || x->size() != 32 || y->size() != 32) return nullptr;
  std::string point = "\x04" + *x + *y;  // uncompressed SEC1 point
  std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) !=
          1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return nullptr;
  }
  std::shared_ptr<EVP_PKEY> key = FromParams("EC", bld.get());
  if (!key) return nullptr;
  // fromdata decodes the point; check it explicitly as well (on the curve, not infinity).
  std::unique_ptr<EVP_PKEY_CTX, CtxFree> check(
      EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) return nullptr;
  return key;
}

}  // namespace

const Jwk* KeySet::Find(std::string_view kid) const {
  auto it = keys_.find(std::string(kid));
  return it == keys_.end() ? nullptr : &it->second;
}

Result<KeySet> ParseJwks(std::string_view json) {
  if (json.size() > kMaxJwksBytes) return MakeError("bad_jwks", "JWKS document too large");
  if (json.empty()) return MakeError("bad_jwks", "empty JWKS document");
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json.data(), json.size(), true).get(root) != simdjson::SUCCESS ||
      !IsObject(root)) {
    return MakeError("bad_jwks", "not a JSON object");
  }
  std::optional<JsonValue> keys = GetField(root, "keys");
  simdjson::dom::array arr;
  if (!keys || keys->get_array().get(arr) != simdjson::SUCCESS) {
    return MakeError("bad_jwks", "no keys array");
  }
  KeySet set;
  for (simdjson::dom::element k : arr) {
    if (set.keys_.size() >= kMaxJwksKeys) break;
    if (!IsObject(k)) continue;
    std::optional<std::string_view> kid = GetString(k, "kid");
    std::optional<std::string_view> kty = GetString(k, "kty");
    std::optional<std::string_view> use = GetString(k, "use");
    if (!kid || kid->empty() || kid->size() > 256 || !kty || (use && *use != "sig")) continue;
    if (set.keys_.count(std::string(*kid)) != 0) continue;  // first one wins
    Jwk jwk;
    jwk.alg = std::string(GetString(k, "alg").value_or(""));
    if (*kty == "RSA") {
      jwk.type = EVP_PKEY_RSA;
      jwk.key = RsaKey(k);
    } else if (*kty == "EC") {
      jwk.type = EVP_PKEY_EC;
      jwk.key = EcKey(k);
    }
    if (jwk.key) set.keys_.emplace(std::string(*kid), std::move(jwk));
  }
  if (set.keys_.empty()) return MakeError("bad_jwks", "no usable key");
  return set;
}

}  // namespace asobi::oauth
