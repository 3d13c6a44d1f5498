// Typed statement parameters (ARCHITECTURE.md "db/"): every value a handler sends to
// PostgreSQL is one of these, converted to PostgreSQL's text format once, at construction.
// SQL text is never built from values: values travel as out-of-line parameters of a
// prepared statement, so quotes, backslashes and `'; DROP TABLE ...` are stored verbatim.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace asobi::db {

/// PostgreSQL type OIDs a Statement can declare for its parameters (pg_type.dat values).
enum class PgType : uint32_t {
  kBool = 16,
  kBytea = 17,
  kInt8 = 20,
  kInt4 = 23,
  kText = 25,
  kJson = 114,
  kFloat8 = 701,
  kVarchar = 1043,
  kTimestamptz = 1184,
  kUuid = 2950,
  kJsonb = 3802,
};

/// True when a parameter built as `value` may be bound to a slot declared `declared`:
/// the same type, or text for varchar (PostgreSQL treats both as strings).
constexpr bool ParamFits(PgType declared, PgType value) {
  if (declared == value) return true;
  return (declared == PgType::kVarchar && value == PgType::kText) ||
         (declared == PgType::kText && value == PgType::kVarchar);
}

/// One parameter value: its type and its text-format encoding (or SQL NULL). Cheap to move.
/// Build with the named factories; a Statement checks the types against its declaration.
class Param {
 public:
  /// SQL NULL; fits any declared type.
  static Param Null() { return Param(std::nullopt, std::nullopt); }
  /// text / varchar: any bytes except NUL, which PostgreSQL text cannot hold. A value with a
  /// NUL byte is marked invalid (never truncated): the statement using it fails with reason
  /// `db_error`, SQLSTATE 22021 (character_not_in_repertoire), without reaching the server.
  static Param Text(std::string_view s);
  /// int8 / int4 / bool values (decimal text, 't'/'f').
  static Param Int64(int64_t v);
  static Param Int32(int32_t v);
  static Param Bool(bool v);
  /// float8; NaN and +-Infinity are sent as PostgreSQL's 'NaN' / 'Infinity' / '-Infinity'.
  static Param Float64(double v);
  /// json / jsonb: `json` should be valid JSON text (the server rejects it otherwise,
  /// SQLSTATE 22P02). NUL bytes: as Text.
  static Param Json(std::string_view json);
  /// Same rules as Json, typed jsonb.
  static Param Jsonb(std::string_view json);
  /// uuid in text form; the server rejects malformed text (SQLSTATE 22P02). NUL: as Text.
  static Param Uuid(std::string_view uuid);
  /// bytea: arbitrary bytes, sent hex-encoded (`\x...`).
  static Param Bytea(std::string_view bytes);
  /// timestamptz from Unix milliseconds (sent as RFC 3339 UTC with milliseconds).
  static Param TimestampMs(int64_t unix_ms);

  /// nullopt for NULL (fits any declared type).
  std::optional<PgType> type() const { return type_; }
  /// True for SQL NULL.
  bool is_null() const { return !text_.has_value(); }
  /// The text-format value; only when !is_null().
  const std::string& text() const { return *text_; }
  /// False when the value cannot be sent (a NUL byte in a text-like value).
  bool valid() const { return valid_; }

 private:
  Param(std::optional<PgType> type, std::optional<std::string> text);
  std::optional<PgType> type_;
  std::optional<std::string> text_;
  bool valid_ = true;
};

}  // namespace asobi::db
