#include "db/pg_param.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "base/time_format.h"

namespace asobi::db {

Param::Param(std::optional<PgType> type, std::optional<std::string> text)
    : type_(type), text_(std::move(text)) {
  if (text_ && type_ != PgType::kBytea && text_->find('\0') != std::string::npos) valid_ = false;
}

Param Param::Text(std::string_view s) { return Param(PgType::kText, std::string(s)); }

Param Param::Int64(int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return Param(PgType::kInt8, std::string(buf, r.ptr));
}

Param Param::Int32(int32_t v) {
  char buf[16];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return Param(PgType::kInt4, std::string(buf, r.ptr));
}

Param Param::Bool(bool v) { return Param(PgType::kBool, std::string(v ? "t" : "f")); }

Param Param::Float64(double v) {
  if (std::isnan(v)) return Param(PgType::kFloat8, std::string("NaN"));
  if (std::isinf(v)) return Param(PgType::kFloat8, std::string(v > 0 ? "Infinity" : "-Infinity"));
  char buf[32];
  // Shortest representation that round-trips exactly.
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return Param(PgType::kFloat8, std::string(buf, r.ptr));
}

Param Param::Json(std::string_view json) { return Param(PgType::kJson, std::string(json)); }

Param Param::Jsonb(std::string_view json) { return Param(PgType::kJsonb, std::string(json)); }

Param Param::Uuid(std::string_view uuid) { return Param(PgType::kUuid, std::string(uuid)); }

Param Param::Bytea(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 + bytes.size() * 2);
  out += "\\x";
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return Param(PgType::kBytea, std::move(out));
}

Param Param::TimestampMs(int64_t unix_ms) {
  return Param(PgType::kTimestamptz, FormatRfc3339Ms(unix_ms));
}

}  // namespace asobi::db
