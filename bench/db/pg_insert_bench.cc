// Single-row INSERT throughput through PgConnection (one connection = one shard), with the
// pipeline kept full: `window` statements in flight, each callback issues the next one, so
// every loop turn's new statements leave as one batch with one sync. The first window is
// issued over `stagger` turns, so about `stagger` batches are in flight at any time.
//
//   tools/dev-db.sh start; set -a; . .dev/pg/env; set +a
//   build/bench/db/pg_insert_bench [total=200000] [window=4000] [stagger=1]
//
// Uses the database named by ASOBI_DB_*; skips (exit 0) when ASOBI_DB_HOST is unset. Creates
// and drops its own tables (bench_insert_*).
#include <libpq-fe.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>

#include "base/clock.h"
#include "base/uuid.h"
#include "db/conninfo.h"
#include "db/pg_connection.h"

namespace asobi::db {
namespace {

constexpr Statement kInsertNarrow{"bench_insert_narrow",
                                  "INSERT INTO bench_insert_narrow (id, payload) VALUES ($1, $2)",
                                  {PgType::kInt8, PgType::kText}};
constexpr Statement kInsertPlayerLike{
    "bench_insert_player",
    "INSERT INTO bench_insert_player (id, username, metadata, inserted_at) "
    "VALUES ($1, $2, $3, now())",
    {PgType::kUuid, PgType::kVarchar, PgType::kJsonb}};

bool Exec(const std::string& conninfo, const char* sql) {
  PGconn* c = PQconnectdb(conninfo.c_str());
  bool ok = PQstatus(c) == CONNECTION_OK;
  if (ok) {
    PQsetNoticeProcessor(
        c, [](void*, const char*) {}, nullptr);
    PGresult* r = PQexec(c, sql);
    ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok) std::fprintf(stderr, "%s: %s", sql, PQresultErrorMessage(r));
    PQclear(r);
  } else {
    std::fprintf(stderr, "connect: %s", PQerrorMessage(c));
  }
  PQfinish(c);
  return ok;
}

Params MakeParams(const Statement& stmt, int64_t i) {
  Params p;
  if (&stmt == &kInsertNarrow) {
    p.push_back(Param::Int64(i));
    p.push_back(Param::Text("payload-" + std::to_string(i)));
  } else {
    p.push_back(Param::Uuid(NewUuidV7()));
    p.push_back(Param::Text("player_" + std::to_string(i)));
    p.push_back(Param::Jsonb(R"({"level":1})"));
  }
  return p;
}

// Runs `total` inserts of `stmt` with `window` in flight; prints one result line.
bool Run(const std::string& conninfo, const Statement& stmt, int64_t total, int64_t window,
         int64_t stagger) {
  Reactor reactor(Reactor::Options{});
  PgConnection::Options opts;
  opts.conninfo = conninfo;
  opts.prepare_on_connect = {&stmt};
  PgConnection conn(&reactor, std::move(opts));
  int64_t issued = 0, done = 0, failed = 0, start_ns = 0, end_ns = 0;
  PgConnectionStats before;
  std::function<void()> issue_one = [&] {
    int64_t i = issued++;
    conn.Execute(stmt, MakeParams(stmt, i), [&](DbResult<PgResult> r) {
      if (!r.ok()) {
        if (failed++ == 0) std::fprintf(stderr, "insert failed: %s\n", r.error().message.c_str());
      }
      if (++done == total) {
        end_ns = MonoNs();
        reactor.Stop();
      } else if (issued < total) {
        issue_one();
      }
    });
  };
  std::function<void()> start = [&] {
    if (!conn.ready()) {
      reactor.AddTimer(1, start);
      return;
    }
    before = conn.stats();
    start_ns = MonoNs();
    // One chunk per turn: each chunk becomes its own batch.
    auto chunk = std::make_shared<std::function<void(int64_t)>>();
    *chunk = [&, chunk](int64_t left) {
      int64_t n = window / stagger;
      for (int64_t k = 0; k < n && issued < total; ++k) issue_one();
      if (left > 1) reactor.Post([chunk, left] { (*chunk)(left - 1); });
    };
    (*chunk)(stagger);
  };
  conn.Start();
  reactor.AddTimer(1, start);
  reactor.AddTimer(120000, [&] { reactor.Stop(); });
  reactor.Run();
  if (done != total) {
    std::fprintf(stderr, "%s: timed out (%lld of %lld done)\n", stmt.name(), (long long)done,
                 (long long)total);
    return false;
  }
  double secs = double(end_ns - start_ns) / 1e9;
  uint64_t batches = conn.stats().batches_sent - before.batches_sent;
  std::printf(
      "%-20s total=%lld window=%lld stagger=%lld  %.2f s  %.0f inserts/s  batches=%llu "
      "(avg %.0f statements)  syncs=%llu  failed=%lld\n",
      stmt.name(), (long long)total, (long long)window, (long long)stagger, secs,
      double(total) / secs, (unsigned long long)batches,
      batches ? double(total) / double(batches) : 0.0,
      (unsigned long long)(conn.stats().syncs_sent - before.syncs_sent), (long long)failed);
  return failed == 0;
}

}  // namespace
}  // namespace asobi::db

int main(int argc, char** argv) {
  using namespace asobi::db;
  if (!DbEnvPresent()) {
    std::printf(
        "pg_insert_bench: skipped, ASOBI_DB_HOST is not set "
        "(tools/dev-db.sh start; set -a; . .dev/pg/env; set +a)\n");
    return 0;
  }
  int64_t total = argc > 1 ? std::atoll(argv[1]) : 200000;
  int64_t window = argc > 2 ? std::atoll(argv[2]) : 4000;
  int64_t stagger = argc > 3 ? std::max<int64_t>(1, std::atoll(argv[3])) : 1;
  std::string conninfo = BuildConninfo(DbSettingsFromEnv());
  bool ok = Exec(conninfo,
                 "DROP TABLE IF EXISTS bench_insert_narrow; "
                 "CREATE TABLE bench_insert_narrow (id BIGINT PRIMARY KEY, payload TEXT NOT NULL)");
  ok = ok && Exec(conninfo,
                  "DROP TABLE IF EXISTS bench_insert_player; "
                  "CREATE TABLE bench_insert_player (id UUID PRIMARY KEY, username VARCHAR(255) "
                  "NOT NULL, metadata JSONB DEFAULT '{}'::jsonb, inserted_at TIMESTAMPTZ NOT "
                  "NULL); CREATE UNIQUE INDEX bench_insert_player_username_index ON "
                  "bench_insert_player (username)");
  ok = ok && Run(conninfo, kInsertNarrow, total, window, stagger);
  ok = ok && Run(conninfo, kInsertPlayerLike, total, window, stagger);
  Exec(conninfo,
       "DROP TABLE IF EXISTS bench_insert_narrow; DROP TABLE IF EXISTS bench_insert_player");
  return ok ? 0 : 1;
}
