// Query-string helpers; see query.h.
#include "http/query.h"

#include <algorithm>
#include <charconv>

#include "base/check.h"

namespace asobi::http {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool NeedsDecoding(std::string_view s) { return s.find_first_of("%+") != std::string_view::npos; }

}  // namespace

std::string PercentDecode(std::string_view s, bool plus_as_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2])));
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::optional<std::string> GetParam(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const size_t eq = pair.find('=');
    const std::string_view key = pair.substr(0, eq);
    const bool match = NeedsDecoding(key) ? PercentDecode(key, true) == name : key == name;
    if (!match) continue;
    if (eq == std::string_view::npos) return std::string();
    const std::string_view value = pair.substr(eq + 1);
    return NeedsDecoding(value) ? PercentDecode(value, true) : std::string(value);
  }
  return std::nullopt;
}

int64_t IntParam(std::string_view query, std::string_view name, int64_t default_value,
                 int64_t min_value, int64_t max_value) {
  CHECK(min_value <= max_value);
  int64_t value = default_value;
  if (const std::optional<std::string> raw = GetParam(query, name)) {
    std::string_view digits = *raw;
    if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
    int64_t parsed = 0;
    const char* end = digits.data() + digits.size();
    const auto result = std::from_chars(digits.data(), end, parsed);
    const bool sign_ok = digits.empty() || digits.front() != '-' || raw->front() != '+';
    if (result.ec == std::errc() && result.ptr == end && !digits.empty() && sign_ok) {
      value = parsed;
    }
  }
  return std::clamp(value, min_value, max_value);
}

std::optional<bool> BoolParam(std::string_view query, std::string_view name) {
  const std::optional<std::string> raw = GetParam(query, name);
  if (!raw) return std::nullopt;
  if (*raw == "true") return true;
  if (*raw == "false") return false;
  return std::nullopt;
}

}  // namespace asobi::http
