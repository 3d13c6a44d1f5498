// Utf8Lead: what a UTF-8 lead byte announces (RFC 3629), shared by the validators that face the
// network (WebSocket text frames, JSON escaping).
#pragma once

#include <cstdint>

namespace asobi {

/// The shape of the sequence a lead byte starts: how many continuation bytes follow and the
/// range the first of them must fall in. The range excludes overlong forms, UTF-16 surrogates
/// and code points above U+10FFFF; later continuation bytes are always 0x80..0xBF.
struct Utf8Lead {
  int continuation = 0;  // 1..3; 0 = not a lead byte (ASCII is not classified here)
  uint8_t lo = 0x80;     // allowed range of the second byte
  uint8_t hi = 0xbf;
};

/// Classifies a byte >= 0x80. A stray continuation byte, C0/C1 or F5..FF gives continuation 0.
inline Utf8Lead ClassifyUtf8Lead(uint8_t b) {
  Utf8Lead lead;
  if (b >= 0xc2 && b <= 0xdf) {
    lead.continuation = 1;
  } else if (b >= 0xe0 && b <= 0xef) {
    lead.continuation = 2;
    if (b == 0xe0) lead.lo = 0xa0;
    if (b == 0xed) lead.hi = 0x9f;
  } else if (b >= 0xf0 && b <= 0xf4) {
    lead.continuation = 3;
    if (b == 0xf0) lead.lo = 0x90;
    if (b == 0xf4) lead.hi = 0x8f;
  }
  return lead;
}

}  // namespace asobi
