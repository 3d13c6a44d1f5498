// JSON string escaping; see json_escape.h.
#include "http/json_escape.h"

#include <cstdint>

#include "base/utf8_lead.h"

namespace asobi::http {
namespace {

// Length of the well-formed UTF-8 sequence starting at s[i] (RFC 3629: no overlong forms,
// no surrogates, at most U+10FFFF), or 0 if it is not one.
size_t Utf8SequenceBytes(std::string_view s, size_t i) {
  const auto b0 = static_cast<uint8_t>(s[i]);
  const Utf8Lead lead = ClassifyUtf8Lead(b0);
  if (lead.continuation == 0) return 0;
  const size_t len = size_t(lead.continuation) + 1;
  const uint8_t lo = lead.lo, hi = lead.hi;
  if (i + len > s.size()) return 0;
  const auto b1 = static_cast<uint8_t>(s[i + 1]);
  if (b1 < lo || b1 > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    const auto b = static_cast<uint8_t>(s[i + k]);
    if (b < 0x80 || b > 0xbf) return 0;
  }
  return len;
}

}  // namespace

void AppendJsonString(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t run_start = 0;
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<uint8_t>(s[i]);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    out->append(s.data() + run_start, i - run_start);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(c));
      ++i;
    } else if (c < 0x20) {
      const char esc[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
      out->append(esc, sizeof(esc));
      ++i;
    } else if (const size_t len = Utf8SequenceBytes(s, i); len != 0) {
      out->append(s.data() + i, len);
      i += len;
    } else {
      out->append("\\ufffd");
      ++i;
    }
    run_start = i;
  }
  out->append(s.data() + run_start, i - run_start);
  out->push_back('"');
}

}  // namespace asobi::http
