#include "test_db.h"

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "db/pg_connection.h"

#ifndef ASOBI_DEV_DB_SCRIPT
#error "ASOBI_DEV_DB_SCRIPT must be defined by the build"
#endif

namespace asobi::db::testing {
namespace {

[[noreturn]] void Fatal(const std::string& msg) {
  std::fprintf(stderr, "db test setup: %s\n", msg.c_str());
  std::exit(1);
}

DbSettings StartDevDb() {
  std::string cmd = std::string(ASOBI_DEV_DB_SCRIPT) + " start";
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) Fatal("cannot run " + cmd);
  DbSettings s;
  bool got_host = false;
  char line[1024];
  while (std::fgets(line, sizeof line, p)) {
    std::string l(line);
    while (!l.empty() && (l.back() == '\n' || l.back() == '\r')) l.pop_back();
    size_t eq = l.find('=');
    if (eq == std::string::npos) continue;
    std::string k = l.substr(0, eq), v = l.substr(eq + 1);
    if (k == "ASOBI_DB_HOST") s.host = v, got_host = true;
    if (k == "ASOBI_DB_PORT") s.port = std::atoi(v.c_str());
    if (k == "ASOBI_DB_NAME") s.name = v;
    if (k == "ASOBI_DB_USER") s.user = v;
    if (k == "ASOBI_DB_PASSWORD") s.password = v;
  }
  int rc = pclose(p);
  if (rc != 0 || !got_host) {
    Fatal("ASOBI_DB_HOST is not set and `" + cmd +
          "` failed; start a database (tools/dev-db.sh start) or set ASOBI_DB_*");
  }
  return s;
}

}  // namespace

const DbSettings& BaseSettings() {
  static const DbSettings settings = DbEnvPresent() ? DbSettingsFromEnv() : StartDevDb();
  return settings;
}

std::string QueryValue(const std::string& conninfo, const std::string& sql) {
  PGconn* c = PQconnectdb(conninfo.c_str());
  std::string out;
  if (PQstatus(c) != CONNECTION_OK) {
    ADD_FAILURE() << "connect: " << PQerrorMessage(c);
  } else {
    PQsetNoticeProcessor(
        c, [](void*, const char*) {}, nullptr);
    PGresult* r = PQexec(c, sql.c_str());
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
      ADD_FAILURE() << sql << ": " << PQresultErrorMessage(r);
    } else if (st == PGRES_TUPLES_OK && PQntuples(r) > 0) {
      out = PQgetvalue(r, 0, 0);
    }
    PQclear(r);
  }
  PQfinish(c);
  return out;
}

ScratchDatabase::ScratchDatabase() : settings_(BaseSettings()) {
  static std::atomic<int> counter{0};
  settings_.name = "asobi_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  std::string admin = BuildConninfo(BaseSettings());
  QueryValue(admin, "DROP DATABASE IF EXISTS " + settings_.name + " WITH (FORCE)");
  QueryValue(admin, "CREATE DATABASE " + settings_.name);
}

ScratchDatabase::~ScratchDatabase() {
  QueryValue(BuildConninfo(BaseSettings()),
             "DROP DATABASE IF EXISTS " + settings_.name + " WITH (FORCE)");
}

void LoopTest::RunLoop(int64_t timeout_ms) {
  bool timed_out = false;
  reactor_.AddTimer(timeout_ms, [&] {
    timed_out = true;
    reactor_.Stop();
  });
  When([this] { return finish_ && PgConnection::LiveSocketWatches() == 0; },
       [this] { reactor_.Stop(); });
  reactor_.Run();
  EXPECT_FALSE(timed_out) << "the test did not finish within " << timeout_ms << " ms";
}

void LoopTest::When(std::function<bool()> pred, Task fn) {
  if (pred()) {
    fn();
    return;
  }
  auto shared = std::make_shared<Task>(std::move(fn));
  reactor_.AddTimer(1, [this, pred = std::move(pred), shared]() mutable {
    When(std::move(pred), std::move(*shared));
  });
}

}  // namespace asobi::db::testing
