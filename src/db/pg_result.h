// Results and errors of statements run through PgConnection (ARCHITECTURE.md "db/").
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "base/check.h"
#include "base/result.h"

namespace asobi::db {

/// Error reasons (PgError::reason).
inline constexpr std::string_view kDbError = "db_error";              // the server said no
inline constexpr std::string_view kDbUnavailable = "db_unavailable";  // no/lost connection
inline constexpr std::string_view kDbOverloaded = "db_overloaded";    // queue bound hit
inline constexpr std::string_view kDbTimeout = "db_timeout";          // statement/lock timeout hit

/// SQLSTATE codes callers commonly branch on.
inline constexpr std::string_view kUniqueViolation = "23505";
inline constexpr std::string_view kForeignKeyViolation = "23503";
inline constexpr std::string_view kCheckViolation = "23514";
inline constexpr std::string_view kQueryCanceled = "57014";     // statement_timeout, cancel
inline constexpr std::string_view kLockNotAvailable = "55P03";  // lock_timeout

/// Why a statement failed.
/// - reason `db_error`: the server rejected the statement; `sqlstate` is its five-character
///   SQLSTATE (e.g. 23505 unique_violation) and `constraint` names the violated constraint or
///   index when the server reports one. The statement had no effect.
/// - reason `db_unavailable`: no connection, or the connection was lost while the statement
///   was in flight. The outcome of an in-flight write is UNKNOWN: it may have committed.
/// - reason `db_overloaded`: the connection's queue bound was hit; nothing was sent.
/// - reason `db_timeout`: the server gave up on the statement (statement_timeout, 57014;
///   lock_timeout, 55P03), or another statement of its batch did and this one was rolled back
///   with it. The statement had no effect.
struct PgError {
  std::string reason;
  std::string sqlstate;
  std::string message;
  std::string constraint;

  /// SQLSTATE 23505 (e.g. a duplicate username); `constraint` names the index.
  bool IsUniqueViolation() const { return sqlstate == kUniqueViolation; }
  /// As a base Error (reason + message with the SQLSTATE), to hand up the layers.
  Error ToError() const;
};

/// A value or a PgError: the db layer's Result<T> (same shape, richer error).
template <typename T>
class DbResult {
 public:
  DbResult(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  DbResult(PgError error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  /// Accessors as Result<T>: the wrong alternative is a CHECK failure.
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & {
    CHECK(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    CHECK(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    CHECK(ok());
    return std::get<0>(std::move(v_));
  }
  const PgError& error() const {
    CHECK(!ok());
    return std::get<1>(v_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }

 private:
  std::variant<T, PgError> v_;
};

/// The rows of one successful statement. Owns its PGresult (freed on destruction); move-only.
/// Values are in PostgreSQL's text format; string_views stay valid while the PgResult lives.
/// Row/column indexes out of range are CHECK failures.
class PgResult {
 public:
  PgResult() = default;
  /// Takes ownership of `res` (may be null: zero rows, zero columns).
  explicit PgResult(PGresult* res) : res_(res) {}

  /// Number of rows returned (0 for statements that return none).
  int rows() const { return res_ ? PQntuples(res_.get()) : 0; }
  /// Number of columns of the result.
  int columns() const { return res_ ? PQnfields(res_.get()) : 0; }
  /// Column index by name, or -1.
  int ColumnIndex(const char* name) const;
  /// Rows inserted/updated/deleted (or selected) as the server's command tag says.
  int64_t affected_rows() const;

  /// True when the cell is SQL NULL.
  bool IsNull(int row, int col) const;
  /// The text value, or nullopt for NULL.
  std::optional<std::string_view> Get(int row, int col) const;
  /// The text value; "" for NULL.
  std::string_view GetString(int row, int col) const;
  /// Integer columns (int2/int4/int8); nullopt for NULL or text that is not an integer.
  std::optional<int64_t> GetInt64(int row, int col) const;
  /// float4/float8/numeric; nullopt for NULL or unparsable text.
  std::optional<double> GetDouble(int row, int col) const;
  /// bool columns ('t'/'f'); nullopt for NULL or anything else.
  std::optional<bool> GetBool(int row, int col) const;

  /// The underlying libpq result (still owned here), for rare direct libpq calls.
  const PGresult* raw() const { return res_.get(); }

 private:
  void CheckCell(int row, int col) const;
  struct Clear {
    void operator()(PGresult* r) const { PQclear(r); }
  };
  std::unique_ptr<PGresult, Clear> res_;
};

/// Builds a PgError from a failed PGresult (reason `db_error`, SQLSTATE and constraint from
/// the result's error fields).
PgError PgErrorFromResult(const PGresult* res);

}  // namespace asobi::db
