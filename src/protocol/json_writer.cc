#include "protocol/json_writer.h"

#include <charconv>
#include <cmath>
#include <cstring>

namespace asobi {
namespace {

void AppendInt64(std::string* out, int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, r.ptr);
}

}  // namespace

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
