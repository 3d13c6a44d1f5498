#include "script/json_append.h"

#include <charconv>
#include <cmath>
#include <cstdint>

namespace asobi::script {
namespace {

bool IsIntegralExact(double x) {
  return std::fabs(x) <= kJsonMaxExactInteger && std::trunc(x) == x;
}

// The common game value: a coordinate rounded to 0.1, 0.01 or 0.001 (issue 13: most numbers of
// an arena view). When x == q / 10^k exactly for an integer q with |x| < kFewDecimalsMax, the
// decimal text of q / 10^k (trailing zeros dropped) is what to_chars would print: it reads
// back to q / 10^k correctly rounded, i.e. to x; a text with fewer significant digits is at
// least 10^-k away from x while a double's spacing there is below 2^-13, so none is shorter; and
// the fixed form is never longer than the scientific one for |x| >= 0.001. False: not such a
// value (the caller falls back to to_chars). Checked against to_chars in lua_json_test.
constexpr double kFewDecimalsMax = 1e12;

bool AppendFewDecimals(std::string* out, double x) {
  if (!(std::fabs(x) < kFewDecimalsMax)) return false;
  int64_t scale = 10;
  for (int k = 1; k <= 3; ++k, scale *= 10) {
    const double q = x * double(scale);
    if (std::trunc(q) != q || q / double(scale) != x) continue;
    const int64_t iq = static_cast<int64_t>(q);
    const uint64_t a = iq < 0 ? uint64_t(-iq) : uint64_t(iq);
    uint64_t frac = a % uint64_t(scale);
    if (frac == 0) return false;  // integral: not this path's job
    int digits = k;
    while (frac % 10 == 0) {
      frac /= 10;
      --digits;
    }
    char buf[40];
    char* p = buf;
    if (iq < 0) *p++ = '-';
    p = std::to_chars(p, buf + sizeof(buf), a / uint64_t(scale)).ptr;
    *p++ = '.';
    for (int i = digits - 1; i >= 0; --i) {
      p[i] = char('0' + frac % 10);
      frac /= 10;
    }
    out->append(buf, size_t(p + digits - buf));
    return true;
  }
  return false;
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
    if (!AppendFewDecimals(out, x)) AppendShortest(out, x);
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
