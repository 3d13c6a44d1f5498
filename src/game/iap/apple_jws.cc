#include "game/iap/apple_jws.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <vector>

#include "game/iap/base64.h"
#include "game/iap/jws_signature.h"
#include "protocol/json_value.h"

namespace asobi::iap {
namespace {

constexpr size_t kMaxChainCerts = 10;
constexpr char kLeafOid[] = "1.2.840.113635.100.6.11.1";         // receipt signing
constexpr char kIntermediateOid[] = "1.2.840.113635.100.6.2.1";  // Apple WWDR intermediate

template <typename T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX, X509_STORE_CTX_free>>;
using AsnObjPtr = std::unique_ptr<ASN1_OBJECT, Deleter<ASN1_OBJECT, ASN1_OBJECT_free>>;
void FreeX509Stack(STACK_OF(X509) * s) { sk_X509_pop_free(s, X509_free); }

Error Fail(const char* detail) { return MakeError(kVerificationFailed, detail); }

struct Segments {
  std::string_view header, payload, signature, signing_input;
};

std::optional<Segments> Split(std::string_view jws) {
  size_t a = jws.find('.');
  if (a == std::string_view::npos) return std::nullopt;
  size_t b = jws.find('.', a + 1);
  if (b == std::string_view::npos || jws.find('.', b + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  Segments s{jws.substr(0, a), jws.substr(a + 1, b - a - 1), jws.substr(b + 1), jws.substr(0, b)};
  if (s.header.empty() || s.payload.empty() || s.signature.empty()) return std::nullopt;
  return s;
}

bool HasExtension(X509* cert, const char* oid) {
  AsnObjPtr obj(OBJ_txt2obj(oid, 1));
  return obj && X509_get_ext_by_OBJ(cert, obj.get(), -1) >= 0;
}

// The x5c certificates, leaf first.
Result<std::vector<X509Ptr>> DecodeChain(simdjson::dom::element header) {
  std::optional<JsonValue> x5c = GetField(header, "x5c");
  simdjson::dom::array arr;
  if (!x5c || x5c->get_array().get(arr) != simdjson::SUCCESS || arr.size() == 0 ||
      arr.size() > kMaxChainCerts) {
    return Fail("missing_x5c");
  }
  std::vector<X509Ptr> certs;
  for (simdjson::dom::element e : arr) {
    std::string_view b64;
    if (e.get_string().get(b64) != simdjson::SUCCESS) return Fail("bad_certificate");
    std::optional<std::string> der = Base64Decode(b64);
    if (!der) return Fail("bad_certificate");
    const unsigned char* p = reinterpret_cast<const unsigned char*>(der->data());
    X509Ptr cert(d2i_X509(nullptr, &p, long(der->size())));
    if (!cert || p != reinterpret_cast<const unsigned char*>(der->data()) + der->size()) {
      return Fail("bad_certificate");
    }
    certs.push_back(std::move(cert));
  }
  return certs;
}

// Verifies the chain against `store` and Apple's OIDs; returns the leaf.
Result<X509*> VerifyChain(X509_STORE* store, const std::vector<X509Ptr>& certs) {
  std::unique_ptr<STACK_OF(X509), Deleter<STACK_OF(X509), FreeX509Stack>> untrusted(
      sk_X509_new_null());
  for (size_t i = 1; i < certs.size(); ++i) {
    X509_up_ref(certs[i].get());
    sk_X509_push(untrusted.get(), certs[i].get());
  }
  StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store, certs[0].get(), untrusted.get()) != 1) {
    return Fail("untrusted_chain");
  }
  if (X509_verify_cert(ctx.get()) != 1) return Fail("untrusted_chain");
  STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx.get());
  if (chain == nullptr || sk_X509_num(chain) < 3 || !HasExtension(certs[0].get(), kLeafOid) ||
      !HasExtension(sk_X509_value(chain, 1), kIntermediateOid)) {
    return Fail("not_apple_chain");
  }
  return certs[0].get();
}

// ES256 over `input` with the leaf's P-256 key; `raw_sig` is r||s (RFC 7518 §3.4).
bool VerifyEs256(X509* leaf, std::string_view input, std::string_view raw_sig) {
  EVP_PKEY* key = X509_get0_pubkey(leaf);
  if (key == nullptr || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) return false;
  char group[64] = {0};
  size_t group_len = 0;
  if (EVP_PKEY_get_group_name(key, group, sizeof group, &group_len) != 1 ||
      std::string_view(group, group_len) != SN_X9_62_prime256v1) {
    return false;
  }
  std::string der = EcdsaRawToDer(raw_sig);
  return !der.empty() && VerifySha256(key, input, der);
}

// A JSON object from a base64url segment; `doc` keeps it alive.
std::optional<simdjson::dom::element> DecodeObject(std::string_view segment,
                                                   simdjson::dom::parser& parser,
                                                   std::string* text) {
  std::optional<std::string> json = Base64UrlDecode(segment);
  if (!json) return std::nullopt;
  *text = std::move(*json);
  simdjson::dom::element el;
  if (parser.parse(text->data(), text->size(), true).get(el) != simdjson::SUCCESS ||
      !IsObject(el)) {
    return std::nullopt;
  }
  return el;
}

Result<AppleTransaction> ReadPayload(simdjson::dom::element p, const std::string& bundle_id) {
  if (GetString(p, "bundleId") != std::optional<std::string_view>(bundle_id)) {
    return Fail("wrong_bundle_id");
  }
  std::optional<std::string_view> tx = GetString(p, "transactionId");
  if (!tx || tx->empty() || tx->size() > 255) {
    return MakeError(kMissingTransactionId, "transactionId is missing");
  }
  AppleTransaction t;
  t.transaction_id = std::string(*tx);
  std::optional<std::string_view> original = GetString(p, "originalTransactionId");
  std::optional<std::string_view> product = GetString(p, "productId");
  std::optional<int64_t> purchased = GetInt(p, "purchaseDate");
  if (!product || product->size() > 255 || !purchased || (original && original->size() > 255)) {
    return Fail("bad_payload");
  }
  t.original_transaction_id = std::string(original.value_or(""));
  t.product_id = std::string(*product);
  t.type = std::string(GetString(p, "type").value_or(""));
  t.purchase_date_ms = *purchased;
  t.expires_date_ms = GetInt(p, "expiresDate");
  t.quantity = GetInt(p, "quantity").value_or(1);
  return t;
}

}  // namespace

