#include "protocol/json_writer.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstring>

#include "simdjson.h"

namespace asobi {
namespace {

// Byte classes for string escaping.
constexpr uint8_t kPlain = 0;     // copied as is
constexpr uint8_t kEscape = 1;    // `"`, `\` or a control character
constexpr uint8_t kNonAscii = 2;  // start (or stray continuation) of a multi-byte sequence

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

void AppendEscape(std::string* out, unsigned char c) {
  switch (c) {
    case '"':
      out->append("\\\"");
      return;
    case '\\':
      out->append("\\\\");
      return;
    case '\b':
      out->append("\\b");
      return;
    case '\f':
      out->append("\\f");
      return;
    case '\n':
      out->append("\\n");
      return;
    case '\r':
      out->append("\\r");
      return;
    case '\t':
      out->append("\\t");
      return;
    default:
      break;
  }
  const char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
  out->append(esc, sizeof(esc));
}

// Length of the well-formed UTF-8 sequence at `p` (2..4), or 0 if ill-formed, in which case
// `*bad_len` is the length of its maximal ill-formed subpart (>= 1): the bytes that together
// are replaced by one U+FFFD (Unicode 15 §3.9, "U+FFFD Substitution of Maximal Subparts").
size_t WellFormedLength(const unsigned char* p, const unsigned char* end, size_t* bad_len) {
  const unsigned char b0 = p[0];
  size_t need;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (b0 < 0xC2) {
    *bad_len = 1;  // continuation byte without a lead, or overlong 2-byte lead
    return 0;
  } else if (b0 < 0xE0) {
    need = 1;
  } else if (b0 < 0xF0) {
    need = 2;
    if (b0 == 0xE0) lo = 0xA0;  // no overlongs
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 < 0xF5) {
    need = 3;
    if (b0 == 0xF0) lo = 0x90;  // no overlongs
    if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    *bad_len = 1;
    return 0;
  }
  if (p + 1 >= end || p[1] < lo || p[1] > hi) {
    *bad_len = 1;
    return 0;
  }
  for (size_t i = 2; i <= need; ++i) {
    if (p + i >= end || (p[i] & 0xC0) != 0x80) {
      *bad_len = i;
      return 0;
    }
  }
  return need + 1;
}

void AppendInt64(std::string* out, int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, r.ptr);
}

}  // namespace

bool IsValidUtf8(std::string_view s) { return simdjson::validate_utf8(s.data(), s.size()); }

void AppendJsonString(std::string* out, std::string_view s) {
  out->reserve(out->size() + s.size() + 2);
  out->push_back('"');
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  const auto* run = p;  // start of bytes not yet copied
  while (p < end) {
    const uint8_t cls = kByteClass[*p];
    if (cls == kPlain) {
      ++p;
      continue;
    }
    if (cls == kEscape) {
      out->append(reinterpret_cast<const char*>(run), p - run);
      AppendEscape(out, *p);
      run = ++p;
      continue;
    }
    size_t bad_len = 0;
    const size_t n = WellFormedLength(p, end, &bad_len);
    if (n != 0) {
      p += n;  // stays part of the verbatim run
      continue;
    }
    out->append(reinterpret_cast<const char*>(run), p - run);
    out->append(kReplacement);
    p += bad_len;
    run = p;
  }
  out->append(reinterpret_cast<const char*>(run), p - run);
  out->push_back('"');
}

void AppendJsonDouble(std::string* out, double v) {
  if (!std::isfinite(v)) {
    out->append("null");
    return;
  }
  constexpr double k2Pow53 = 9007199254740992.0;
  if (v >= -k2Pow53 && v <= k2Pow53 && std::trunc(v) == v) {
    AppendInt64(out, static_cast<int64_t>(v));
    return;
  }
  char buf[40];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  const size_t len = r.ptr - buf;
  out->append(buf, len);
  // An integral value beyond ±2^53 may print without fraction or exponent; keep it a float.
  if (std::memchr(buf, '.', len) == nullptr && std::memchr(buf, 'e', len) == nullptr) {
    out->append(".0");
  }
}

void JsonWriter::Int(int64_t v) {
  Separate();
  AppendInt64(&out_, v);
  need_comma_ = true;
}

void JsonWriter::Uint(uint64_t v) {
  Separate();
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out_.append(buf, r.ptr);
  need_comma_ = true;
}

}  // namespace asobi
