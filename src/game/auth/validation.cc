#include "game/auth/validation.h"

namespace asobi {

long Utf8Length(std::string_view s) {
  long n = 0;
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return -1;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return -1;
    }
    i += len;
    ++n;
  }
  return n;
}

std::string_view UsernameProblem(std::string_view u) {
  if (u.size() < 3) return "should be at least 3 character(s)";
  if (u.size() > 32) return "should be at most 32 character(s)";
  for (char c : u) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) return "has invalid format";
  }
  return {};
}

std::string_view PasswordProblem(std::string_view p) {
  long n = Utf8Length(p);
  if (n < 0) return "is invalid";
  if (n < 8) return "should be at least 8 character(s)";
  if (n > 128) return "should be at most 128 character(s)";
  return {};
}

std::string_view DisplayNameProblem(std::string_view d) {
  long n = Utf8Length(d);
  if (n < 0) return "is invalid";
  if (n > 64) return "should be at most 64 character(s)";
  return {};
}

}  // namespace asobi
