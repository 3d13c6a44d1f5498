#include "game/auth/tokens.h"

#include <sodium.h>

namespace asobi {
namespace {

std::string B64(const unsigned char* data, size_t len) {
  std::string out(sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), data, len, sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);
  return out;
}

}  // namespace

std::string NewToken() {
  unsigned char b[32];
  randombytes_buf(b, sizeof b);
  return B64(b, sizeof b);
}

std::string NewFamilyId() {
  unsigned char b[16];
  randombytes_buf(b, sizeof b);
  return B64(b, sizeof b);
}

std::optional<std::string> TokenStorageHash(std::string_view raw) {
  if (raw.empty() || raw.size() > 1024) return std::nullopt;
  unsigned char bin[768];
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(bin, sizeof bin, raw.data(), raw.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != raw.data() + raw.size()) {
    return std::nullopt;
  }
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, bin, len);
  return B64(digest, sizeof digest);
}

}  // namespace asobi
