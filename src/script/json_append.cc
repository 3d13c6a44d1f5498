#include "script/json_append.h"

#include <charconv>
#include <cmath>
#include <cstdint>

namespace asobi::script {
namespace {

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
