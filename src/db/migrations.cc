#include "db/migrations.h"

#include <dirent.h>
#include <libpq-fe.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include "base/log.h"

#ifndef ASOBI_MIGRATIONS_DIR
#define ASOBI_MIGRATIONS_DIR "src/db/migrations"
#endif

namespace asobi::db {
namespace {

constexpr char kReason[] = "migration_failed";

struct ConnCloser {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultClearer {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ConnPtr = std::unique_ptr<PGconn, ConnCloser>;
using ResultPtr = std::unique_ptr<PGresult, ResultClearer>;

std::string Trim(const char* s) {
  std::string out = s ? s : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

// Runs `sql` (possibly several statements). Empty string on success, else the error.
std::string Exec(PGconn* conn, const char* sql) {
  ResultPtr res(PQexec(conn, sql));
  ExecStatusType st = PQresultStatus(res.get());
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY) return "";
  return Trim(PQresultErrorMessage(res.get()));
}

// NNNNNNNNNNNNNN_name.sql with name in [a-z0-9_]+.
bool ParseName(const std::string& name, int64_t* version) {
  constexpr size_t kDigits = 14;
  if (name.size() < kDigits + 6 || name.compare(name.size() - 4, 4, ".sql") != 0) return false;
  if (name[kDigits] != '_') return false;
  int64_t v = 0;
  for (size_t i = 0; i < kDigits; ++i) {
    if (name[i] < '0' || name[i] > '9') return false;
    v = v * 10 + (name[i] - '0');
  }
  for (size_t i = kDigits + 1; i < name.size() - 4; ++i) {
    char c = name[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  *version = v;
  return true;
}

Result<std::set<int64_t>> AppliedVersions(PGconn* conn) {
  ResultPtr res(PQexec(conn, "SELECT version FROM schema_migrations"));
  if (PQresultStatus(res.get()) != PGRES_TUPLES_OK) {
    return MakeError(kReason,
                     "reading schema_migrations: " + Trim(PQresultErrorMessage(res.get())));
  }
  std::set<int64_t> out;
  for (int i = 0; i < PQntuples(res.get()); ++i)
    out.insert(std::stoll(PQgetvalue(res.get(), i, 0)));
  return out;
}

Status ApplyOne(PGconn* conn, const MigrationFile& m) {
  std::ifstream in(m.path, std::ios::binary);
  if (!in) return MakeError(kReason, "cannot read " + m.path);
  std::stringstream sql;
  sql << in.rdbuf();
  std::string err = Exec(conn, "BEGIN");
  if (err.empty()) err = Exec(conn, sql.str().c_str());
  if (err.empty()) {
    std::string v = std::to_string(m.version);
    const char* values[1] = {v.c_str()};
    ResultPtr res(PQexecParams(conn, "INSERT INTO schema_migrations (version) VALUES ($1)", 1,
                               nullptr, values, nullptr, nullptr, 0));
    if (PQresultStatus(res.get()) != PGRES_COMMAND_OK) err = Trim(PQresultErrorMessage(res.get()));
  }
  if (err.empty()) err = Exec(conn, "COMMIT");
  if (!err.empty()) {
    Exec(conn, "ROLLBACK");
    return MakeError(kReason, m.name + ": " + err);
  }
  LOG_INFO("migration applied").KV("version", m.version).KV("file", m.name);
  return Ok{};
}

Status ApplyMissing(PGconn* conn, const std::vector<MigrationFile>& files, int* applied) {
  std::string err = Exec(conn,
                         "CREATE TABLE IF NOT EXISTS schema_migrations ("
                         "version BIGINT PRIMARY KEY, "
                         "inserted_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)");
  if (!err.empty()) return MakeError(kReason, "creating schema_migrations: " + err);
  auto done = AppliedVersions(conn);
  if (!done.ok()) return done.error();
  for (const MigrationFile& m : files) {
    if (done->count(m.version)) continue;
    Status s = ApplyOne(conn, m);
    if (!s.ok()) return s;
    if (applied) ++*applied;
  }
  return Ok{};
}

}  // namespace

const char* DefaultMigrationsDir() { return ASOBI_MIGRATIONS_DIR; }

Result<std::vector<MigrationFile>> ListMigrations(const std::string& dir) {
  std::unique_ptr<DIR, int (*)(DIR*)> d(opendir(dir.c_str()), closedir);
  if (!d) return MakeError(kReason, "cannot open migrations dir " + dir);
  std::vector<MigrationFile> out;
  while (dirent* e = readdir(d.get())) {
    std::string name = e->d_name;
    if (name.size() < 4 || name.compare(name.size() - 4, 4, ".sql") != 0) continue;
    MigrationFile m;
    if (!ParseName(name, &m.version)) {
      return MakeError(kReason,
                       "malformed migration file name " + name + " (want NNNNNNNNNNNNNN_name.sql)");
    }
    m.name = name;
    m.path = dir + "/" + name;
    out.push_back(std::move(m));
  }
  std::sort(out.begin(), out.end(),
            [](const MigrationFile& a, const MigrationFile& b) { return a.version < b.version; });
  for (size_t i = 1; i < out.size(); ++i) {
    if (out[i].version == out[i - 1].version) {
      return MakeError(kReason,
                       "two migrations share a version: " + out[i - 1].name + ", " + out[i].name);
    }
  }
  return out;
}

Status RunMigrations(const std::string& conninfo, const std::string& dir, int* applied) {
  if (applied) *applied = 0;
  auto files = ListMigrations(dir);
  if (!files.ok()) return files.error();
  ConnPtr conn(PQconnectdb(conninfo.c_str()));
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
    return MakeError(kReason, "cannot connect: " + Trim(conn ? PQerrorMessage(conn.get()) : ""));
  }
  // Silence NOTICEs such as "relation already exists, skipping".
  PQsetNoticeProcessor(
      conn.get(), [](void*, const char*) {}, nullptr);
  std::string lock_sql = "SELECT pg_advisory_lock(" + std::to_string(kMigrationLockKey) + ")";
  std::string err = Exec(conn.get(), lock_sql.c_str());
  if (!err.empty()) return MakeError(kReason, "taking the migration lock: " + err);
  Status s = ApplyMissing(conn.get(), *files, applied);
  std::string unlock_sql = "SELECT pg_advisory_unlock(" + std::to_string(kMigrationLockKey) + ")";
  Exec(conn.get(), unlock_sql.c_str());  // also released when the session ends
  return s;
}

}  // namespace asobi::db
