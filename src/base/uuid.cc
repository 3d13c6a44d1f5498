#include "base/uuid.h"

#include <sodium.h>

#include <cstdint>

#include "base/clock.h"

namespace asobi {

std::string NewUuidV7() {
  uint8_t b[16];
  randombytes_buf(b, sizeof b);
  uint64_t ms = uint64_t(UnixMs());
  for (int i = 0; i < 6; ++i) b[i] = uint8_t(ms >> (40 - 8 * i));
  b[6] = uint8_t(0x70 | (b[6] & 0x0f));
  b[8] = uint8_t(0x80 | (b[8] & 0x3f));
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 15]);
  }
  return out;
}

bool IsCanonicalUuid(std::string_view t) {
  if (t.size() != 36) return false;
  for (size_t i = 0; i < 36; ++i) {
    char c = t[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

}  // namespace asobi
