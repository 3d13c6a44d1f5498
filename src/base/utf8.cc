// UTF-8 decoding, validation and encoding; see utf8.h.
#include "base/utf8.h"

#include <cstring>

namespace asobi {
namespace {

// True when all 8 bytes at `p` are ASCII.
bool EightAscii(const unsigned char* p) {
  uint64_t word;
  std::memcpy(&word, p, sizeof(word));
  return (word & 0x8080808080808080ull) == 0;
}

}  // namespace

size_t EncodeUtf8(uint32_t cp, char* buf) {
  if (cp < 0x80) {
    buf[0] = static_cast<char>(cp);
    return 1;
  }
  if (cp < 0x800) {
    buf[0] = static_cast<char>(0xC0 | (cp >> 6));
    buf[1] = static_cast<char>(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    buf[0] = static_cast<char>(0xE0 | (cp >> 12));
    buf[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    buf[2] = static_cast<char>(0x80 | (cp & 0x3F));
    return 3;
  }
  buf[0] = static_cast<char>(0xF0 | (cp >> 18));
  buf[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
  buf[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
  buf[3] = static_cast<char>(0x80 | (cp & 0x3F));
  return 4;
}

bool IsValidUtf8(std::string_view s) {
  // Sequence by sequence (faster than the incremental state machine on non-ASCII text), with
  // the same 8-byte ASCII skip.
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    while (n - i >= 8 && EightAscii(p + i)) i += 8;
    if (i == n) break;
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    uint32_t cp;
    const size_t len = DecodeUtf8(p + i, n - i, &cp);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

long Utf8Length(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  long count = 0;
  size_t i = 0;
  while (i < s.size()) {
    uint32_t cp;
    const size_t n = DecodeUtf8(p + i, s.size() - i, &cp);
    if (n == 0) return -1;
    i += n;
    ++count;
  }
  return count;
}

bool Utf8Validator::Feed(std::string_view piece) {
  if (failed_) return false;
  const auto* p = reinterpret_cast<const unsigned char*>(piece.data());
  const unsigned char* end = p + piece.size();
  while (p != end) {
    if (pending_ == 0) {
      // Between characters: skip ASCII quickly.
      while (end - p >= 8 && EightAscii(p)) p += 8;
      if (p == end) break;
      unsigned char b = *p++;
      if (b < 0x80) continue;
      Utf8Lead lead = ClassifyUtf8Lead(b);
      pending_ = uint8_t(lead.continuation);
      lo_ = lead.lo;
      hi_ = lead.hi;
      if (pending_ == 0) {
        failed_ = true;  // stray continuation byte, C0/C1 or F5..FF
        return false;
      }
      continue;
    }
    unsigned char b = *p++;
    if (b < lo_ || b > hi_) {
      failed_ = true;
      return false;
    }
    --pending_;
    lo_ = 0x80;
    hi_ = 0xbf;
  }
  return true;
}

bool Utf8Validator::IsValid(std::string_view bytes) {
  Utf8Validator v;
  return v.Feed(bytes) && v.complete();
}

}  // namespace asobi
