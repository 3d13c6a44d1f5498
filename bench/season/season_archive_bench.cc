// The end of a season at scale (docs/seasons.md): how long PostgreSQL takes to run the archive
// statement (game/season/season_sql.h kArchive: move a board's entries to season_standings,
// ranked, once per (season, board)) and the reward ranks read (kRanks, the top 1,000) on a
// board of N entries. Everything else of the rollover (the flush of the board's last changes,
// the grants) is the leaderboard's and the ledger's, measured in their own sections.
//
//   tools/dev-db.sh start; set -a; . .dev/pg/env; set +a
//   build/bench/season/season_archive_bench [entries=10000,100000,1000000] [migrations dir]
//
// Creates a database of its own per size (asobi_bench_season_<pid>_<n>), runs the migrations
// (default dir src/db/migrations, relative to the working directory), fills players and
// leaderboard_entries with generate_series, then times one run of each statement and a second
// run of kArchive (the once-only path). Skips (exit 0) when ASOBI_DB_HOST is unset.
#include <libpq-fe.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "base/clock.h"
#include "db/conninfo.h"
#include "db/migrations.h"
#include "game/season/season_sql.h"

namespace {

using asobi::MonoMs;

constexpr Oid kVarchar = 1043;
constexpr Oid kInt8 = 20;

// Runs `sql` (no parameters, or `params` as text of `types`, as the statement declares them);
// returns the rows affected/returned, -1 on error.
long Run(PGconn* c, const char* sql, const std::vector<std::string>& params = {},
         const std::vector<Oid>& types = {}) {
  std::vector<const char*> values;
  for (const std::string& p : params) values.push_back(p.c_str());
  PGresult* r = PQexecParams(c, sql, int(values.size()), types.empty() ? nullptr : types.data(),
                             values.data(), nullptr, nullptr, 0);
  long n = -1;
  ExecStatusType st = PQresultStatus(r);
  if (st == PGRES_TUPLES_OK) {
    n = PQntuples(r);
  } else if (st == PGRES_COMMAND_OK) {
    n = std::atol(PQcmdTuples(r));
  } else {
    std::fprintf(stderr, "%s\n", PQresultErrorMessage(r));
  }
  PQclear(r);
  return n;
}

bool Measure(const asobi::db::DbSettings& base, const std::string& migrations, long entries) {
  std::string name =
      "asobi_bench_season_" + std::to_string(getpid()) + "_" + std::to_string(entries);
  PGconn* admin = PQconnectdb(asobi::db::BuildConninfo(base).c_str());
  if (PQstatus(admin) != CONNECTION_OK) {
    std::fprintf(stderr, "connect: %s", PQerrorMessage(admin));
    PQfinish(admin);
    return false;
  }
  bool ok = Run(admin, ("CREATE DATABASE " + name).c_str()) >= 0;
  asobi::db::DbSettings s = base;
  s.name = name;
  const std::string conninfo = asobi::db::BuildConninfo(s);
  ok = ok && asobi::db::RunMigrations(conninfo, migrations).ok();
  PGconn* c = PQconnectdb(conninfo.c_str());
  ok = ok && PQstatus(c) == CONNECTION_OK;
  const std::string n = std::to_string(entries);
  ok = ok && Run(c, ("INSERT INTO players (id, username, inserted_at, updated_at) SELECT "
                     "gen_random_uuid(), 'p' || i, now(), now() FROM generate_series(1, " +
                     n + ") i")
                        .c_str()) == entries;
  ok = ok && Run(c,
                 "INSERT INTO leaderboard_entries (id, leaderboard_id, player_id, score, "
                 "sub_score, metadata, updated_at) SELECT gen_random_uuid(), 'arena', id, "
                 "(random() * 1000000)::bigint, 0, '{}'::jsonb, now() FROM players") == entries;
  ok = ok && Run(c,
                 "INSERT INTO seasons (id, name, starts_at, ends_at, inserted_at) VALUES "
                 "('s1', 'S1', 0, 1, now())") == 1;
  ok = ok && Run(c, "VACUUM ANALYZE") >= 0;
  if (ok) {
    const int64_t t0 = MonoMs();
    long moved = Run(c, asobi::season::sql::kArchive.sql(), {"s1", "arena"}, {kVarchar, kVarchar});
    const int64_t t1 = MonoMs();
    long again = Run(c, asobi::season::sql::kArchive.sql(), {"s1", "arena"}, {kVarchar, kVarchar});
    const int64_t t2 = MonoMs();
    long ranks = Run(c, asobi::season::sql::kRanks.sql(), {"s1", "arena", "1000"},
                     {kVarchar, kVarchar, kInt8});
    const int64_t t3 = MonoMs();
    std::printf(
        "entries=%ld  archive=%lld ms (moved %ld)  archive again=%lld ms (moved %ld)  "
        "top-1000 ranks=%lld ms (%ld rows)\n",
        entries, (long long)(t1 - t0), moved, (long long)(t2 - t1), again, (long long)(t3 - t2),
        ranks);
    ok = moved == entries && again == 0 && ranks == std::min(entries, 1000L);
  }
  PQfinish(c);
  Run(admin, ("DROP DATABASE IF EXISTS " + name).c_str());
  PQfinish(admin);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (!asobi::db::DbEnvPresent()) {
    std::printf("season_archive_bench: skipped, ASOBI_DB_HOST is not set\n");
    return 0;
  }
  std::vector<long> sizes;
  std::stringstream list(argc > 1 ? argv[1] : "10000,100000,1000000");
  for (std::string item; std::getline(list, item, ',');) sizes.push_back(std::atol(item.c_str()));
  const std::string migrations = argc > 2 ? argv[2] : "src/db/migrations";
  asobi::db::DbSettings base = asobi::db::DbSettingsFromEnv();
  for (long n : sizes) {
    if (n < 1 || !Measure(base, migrations, n)) return 1;
  }
  return 0;
}
