// UTF-8 (RFC 3629, Unicode §3.9): the one decoder, validator and encoder of the project. Every
// network-facing check (WebSocket text frames, JSON escaping, world-tick strings, Lua `utf8`,
// password lengths) goes through these functions. Pure; any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

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

/// Whether a decode accepts UTF-16 surrogate code points (U+D800..U+DFFF, encoded ED A0..BF xx).
/// Lua 5.3's `utf8` library accepts them; JSON output and the wire must not contain them.
enum class Utf8Surrogates { kReject, kAccept };

/// Decodes the one sequence at `s` (at most `len` bytes, len >= 1). On success stores the code
/// point in `*code_point` and returns the sequence length (1..4; ASCII is 1). Returns 0 for an
/// ill-formed sequence: stray continuation byte, C0/C1/F5..FF lead, truncated sequence,
/// overlong form, value above U+10FFFF, or a surrogate unless `surrogates` is kAccept; then
/// `*bad_len` (if given) is the length of the maximal ill-formed subpart (>= 1), the bytes one
/// U+FFFD replaces (Unicode §3.9 "U+FFFD Substitution of Maximal Subparts"). Never reads past
/// `s + len`.
inline size_t DecodeUtf8(const unsigned char* s, size_t len, uint32_t* code_point,
                         Utf8Surrogates surrogates = Utf8Surrogates::kReject,
                         size_t* bad_len = nullptr) {
  const unsigned char b0 = s[0];
  if (b0 < 0x80) {
    *code_point = b0;
    return 1;
  }
  Utf8Lead lead = ClassifyUtf8Lead(b0);
  if (b0 == 0xed && surrogates == Utf8Surrogates::kAccept) lead.hi = 0xbf;
  size_t bad = 1;
  if (lead.continuation != 0 && len >= 2 && s[1] >= lead.lo && s[1] <= lead.hi) {
    const size_t n = size_t(lead.continuation) + 1;
    uint32_t cp = (b0 & (0x7f >> n)) << 6 | (s[1] & 0x3f);
    size_t i = 2;
    for (; i < n && i < len && (s[i] & 0xc0) == 0x80; ++i) cp = cp << 6 | (s[i] & 0x3f);
    if (i == n) {
      *code_point = cp;
      return n;
    }
    bad = i;
  }
  if (bad_len != nullptr) *bad_len = bad;
  return 0;
}

/// The longest prefix of `s` of at most `max_bytes` bytes that does not split a multi-byte
/// sequence: when `s` is longer, backs off continuation bytes (10xxxxxx) from `max_bytes`.
/// Ill-formed input is cut the same way, without further checks.
inline std::string_view Utf8Prefix(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  size_t n = max_bytes;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xc0) == 0x80) --n;
  return s.substr(0, n);
}

/// Writes the UTF-8 encoding of `cp` (<= 0x10FFFF; surrogates are encoded as is) to `buf`,
/// which must have room for 4 bytes; returns the number of bytes written (1..4).
size_t EncodeUtf8(uint32_t cp, char* buf);

/// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool IsValidUtf8(std::string_view s);

/// Number of code points in `s`, or -1 when `s` is not well-formed UTF-8.
long Utf8Length(std::string_view s);

/// Checks that the concatenation of every piece passed to Feed() is valid UTF-8: shortest
/// forms only, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF. A character may be
/// split across pieces (e.g. the fragments of a WebSocket text message, RFC 6455 §8.1).
/// 4 bytes of state; no allocation. Not thread-safe; one per stream.
class Utf8Validator {
 public:
  /// Validates the next piece. Returns false at the first byte that cannot continue valid
  /// UTF-8; the validator then stays failed until Reset().
  bool Feed(std::string_view piece);
  /// True when everything fed so far is valid and no character is left incomplete.
  bool complete() const { return !failed_ && pending_ == 0; }
  /// Starts a new stream.
  void Reset() { *this = Utf8Validator(); }

  /// One-shot check of a whole string (same result as IsValidUtf8).
  static bool IsValid(std::string_view bytes);

 private:
  uint8_t pending_ = 0;  // continuation bytes still expected for the current character
  uint8_t lo_ = 0x80;    // allowed range of the next continuation byte
  uint8_t hi_ = 0xbf;
  bool failed_ = false;
};

}  // namespace asobi
