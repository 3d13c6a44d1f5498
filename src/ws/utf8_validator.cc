#include "ws/utf8_validator.h"

#include <cstring>

#include "base/utf8_lead.h"

namespace asobi {
namespace {

// True when all 8 bytes at `p` are ASCII.
bool EightAscii(const unsigned char* p) {
  uint64_t word;
  std::memcpy(&word, p, sizeof(word));
  return (word & 0x8080808080808080ull) == 0;
}

}  // namespace

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
