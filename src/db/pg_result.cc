#include "db/pg_result.h"

#include <charconv>
#include <cstdlib>
#include <cstring>

namespace asobi::db {

Error PgError::ToError() const {
  std::string msg = message;
  if (!sqlstate.empty()) msg = "SQLSTATE " + sqlstate + ": " + msg;
  return MakeError(reason, std::move(msg));
}

PgError PgErrorFromResult(const PGresult* res) {
  PgError e;
  e.reason = std::string(kDbError);
  const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
  const char* primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
  const char* constraint = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
  if (state) e.sqlstate = state;
  if (e.sqlstate == kQueryCanceled || e.sqlstate == kLockNotAvailable) {
    e.reason = std::string(kDbTimeout);
  }
  if (constraint) e.constraint = constraint;
  e.message = primary ? primary : PQresultErrorMessage(res);
  return e;
}

int PgResult::ColumnIndex(const char* name) const {
  return res_ ? PQfnumber(res_.get(), name) : -1;
}

int64_t PgResult::affected_rows() const {
  if (!res_) return 0;
  const char* t = PQcmdTuples(const_cast<PGresult*>(res_.get()));
  int64_t n = 0;
  std::from_chars(t, t + std::strlen(t), n);
  return n;
}

void PgResult::CheckCell(int row, int col) const {
  CHECK(row >= 0 && row < rows());
  CHECK(col >= 0 && col < columns());
}

bool PgResult::IsNull(int row, int col) const {
  CheckCell(row, col);
  return PQgetisnull(res_.get(), row, col) != 0;
}

std::optional<std::string_view> PgResult::Get(int row, int col) const {
  if (IsNull(row, col)) return std::nullopt;
  return std::string_view(PQgetvalue(res_.get(), row, col),
                          size_t(PQgetlength(res_.get(), row, col)));
}

std::string_view PgResult::GetString(int row, int col) const {
  return Get(row, col).value_or(std::string_view());
}

std::optional<int64_t> PgResult::GetInt64(int row, int col) const {
  auto v = Get(row, col);
  if (!v) return std::nullopt;
  int64_t n = 0;
  auto r = std::from_chars(v->data(), v->data() + v->size(), n);
  if (r.ec != std::errc() || r.ptr != v->data() + v->size()) return std::nullopt;
  return n;
}

std::optional<double> PgResult::GetDouble(int row, int col) const {
  auto v = Get(row, col);
  if (!v) return std::nullopt;
  // The value is NUL-terminated by libpq, so strtod is safe; it also takes NaN/Infinity.
  const char* begin = v->data();
  char* end = nullptr;
  double d = std::strtod(begin, &end);
  if (end != begin + v->size() || v->empty()) return std::nullopt;
  return d;
}

std::optional<bool> PgResult::GetBool(int row, int col) const {
  auto v = Get(row, col);
  if (!v) return std::nullopt;
  if (*v == "t") return true;
  if (*v == "f") return false;
  return std::nullopt;
}

}  // namespace asobi::db
