#include "base/uuid.h"

#include <sodium.h>

#include <cstdint>

#include "base/clock.h"

namespace asobi {

std::string NewUuidV7() {
  uint8_t b[16];
  randombytes_buf(b, sizeof b);
  // Monotonic per thread (RFC 9562 §6.2, method 1): within one millisecond the 12 bits of
  // rand_a count up from a random start below 2048, and a counter overflow borrows the next
  // millisecond, so ids made one after another on a thread (a channel's messages on its owner
  // shard) sort in the order they were made, even when the clock steps back.
  thread_local uint64_t last_ms = 0;
  thread_local uint32_t counter = 0;
  uint64_t ms = uint64_t(UnixMs());
  if (ms > last_ms) {
    last_ms = ms;
    counter = uint32_t(b[6] & 0x07) << 8 | b[7];
  } else if (++counter > 0xfff) {
    ++last_ms;
    counter = 0;
  }
  ms = last_ms;
  for (int i = 0; i < 6; ++i) b[i] = uint8_t(ms >> (40 - 8 * i));
  b[6] = uint8_t(0x70 | (counter >> 8));
  b[7] = uint8_t(counter & 0xff);
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
