// One-sequence UTF-8 decoder shared by the host `utf8` library and the Lua -> JSON encoder.
#pragma once

#include <cstddef>
#include <cstdint>

namespace asobi::script {

/// Whether a decode accepts UTF-16 surrogate code points (U+D800..U+DFFF). Lua 5.3's `utf8`
/// library accepts them; JSON output must not contain them.
enum class Surrogates { kReject, kAccept };

/// Decodes the UTF-8 sequence starting at `s` (at most `len` bytes, len >= 1). On success
/// stores the code point in `*code_point` and returns the sequence length (1-4). Returns 0 for
/// an invalid sequence: stray continuation byte, bad lead byte, truncated sequence, overlong
/// form, value above U+10FFFF, or a surrogate when `surrogates` is kReject. Never reads past
/// `s + len`. Pure function, any thread.
inline size_t DecodeUtf8(const unsigned char* s, size_t len, uint32_t* code_point,
                         Surrogates surrogates) {
  const unsigned char lead = s[0];
  if (lead < 0x80) {
    *code_point = lead;
    return 1;
  }
  size_t n;
  uint32_t cp;
  uint32_t min;
  if (lead >= 0xC2 && lead <= 0xDF) {
    n = 2, cp = lead & 0x1F, min = 0x80;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    n = 3, cp = lead & 0x0F, min = 0x800;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    n = 4, cp = lead & 0x07, min = 0x10000;
  } else {
    return 0;  // continuation byte, overlong 2-byte lead (C0, C1), or F5..FF
  }
  if (len < n) return 0;
  for (size_t i = 1; i < n; ++i) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF) return 0;
  if (surrogates == Surrogates::kReject && cp >= 0xD800 && cp <= 0xDFFF) return 0;
  *code_point = cp;
  return n;
}

/// Appends the UTF-8 encoding of `cp` (<= 0x10FFFF, surrogates allowed) to `buf`, which must
/// have room for 4 bytes; returns the number of bytes written.
inline size_t EncodeUtf8(uint32_t cp, char* buf) {
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

}  // namespace asobi::script
