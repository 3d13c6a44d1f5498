#include "pg_test_db.h"

#include <sodium.h>

#include <cstdlib>

namespace asobi::itest {
namespace {

std::string Env(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

PGconn* Connect(const std::string& host, const std::string& port, const std::string& user,
                const std::string& password, const std::string& db) {
  const char* keys[] = {"host", "port", "user", "password", "dbname", nullptr};
  const char* vals[] = {host.c_str(),     port.c_str(), user.c_str(),
                        password.c_str(), db.c_str(),   nullptr};
  return PQconnectdbParams(keys, vals, 0);
}

}  // namespace

TestDatabase::TestDatabase() {
  host_ = Env("ASOBI_DB_HOST", "");
  if (host_.empty()) {
    error_ = "ASOBI_DB_HOST is not set (run through tools/test.sh, which starts PostgreSQL)";
    return;
  }
  port_ = Env("ASOBI_DB_PORT", "5432");
  user_ = Env("ASOBI_DB_USER", "postgres");
  password_ = Env("ASOBI_DB_PASSWORD", "");
  std::string admin_db = Env("ASOBI_DB_NAME", "postgres");
  name_ = "asobi_it_" + std::to_string(randombytes_uniform(1000000000));
  PGconn* admin = Connect(host_, port_, user_, password_, admin_db);
  if (PQstatus(admin) != CONNECTION_OK) {
    error_ = PQerrorMessage(admin);
    PQfinish(admin);
    return;
  }
  PGresult* r = PQexec(admin, ("CREATE DATABASE " + name_).c_str());
  bool created = PQresultStatus(r) == PGRES_COMMAND_OK;
  if (!created) error_ = PQresultErrorMessage(r);
  PQclear(r);
  PQfinish(admin);
  if (!created) return;
  conn_ = Connect(host_, port_, user_, password_, name_);
  if (PQstatus(conn_) != CONNECTION_OK) {
    error_ = PQerrorMessage(conn_);
    return;
  }
  ok_ = true;
}

TestDatabase::~TestDatabase() {
  if (conn_) PQfinish(conn_);
  if (!ok_) return;
  PGconn* admin = Connect(host_, port_, user_, password_, Env("ASOBI_DB_NAME", "postgres"));
  if (PQstatus(admin) == CONNECTION_OK) {
    PQclear(PQexec(admin, ("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)").c_str()));
  }
  PQfinish(admin);
}

std::vector<std::string> TestDatabase::ServerFlags() const {
  return {"--db-host", host_,       "--db-port", port_,           "--db-user",
          user_,       "--db-name", name_,       "--db-password", password_};
}

std::optional<std::string> TestDatabase::Query(const std::string& sql) {
  PGresult* r = PQexec(conn_, sql.c_str());
  ExecStatusType st = PQresultStatus(r);
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
    error_ = PQresultErrorMessage(r);
    PQclear(r);
    return std::nullopt;
  }
  std::string out;
  if (st == PGRES_TUPLES_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)) {
    out = PQgetvalue(r, 0, 0);
  }
  PQclear(r);
  return out;
}

}  // namespace asobi::itest
