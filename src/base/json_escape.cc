// JSON string escaping; see json_escape.h.
#include "base/json_escape.h"

#include <array>
#include <cstdint>

#include "base/utf8.h"

namespace asobi {
namespace {

// Byte classes: copied as is, escaped, or the start (or stray continuation) of a multi-byte
// sequence that is validated.
constexpr uint8_t kPlain = 0;
constexpr uint8_t kEscape = 1;  // `"`, `\` or a byte below 0x20
constexpr uint8_t kNonAscii = 2;

constexpr std::array<uint8_t, 256> MakeByteClasses() {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = kEscape;
  t['"'] = kEscape;
  t['\\'] = kEscape;
  for (int c = 0x80; c < 0x100; ++c) t[c] = kNonAscii;
  return t;
}
constexpr std::array<uint8_t, 256> kByteClass = MakeByteClasses();

constexpr char kHex[] = "0123456789abcdef";
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view kEscapedReplacement = "\\ufffd";

void AppendEscape(std::string* out, unsigned char c, bool short_controls) {
  if (c == '"' || c == '\\') {
    const char esc[2] = {'\\', static_cast<char>(c)};
    out->append(esc, sizeof(esc));
    return;
  }
  if (short_controls) {
    char letter = 0;
    switch (c) {
      case '\b':
        letter = 'b';
        break;
      case '\f':
        letter = 'f';
        break;
      case '\n':
        letter = 'n';
        break;
      case '\r':
        letter = 'r';
        break;
      case '\t':
        letter = 't';
        break;
      default:
        break;
    }
    if (letter != 0) {
      const char esc[2] = {'\\', letter};
      out->append(esc, sizeof(esc));
      return;
    }
  }
  const char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
  out->append(esc, sizeof(esc));
}

}  // namespace

void AppendJsonString(std::string* out, std::string_view s, const JsonEscapeStyle& style) {
  out->reserve(out->size() + s.size() + 2);
  out->push_back('"');
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  const auto* run = p;  // start of the bytes not yet copied
  while (p < end) {
    const uint8_t cls = kByteClass[*p];
    if (cls == kPlain) {
      ++p;
      continue;
    }
    if (cls == kEscape) {
      out->append(reinterpret_cast<const char*>(run), p - run);
      AppendEscape(out, *p, style.short_controls);
      run = ++p;
      continue;
    }
    uint32_t cp;
    size_t bad_len = 1;
    const size_t n = DecodeUtf8(p, end - p, &cp, Utf8Surrogates::kReject, &bad_len);
    if (n != 0) {
      p += n;  // stays part of the verbatim run
      continue;
    }
    out->append(reinterpret_cast<const char*>(run), p - run);
    switch (style.invalid) {
      case JsonEscapeStyle::Invalid::kSubpart:
        out->append(kReplacement);
        p += bad_len;
        break;
      case JsonEscapeStyle::Invalid::kEachByte:
        out->append(kReplacement);
        ++p;
        break;
      case JsonEscapeStyle::Invalid::kEachByteEscaped:
        out->append(kEscapedReplacement);
        ++p;
        break;
    }
    run = p;
  }
  out->append(reinterpret_cast<const char*>(run), p - run);
  out->push_back('"');
}

}  // namespace asobi
