#include "game/auth/validation.h"

#include "base/utf8.h"

namespace asobi {

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
