// Test databases for integration tests that need PostgreSQL: a fresh database per test suite
// on the cluster named by ASOBI_DB_* (tools/test.sh starts a private one), dropped afterwards,
// plus blocking SQL helpers to inspect or age rows.
#pragma once

#include <libpq-fe.h>

#include <optional>
#include <string>
#include <vector>

namespace asobi::itest {

class TestDatabase {
 public:
  /// Creates database `asobi_it_<random>`; ok() is false (with error()) when ASOBI_DB_HOST is
  /// not set or the cluster is unreachable.
  TestDatabase();
  ~TestDatabase();
  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }
  const std::string& name() const { return name_; }
  /// Server flags pointing at this database.
  std::vector<std::string> ServerFlags() const;
  /// Runs `sql`; returns the first column of the first row (or "" when no rows), nullopt on
  /// error (error() has the message).
  std::optional<std::string> Query(const std::string& sql);

 private:
  bool ok_ = false;
  std::string error_;
  std::string host_, port_, user_, password_, name_;
  PGconn* conn_ = nullptr;  // connected to name_
};

}  // namespace asobi::itest