Result<std::unique_ptr<AppleVerifier>> AppleVerifier::Create(std::string bundle_id,
                                                             std::string_view roots_pem) {
  X509_STORE* store = X509_STORE_new();
  BIO* bio = BIO_new_mem_buf(roots_pem.data(), int(roots_pem.size()));
  int added = 0;
  while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    if (X509_STORE_add_cert(store, cert) == 1) ++added;
    X509_free(cert);
  }
  BIO_free(bio);
  if (added == 0 || bundle_id.empty()) {
    X509_STORE_free(store);
    return MakeError("bad_config",
                     added == 0 ? "no root certificate in the PEM data" : "the bundle id is empty");
  }
  return std::unique_ptr<AppleVerifier>(new AppleVerifier(std::move(bundle_id), store));
}

AppleVerifier::~AppleVerifier() { X509_STORE_free(store_); }

Result<AppleTransaction> AppleVerifier::Verify(std::string_view jws) const {
  std::optional<Segments> seg = Split(jws);
  if (!seg) return Fail("malformed_jws");
  simdjson::dom::parser header_parser, payload_parser;
  std::string header_text, payload_text;
  std::optional<simdjson::dom::element> header =
      DecodeObject(seg->header, header_parser, &header_text);
  if (!header) return Fail("malformed_jws");
  // Only ES256: `none`, HS256 (a key-confusion swap) and anything else never reach a key.
  if (GetString(*header, "alg") != std::optional<std::string_view>("ES256")) {
    return Fail("unsupported_alg");
  }
  std::optional<std::string> signature = Base64UrlDecode(seg->signature);
  std::optional<simdjson::dom::element> payload =
      DecodeObject(seg->payload, payload_parser, &payload_text);
  if (!signature || !payload) return Fail("malformed_jws");
  Result<std::vector<X509Ptr>> certs = DecodeChain(*header);
  if (!certs.ok()) return certs.error();
  Result<X509*> leaf = VerifyChain(store_, certs.value());
  if (!leaf.ok()) return leaf.error();
  if (!VerifyEs256(leaf.value(), seg->signing_input, *signature)) return Fail("bad_signature");
  return ReadPayload(*payload, bundle_id_);
}

}  // namespace asobi::iap
