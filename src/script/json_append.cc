#include "script/json_append.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>

#include "script/utf8_decode.h"

namespace asobi::script {
namespace {

// 0 = copy as is, 1 = needs escaping, 2 = starts a multi-byte sequence (validate).
constexpr std::array<uint8_t, 256> MakeByteClass() {
  std::array<uint8_t, 256> cls{};
  for (int b = 0; b < 0x20; ++b) cls[b] = 1;
  cls['"'] = 1;
  cls['\\'] = 1;
  for (int b = 0x80; b < 0x100; ++b) cls[b] = 2;
  return cls;
}
constexpr std::array<uint8_t, 256> kByteClass = MakeByteClass();

constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD

void AppendEscape(std::string* out, unsigned char b) {
  switch (b) {
    case '"':
      out->append("\\\"");
      return;
    case '\\':
      out->append("\\\\");
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
    case '\b':
      out->append("\\b");
      return;
    case '\f':
      out->append("\\f");
      return;
    default:
      break;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  char buf[6] = {'\\', 'u', '0', '0', kHex[b >> 4], kHex[b & 0xF]};
  out->append(buf, sizeof(buf));
}

bool IsIntegralExact(double x) {
  return std::fabs(x) <= kJsonMaxExactInteger && std::trunc(x) == x;
}

// Shortest round-trip text. Integral values (only reached beyond 2^53) use the scientific
// form so they read as floats (DECISIONS Lua 4); plain to_chars would print all the digits.
void AppendShortest(std::string* out, double x) {
  char buf[32];
  const bool integral = std::trunc(x) == x;
  auto res = integral ? std::to_chars(buf, buf + sizeof(buf), x, std::chars_format::scientific)
                      : std::to_chars(buf, buf + sizeof(buf), x);
  out->append(buf, res.ptr);
}

void AppendInteger(std::string* out, double x) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof(buf), static_cast<int64_t>(x));
  out->append(buf, res.ptr);
}

}  // namespace

void AppendJsonString(std::string* out, std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  out->reserve(out->size() + n + 2);
  out->push_back('"');
  size_t run = 0;  // start of the pending run of bytes copied verbatim
  size_t i = 0;
  while (i < n) {
    const uint8_t cls = kByteClass[p[i]];
    if (cls == 0) {
      ++i;
      continue;
    }
    if (cls == 2) {
      uint32_t cp;
      const size_t len = DecodeUtf8(p + i, n - i, &cp, Surrogates::kReject);
      if (len != 0) {
        i += len;
        continue;
      }
    }
    out->append(s.data() + run, i - run);
    if (cls == 1) {
      AppendEscape(out, p[i]);
    } else {
      out->append(kReplacement, 3);
    }
    ++i;
    run = i;
  }
  out->append(s.data() + run, n - run);
  out->push_back('"');
}

void AppendJsonNumber(std::string* out, double x) {
  if (!std::isfinite(x)) {
    out->append("null");
  } else if (IsIntegralExact(x)) {
    AppendInteger(out, x);
  } else {
    AppendShortest(out, x);
  }
}

void AppendNumberKeyText(std::string* out, double x) {
  if (IsIntegralExact(x)) {
    AppendInteger(out, x);
  } else {
    AppendShortest(out, x);
  }
}

}  // namespace asobi::script
