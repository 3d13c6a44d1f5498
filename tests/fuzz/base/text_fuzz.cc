// Fuzz target for base/utf8.h and base/json_escape.h on arbitrary bytes: the one-shot, the
// incremental (fed in input-derived pieces) and the sequence-by-sequence UTF-8 checks agree;
// the escaper's output is always one quoted, valid UTF-8 string with no raw byte below 0x20,
// and valid input without escapable bytes comes back verbatim.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "base/json_escape.h"
#include "base/utf8.h"

namespace {

void Check(bool cond) {
  if (!cond) std::abort();
}

// Walks `s` with DecodeUtf8; false at the first ill-formed sequence.
bool DecodeAll(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t i = 0;
  while (i < s.size()) {
    uint32_t cp = 0;
    size_t bad = 0;
    const size_t n =
        asobi::DecodeUtf8(p + i, s.size() - i, &cp, asobi::Utf8Surrogates::kReject, &bad);
    if (n == 0) {
      Check(bad >= 1 && bad <= 3 && i + bad <= s.size());
      return false;
    }
    Check(cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF));
    char buf[4];
    Check(asobi::EncodeUtf8(cp, buf) == n && std::string_view(buf, n) == s.substr(i, n));
    i += n;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t piece = size_t(data[0] % 7) + 1;  // first byte: incremental piece size
  const std::string_view s(reinterpret_cast<const char*>(data) + 1, size - 1);

  const bool valid = asobi::IsValidUtf8(s);
  Check(DecodeAll(s) == valid);
  Check((asobi::Utf8Length(s) >= 0) == valid);
  asobi::Utf8Validator v;
  bool fed = true;
  for (size_t at = 0; at < s.size(); at += piece) fed = v.Feed(s.substr(at, piece)) && fed;
  Check((fed && v.complete()) == valid);

  for (const asobi::JsonEscapeStyle* style :
       {&asobi::kJsonEscapeWire, &asobi::kJsonEscapeLua, &asobi::kJsonEscapeHttpError}) {
    std::string out = "x";
    asobi::AppendJsonString(&out, s, *style);
    Check(out.size() >= 3 && out[0] == 'x' && out[1] == '"' && out.back() == '"');
    Check(asobi::IsValidUtf8(out));
    for (unsigned char c : out) Check(c >= 0x20);
    if (valid && s.find_first_of(std::string_view("\"\\", 2)) == std::string_view::npos) {
      bool controls = false;
      for (unsigned char c : s) controls = controls || c < 0x20;
      if (!controls) Check(std::string_view(out).substr(2, out.size() - 3) == s);
    }
  }
  return 0;
}
