// Statement: a prepared statement declared once, in the code that owns the SQL (ARCHITECTURE.md
// "db/": prepared statements only, no SQL built from strings at run time).
//
//   inline constexpr db::Statement kInsertPlayer{
//       "players_insert",
//       "INSERT INTO players (id, username, metadata, inserted_at, updated_at) "
//       "VALUES ($1, $2, $3, now(), now())",
//       {db::PgType::kUuid, db::PgType::kVarchar, db::PgType::kJsonb}};
//
// Each PgConnection prepares a statement (PQsendPrepare, pipelined) the first time it is used
// on that session, or at connect time when listed in PgConnection::Options. Statements are
// identified by name: two statements with one name and different SQL are a CHECK failure.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include "db/pg_param.h"

namespace asobi::db {

/// Immutable description of one prepared statement. Must outlive every PgConnection that
/// uses it (declare them as namespace-scope constants). Thread-safe (read-only).
class Statement {
 public:
  static constexpr size_t kMaxParams = 32;

  /// A statement without parameters. `name` and `sql` must be NUL-terminated literals.
  constexpr Statement(const char* name, const char* sql) : name_(name), sql_(sql) {}
  /// A statement with N parameters ($1..$N) of the declared types.
  template <size_t N>
  constexpr Statement(const char* name, const char* sql, const PgType (&types)[N])
      : name_(name), sql_(sql), param_count_(N) {
    static_assert(N <= kMaxParams, "too many statement parameters");
    for (size_t i = 0; i < N; ++i) types_[i] = types[i];
  }

  /// The declaration: statement name, SQL text, parameter count and types (index < param_count).
  const char* name() const { return name_; }
  const char* sql() const { return sql_; }
  size_t param_count() const { return param_count_; }
  PgType param_type(size_t i) const { return types_[i]; }
  /// Type OIDs in libpq's form (for PQsendPrepare).
  const unsigned* param_oids() const { return reinterpret_cast<const unsigned*>(types_.data()); }

 private:
  const char* name_;
  const char* sql_;
  size_t param_count_ = 0;
  std::array<PgType, kMaxParams> types_{};
};

static_assert(sizeof(PgType) == sizeof(unsigned), "PgType must be layout-compatible with Oid");

}  // namespace asobi::db
