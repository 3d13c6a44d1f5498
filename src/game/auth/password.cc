#include "game/auth/password.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <cstdlib>
#include <vector>

namespace asobi {
namespace {

constexpr std::string_view kPbkdf2Prefix = "$pbkdf2-sha256$";

std::optional<std::vector<unsigned char>> DecodeB64(std::string_view in) {
  std::vector<unsigned char> out(in.size());
  size_t len = 0;
  if (sodium_base642bin(out.data(), out.size(), in.data(), in.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0) {
    // Tolerate missing padding.
    if (sodium_base642bin(out.data(), out.size(), in.data(), in.size(), nullptr, &len, nullptr,
                          sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0) {
      return std::nullopt;
    }
  }
  out.resize(len);
  return out;
}

std::string EncodeB64(const unsigned char* data, size_t len) {
  std::string out(sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), data, len, sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // drop the NUL
  return out;
}

PasswordCheck VerifyPbkdf2(std::string_view stored, std::string_view password) {
  // $pbkdf2-sha256$<iter>$<salt>$<key>
  std::string_view rest = stored.substr(kPbkdf2Prefix.size());
  size_t d1 = rest.find('$');
  if (d1 == std::string_view::npos) return PasswordCheck::kUnsupportedHash;
  size_t d2 = rest.find('$', d1 + 1);
  if (d2 == std::string_view::npos) return PasswordCheck::kUnsupportedHash;
  std::string iter_text(rest.substr(0, d1));
  char* end = nullptr;
  long iterations = std::strtol(iter_text.c_str(), &end, 10);
  if (*end != '\0' || iterations < 1 || iterations > 10000000) {
    return PasswordCheck::kUnsupportedHash;
  }
  auto salt = DecodeB64(rest.substr(d1 + 1, d2 - d1 - 1));
  auto key = DecodeB64(rest.substr(d2 + 1));
  if (!salt || !key || key->empty() || key->size() > 64) return PasswordCheck::kUnsupportedHash;
  unsigned char derived[64];
  if (PKCS5_PBKDF2_HMAC(password.data(), int(password.size()), salt->data(), int(salt->size()),
                        int(iterations), EVP_sha256(), int(key->size()), derived) != 1) {
    return PasswordCheck::kUnsupportedHash;
  }
  bool same = sodium_memcmp(derived, key->data(), key->size()) == 0;
  return same ? PasswordCheck::kMatchNeedsRehash : PasswordCheck::kMismatch;
}

}  // namespace

std::optional<std::string> HashPassword(std::string_view password) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return std::nullopt;
  }
  return std::string(out);
}

PasswordCheck VerifyPassword(std::string_view stored, std::string_view password) {
  if (stored.substr(0, kPbkdf2Prefix.size()) == kPbkdf2Prefix) {
    return VerifyPbkdf2(stored, password);
  }
  if (stored.substr(0, 9) != "$argon2id" && stored.substr(0, 8) != "$argon2i") {
    return PasswordCheck::kUnsupportedHash;
  }
  std::string s(stored);  // needs NUL termination
  if (crypto_pwhash_str_verify(s.c_str(), password.data(), password.size()) != 0) {
    return PasswordCheck::kMismatch;
  }
  int rehash = crypto_pwhash_str_needs_rehash(s.c_str(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                              crypto_pwhash_MEMLIMIT_INTERACTIVE);
  return rehash == 0 ? PasswordCheck::kMatch : PasswordCheck::kMatchNeedsRehash;
}

void DummyVerify(std::string_view password) {
  static const std::optional<std::string> dummy = HashPassword("asobi-dummy-password");
  if (dummy) (void)VerifyPassword(*dummy, password);
}

std::string HashPasswordPbkdf2(std::string_view password, int iterations) {
  unsigned char salt[16];
  randombytes_buf(salt, sizeof salt);
  unsigned char key[32];
  PKCS5_PBKDF2_HMAC(password.data(), int(password.size()), salt, sizeof salt, iterations,
                    EVP_sha256(), sizeof key, key);
  return std::string(kPbkdf2Prefix) + std::to_string(iterations) + "$" +
         EncodeB64(salt, sizeof salt) + "$" + EncodeB64(key, sizeof key);
}

}  // namespace asobi
