#include "iap_test_pki.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <cstring>

#include "game/iap/base64.h"

namespace asobi::iap::testing {
namespace {

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string out(data, size_t(n));
  BIO_free(bio);
  return out;
}

void AddExt(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

void AddMarker(X509* cert, const char* oid) {
  ASN1_OBJECT* obj = OBJ_txt2obj(oid, 1);
  static const unsigned char kNull[] = {0x05, 0x00};
  ASN1_OCTET_STRING* data = ASN1_OCTET_STRING_new();
  ASN1_OCTET_STRING_set(data, kNull, sizeof kNull);
  X509_EXTENSION* ext = X509_EXTENSION_create_by_OBJ(nullptr, obj, 0, data);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  ASN1_OCTET_STRING_free(data);
  ASN1_OBJECT_free(obj);
}

}  // namespace

Key NewEcKey(const char* curve) { return Key(EVP_EC_gen(curve)); }

Key NewRsaKey() { return Key(EVP_RSA_gen(2048)); }

std::string PrivatePem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  return BioText(bio);
}

std::string PublicPem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key);
  return BioText(bio);
}

Cert MakeCert(const CertSpec& spec) {
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  unsigned char serial[8];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7F;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert), long(spec.not_before_s));
  X509_gmtime_adj(X509_getm_notAfter(cert), long(spec.not_after_s));
  X509_set_pubkey(cert, spec.key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(spec.cn.c_str()), -1, -1, 0);
  X509* issuer = spec.issuer ? spec.issuer : cert;
  X509_set_issuer_name(cert, X509_get_subject_name(issuer));
  AddExt(cert, issuer, NID_basic_constraints, spec.ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  AddExt(cert, issuer, NID_key_usage,
         spec.ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
  AddExt(cert, issuer, NID_subject_key_identifier, "hash");
  if (spec.issuer) AddExt(cert, issuer, NID_authority_key_identifier, "keyid:always");
  if (spec.marker_oid) AddMarker(cert, spec.marker_oid);
  X509_sign(cert, spec.issuer_key ? spec.issuer_key : spec.key, EVP_sha256());
  return Cert(cert);
}

std::string CertPem(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  return BioText(bio);
}

std::string CertB64(X509* cert) {
  unsigned char* der = nullptr;
  int n = i2d_X509(cert, &der);
  std::string raw(reinterpret_cast<char*>(der), size_t(n));
  OPENSSL_free(der);
  std::string out(size_t(4 * ((n + 2) / 3)) + 1, '\0');
  int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(raw.data()), n);
  out.resize(size_t(len));
  return out;
}

std::string AppleChain::X5c() const {
  return "[\"" + CertB64(leaf.get()) + "\",\"" + CertB64(inter.get()) + "\",\"" +
         CertB64(root.get()) + "\"]";
}

AppleChain MakeAppleChain(const char* leaf_curve, bool leaf_oid, int64_t leaf_not_after_s) {
  AppleChain c;
  c.root_key = NewEcKey();
  c.inter_key = NewEcKey();
  c.leaf_key = NewEcKey(leaf_curve);
  c.root = MakeCert({"Test Root CA", c.root_key.get(), nullptr, nullptr, true, nullptr});
  c.inter = MakeCert({"Test WWDR", c.inter_key.get(), c.root.get(), c.root_key.get(), true,
                      "1.2.840.113635.100.6.2.1"});
  CertSpec leaf{"Test StoreKit Leaf",
                c.leaf_key.get(),
                c.inter.get(),
                c.inter_key.get(),
                false,
                leaf_oid ? "1.2.840.113635.100.6.11.1" : nullptr};
  leaf.not_after_s = leaf_not_after_s;
  c.leaf = MakeCert(leaf);
  return c;
}

std::string SignEs256(const std::string& header_json, const std::string& payload_json,
                      EVP_PKEY* key) {
  std::string input = Base64UrlEncode(header_json) + "." + Base64UrlEncode(payload_json);
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  size_t len = 0;
  EVP_DigestSignInit(md, nullptr, EVP_sha256(), nullptr, key);
  EVP_DigestSign(md, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                 input.size());
  std::string der(len, '\0');
  EVP_DigestSign(md, reinterpret_cast<unsigned char*>(der.data()), &len,
                 reinterpret_cast<const unsigned char*>(input.data()), input.size());
  EVP_MD_CTX_free(md);
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, long(len));
  const int half = EVP_PKEY_get_bits(key) / 8 + (EVP_PKEY_get_bits(key) % 8 ? 1 : 0);
  std::string raw(size_t(2 * half), '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(raw.data()), half);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(raw.data()) + half, half);
  ECDSA_SIG_free(sig);
  return input + "." + Base64UrlEncode(raw);
}

std::string SignHs256(const std::string& header_json, const std::string& payload_json,
                      const std::string& secret) {
  std::string input = Base64UrlEncode(header_json) + "." + Base64UrlEncode(payload_json);
  unsigned char mac[32];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), secret.data(), int(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &mac_len);
  return input + "." + Base64UrlEncode(std::string(reinterpret_cast<char*>(mac), mac_len));
}

std::string ApplePayload(const std::string& bundle_id, const std::string& transaction_id,
                         const std::string& product_id, int64_t purchase_ms, int64_t expires_ms) {
  std::string p = R"({"bundleId":")" + bundle_id + R"(","productId":")" + product_id + "\"";
  if (!transaction_id.empty()) {
    p += R"(,"transactionId":")" + transaction_id + R"(","originalTransactionId":")" +
         transaction_id + "\"";
  }
  p += R"(,"purchaseDate":)" + std::to_string(purchase_ms) + R"(,"quantity":1)";
  if (expires_ms > 0) {
    p += R"(,"expiresDate":)" + std::to_string(expires_ms) +
         R"(,"type":"Auto-Renewable Subscription")";
  } else {
    p += R"(,"type":"Consumable")";
  }
  p += R"(,"environment":"Sandbox","signedDate":)" + std::to_string(purchase_ms) + "}";
  return p;
}

std::string AppleJws(const AppleChain& chain, const std::string& payload_json) {
  return SignEs256(R"({"alg":"ES256","x5c":)" + chain.X5c() + "}", payload_json,
                   chain.leaf_key.get());
}

bool VerifyRs256(const std::string& jwt, EVP_PKEY* public_key) {
  size_t dot = jwt.rfind('.');
  if (dot == std::string::npos) return false;
  std::optional<std::string> sig = Base64UrlDecode(std::string_view(jwt).substr(dot + 1));
  if (!sig) return false;
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  bool ok = EVP_DigestVerifyInit(md, nullptr, EVP_sha256(), nullptr, public_key) == 1 &&
            EVP_DigestVerify(md, reinterpret_cast<const unsigned char*>(sig->data()), sig->size(),
                             reinterpret_cast<const unsigned char*>(jwt.data()), dot) == 1;
  EVP_MD_CTX_free(md);
  return ok;
}

}  // namespace asobi::iap::testing
