// Byte classes and ASCII helpers shared by the http/ parsers (RFC 9110 §5.6). Internal to
// http/; pure functions, any thread.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace asobi::http {
namespace chars_internal {

inline constexpr uint8_t kTchar = 1;       // token character (method, field name)
inline constexpr uint8_t kTarget = 2;      // visible ASCII allowed in a request-target
inline constexpr uint8_t kFieldValue = 4;  // HTAB, SP, VCHAR, obs-text

/// Builds the 256-entry class table (kTchar | kTarget | kFieldValue bits) at compile time.
constexpr std::array<uint8_t, 256> MakeClasses() {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    uint8_t cls = 0;
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (alnum ||
        std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos) {
      cls |= kTchar;
    }
    if (c >= 0x21 && c <= 0x7e) cls |= kTarget;
    if (c == '\t' || (c >= 0x20 && c != 0x7f)) cls |= kFieldValue;
    t[static_cast<size_t>(c)] = cls;
  }
  return t;
}

inline constexpr std::array<uint8_t, 256> kClasses = MakeClasses();

}  // namespace chars_internal

/// RFC 9110 token character (methods, header field names).
inline bool IsTchar(char c) {
  return chars_internal::kClasses[static_cast<uint8_t>(c)] & chars_internal::kTchar;
}
/// Visible ASCII (0x21-0x7e): allowed in a request-target.
inline bool IsTargetChar(char c) {
  return chars_internal::kClasses[static_cast<uint8_t>(c)] & chars_internal::kTarget;
}
/// HTAB, SP, VCHAR or obs-text: allowed in a header field value (no CTLs, no DEL).
inline bool IsFieldValueChar(char c) {
  return chars_internal::kClasses[static_cast<uint8_t>(c)] & chars_internal::kFieldValue;
}
/// ASCII-only lower-casing (header names are compared case-insensitively); other bytes unchanged.
inline char ToLowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

namespace chars_internal {

inline constexpr uint64_t kOnes = 0x0101010101010101ull;
inline constexpr uint64_t kHighs = 0x8080808080808080ull;

// Whether any byte of `x` is below `n` (n <= 128); exact as a yes/no answer.
constexpr bool HasByteBelow(uint64_t x, uint8_t n) { return ((x - kOnes * n) & ~x & kHighs) != 0; }
/// Whether any byte of `x` equals `b` (SWAR, exact as a yes/no answer).
constexpr bool HasByteEqual(uint64_t x, uint8_t b) {
  const uint64_t v = x ^ (kOnes * b);
  return ((v - kOnes) & ~v & kHighs) != 0;
}
/// Unaligned 8-byte load (memcpy; caller guarantees 8 readable bytes at `p`).
inline uint64_t Load8(const char* p) {
  uint64_t x;
  std::memcpy(&x, p, 8);
  return x;
}

}  // namespace chars_internal

/// Number of leading bytes of [p, p+n) that are request-target characters (0x21..0x7e).
/// Checks 8 bytes at a time.
inline size_t TargetCharsSpan(const char* p, size_t n) {
  using namespace chars_internal;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const uint64_t x = Load8(p + i);
    if (HasByteBelow(x, 0x21) || (x & kHighs) != 0 || HasByteEqual(x, 0x7f)) break;
  }
  while (i < n && IsTargetChar(p[i])) ++i;
  return i;
}

/// Whether every byte of `s` may appear in a field value (HTAB, SP, VCHAR, obs-text).
/// Checks 8 bytes at a time; a word holding a control byte is rechecked byte by byte.
inline bool AllFieldValueChars(std::string_view s) {
  using namespace chars_internal;
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    const uint64_t x = Load8(s.data() + i);
    if (!HasByteBelow(x, 0x20) && !HasByteEqual(x, 0x7f)) continue;
    for (size_t k = i; k < i + 8; ++k) {
      if (!IsFieldValueChar(s[k])) return false;
    }
  }
  for (; i < s.size(); ++i) {
    if (!IsFieldValueChar(s[i])) return false;
  }
  return true;
}

/// `s` without leading/trailing spaces and tabs (RFC 9110 OWS).
inline std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

/// ASCII case-insensitive equality; `lower` must already be lowercase.
inline bool EqualsIgnoreCase(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (ToLowerAscii(s[i]) != lower[i]) return false;
  }
  return true;
}

/// Whether `s` starts with `lower_prefix` (lowercase), ignoring ASCII case.
inline bool StartsWithIgnoreCase(std::string_view s, std::string_view lower_prefix) {
  return s.size() >= lower_prefix.size() &&
         EqualsIgnoreCase(s.substr(0, lower_prefix.size()), lower_prefix);
}

}  // namespace asobi::http
