#include "game/ops/ops_token.h"

#include <sodium.h>

#include <array>
#include <charconv>

namespace asobi::ops {
namespace {

constexpr std::string_view kNames[] = {"read", "player_data", "config", "erasure"};
constexpr int kB64 = sodium_base64_VARIANT_URLSAFE_NO_PADDING;

std::string B64(const unsigned char* data, size_t n) {
  std::string out(sodium_base64_ENCODED_LEN(n, kB64), '\0');
  sodium_bin2base64(out.data(), out.size(), data, n, kB64);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::optional<std::string> UnB64(std::string_view text, size_t max_bytes) {
  std::string out(max_bytes, '\0');
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, &end, kB64) != 0) {
    return std::nullopt;
  }
  if (end != text.data() + text.size()) return std::nullopt;
  out.resize(len);
  return out;
}

std::array<unsigned char, crypto_auth_hmacsha256_BYTES> Mac(std::string_view key,
                                                            std::string_view msg) {
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(msg.data()),
                                msg.size());
  crypto_auth_hmacsha256_final(&st, mac.data());
  return mac;
}

// Splits `s` at '.', into exactly `n` parts; false otherwise.
template <size_t N>
bool SplitDots(std::string_view s, std::array<std::string_view, N>* parts) {
  size_t i = 0;
  while (true) {
    size_t dot = s.find('.');
    if (i == N - 1) {
      if (dot != std::string_view::npos) return false;
      (*parts)[i] = s;
      return true;
    }
    if (dot == std::string_view::npos) return false;
    (*parts)[i++] = s.substr(0, dot);
    s.remove_prefix(dot + 1);
  }
}

uint32_t ParseClasses(std::string_view list) {
  uint32_t mask = 0;
  while (!list.empty()) {
    size_t comma = list.find(',');
    uint32_t bit = ClassFromName(list.substr(0, comma));
    if (bit == 0) return 0;
    mask |= bit;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
    if (list.empty()) return 0;  // trailing comma
  }
  return mask;
}

}  // namespace

uint32_t ClassFromName(std::string_view name) {
  for (size_t i = 0; i < std::size(kNames); ++i) {
    if (name == kNames[i]) return 1u << i;
  }
  return 0;
}

std::string ClassNames(uint32_t mask) {
  std::string out;
  for (size_t i = 0; i < std::size(kNames); ++i) {
    if ((mask & (1u << i)) == 0) continue;
    if (!out.empty()) out.push_back(',');
    out += kNames[i];
  }
  return out;
}

std::string MintOpsToken(std::string_view key, const OpsTokenClaims& claims) {
  std::string prefix =
      "v1." + std::to_string(claims.expires_at_s) + "." + ClassNames(claims.classes) + "." +
      B64(reinterpret_cast<const unsigned char*>(claims.label.data()), claims.label.size());
  auto mac = Mac(key, prefix);
  return prefix + "." + B64(mac.data(), mac.size());
}

std::optional<OpsTokenClaims> VerifyOpsToken(std::string_view key, std::string_view token,
                                             int64_t now_s) {
  if (key.empty() || token.size() > kOpsTokenBytesMax) return std::nullopt;
  std::array<std::string_view, 5> p;
  if (!SplitDots(token, &p) || p[0] != "v1") return std::nullopt;
  std::optional<std::string> sig = UnB64(p[4], crypto_auth_hmacsha256_BYTES + 3);
  if (!sig || sig->size() != crypto_auth_hmacsha256_BYTES) return std::nullopt;
  auto mac = Mac(key, token.substr(0, token.size() - p[4].size() - 1));
  if (sodium_memcmp(mac.data(), sig->data(), mac.size()) != 0) return std::nullopt;
  OpsTokenClaims c;
  const char* end = p[1].data() + p[1].size();
  auto [ptr, ec] = std::from_chars(p[1].data(), end, c.expires_at_s);
  if (ec != std::errc() || ptr != end || p[1].empty() || c.expires_at_s <= now_s) {
    return std::nullopt;
  }
  c.classes = ParseClasses(p[2]);
  std::optional<std::string> label = UnB64(p[3], kOpsLabelBytesMax + 3);
  if (c.classes == 0 || !label || label->empty() || label->size() > kOpsLabelBytesMax) {
    return std::nullopt;
  }
  c.label = std::move(*label);
  return c;
}

bool SecretEquals(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return false;
  unsigned char ha[crypto_hash_sha256_BYTES], hb[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(ha, reinterpret_cast<const unsigned char*>(a.data()), a.size());
  crypto_hash_sha256(hb, reinterpret_cast<const unsigned char*>(b.data()), b.size());
  return sodium_memcmp(ha, hb, sizeof ha) == 0;
}

}  // namespace asobi::ops
