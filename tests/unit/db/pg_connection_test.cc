// PgConnection against a real PostgreSQL: round trips, typed params, batching, failures
// inside a batch, transactions, bounds, and connection loss.
#include "db/pg_connection.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <memory>
#include <string>
#include <vector>

#include "base/uuid.h"
#include "db/conninfo.h"
#include "db/migrations.h"
#include "test_db.h"

namespace asobi::db {
namespace {

using testing::LoopTest;
using testing::QueryValue;
using testing::ScratchDatabase;

constexpr Statement kInsertPlayer{
    "t_insert_player",
    "INSERT INTO players (id, username, display_name, metadata, inserted_at, updated_at) "
    "VALUES ($1, $2, $3, $4, now(), now())",
    {PgType::kUuid, PgType::kVarchar, PgType::kVarchar, PgType::kJsonb}};
constexpr Statement kSelectPlayer{
    "t_select_player",
    "SELECT username, display_name, metadata::text, banned_at FROM players WHERE id = $1",
    {PgType::kUuid}};
constexpr Statement kInsertStats{
    "t_insert_stats",
    "INSERT INTO player_stats (player_id, updated_at) VALUES ($1, now())",
    {PgType::kUuid}};
constexpr Statement kCountPlayers{"t_count_players", "SELECT count(*) FROM players"};
constexpr Statement kEcho{
    "t_echo",
    "SELECT $1::bigint, $2::boolean, $3::text, $4::float8, $5::bytea, $6::uuid, "
    "$7::timestamptz AT TIME ZONE 'UTC', $8::integer",
    {PgType::kInt8, PgType::kBool, PgType::kText, PgType::kFloat8, PgType::kBytea, PgType::kUuid,
     PgType::kTimestamptz, PgType::kInt4}};
constexpr Statement kDivide{"t_divide", "SELECT 1 / $1::integer", {PgType::kInt4}};
constexpr Statement kSleep{"t_sleep", "SELECT pg_sleep($1::float8)", {PgType::kFloat8}};
constexpr Statement kBadSql{"t_bad_sql", "SELECT * FROM no_such_table"};

// prefix + number (operator+ on a literal trips a GCC 12 -Wrestrict false positive).
std::string Numbered(const char* prefix, int i) {
  std::string out(prefix);
  out.append(std::to_string(i));
  return out;
}

class PgConnectionTest : public LoopTest {
 protected:
  void SetUp() override {
    db_ = std::make_unique<ScratchDatabase>();
    Status s = RunMigrations(db_->conninfo(), DefaultMigrationsDir());
    ASSERT_TRUE(s.ok()) << s.error().message;
  }
  void TearDown() override { db_.reset(); }

  std::unique_ptr<PgConnection> Connect(PgConnection::Options opts = {}) {
    opts.conninfo = db_->conninfo();
    auto conn = std::make_unique<PgConnection>(&reactor_, std::move(opts));
    conn->Start();
    return conn;
  }
  // Destroys `conn` and ends the loop once its polls are reclaimed.
  void Done(std::unique_ptr<PgConnection>& conn) {
    conn.reset();
    Finish();
  }
  std::string Count(const std::string& sql) { return QueryValue(db_->conninfo(), sql); }

  static Params PlayerParams(const std::string& id, std::string_view name,
                             std::string_view display = "d", std::string_view meta = "{}") {
    Params p;
    p.push_back(Param::Uuid(id));
    p.push_back(Param::Text(name));
    p.push_back(Param::Text(display));
    p.push_back(Param::Jsonb(meta));
    return p;
  }

  std::unique_ptr<ScratchDatabase> db_;
};

TEST_F(PgConnectionTest, RoundTripStoresSqlMetacharactersVerbatim) {
  auto conn = Connect();
  const std::string id = NewUuidV7();
  const std::string name = "'; DROP TABLE players; --";
  const std::string display = "O'Brien \\ \"quoted\" \\x00 $1 ünï 😀";
  const std::string meta = R"({"note":"it's \"fine\"\\n","n":1})";
  bool done = false;
  conn->Execute(kInsertPlayer, PlayerParams(id, name, display, meta), [&](DbResult<PgResult> r) {
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->affected_rows(), 1);
    Params p;
    p.push_back(Param::Uuid(id));
    conn->Execute(kSelectPlayer, std::move(p), [&](DbResult<PgResult> r) {
      ASSERT_TRUE(r.ok()) << r.error().message;
      ASSERT_EQ(r->rows(), 1);
      EXPECT_EQ(r->GetString(0, 0), name);
      EXPECT_EQ(r->GetString(0, 1), display);
      EXPECT_EQ(r->GetString(0, 2), R"({"n": 1, "note": "it's \"fine\"\\n"})");
      EXPECT_TRUE(r->IsNull(0, 3));
      EXPECT_EQ(r->Get(0, 3), std::nullopt);
      EXPECT_EQ(r->ColumnIndex("username"), 0);
      EXPECT_EQ(r->ColumnIndex("nope"), -1);
      EXPECT_EQ(r->GetInt64(0, 0), std::nullopt);  // text is not an integer
      done = true;
    });
  });
  When([&] { return done; }, [&] { Done(conn); });
  RunLoop();
  EXPECT_EQ(Count("SELECT count(*) FROM players"), "1");  // the table is still there
}

TEST_F(PgConnectionTest, TypedParamsRoundTrip) {
  auto conn = Connect();
  const std::string uuid = "0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b";
  Params p;
  p.push_back(Param::Int64(-9223372036854775807LL - 1));
  p.push_back(Param::Bool(true));
  p.push_back(Param::Null());
  p.push_back(Param::Float64(0.1));
  p.push_back(Param::Bytea(std::string("\0\x01\xff'\\", 5)));
  p.push_back(Param::Uuid(uuid));
  p.push_back(Param::TimestampMs(1700000000123));
  p.push_back(Param::Int32(-7));
  bool done = false;
  conn->Execute(kEcho, std::move(p), [&](DbResult<PgResult> r) {
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->GetInt64(0, 0), -9223372036854775807LL - 1);
    EXPECT_EQ(r->GetBool(0, 1), true);
    EXPECT_TRUE(r->IsNull(0, 2));
    EXPECT_EQ(r->GetInt64(0, 2), std::nullopt);
    EXPECT_EQ(r->GetDouble(0, 3), 0.1);
    EXPECT_EQ(r->GetString(0, 4), "\\x0001ff275c");
    EXPECT_EQ(r->GetString(0, 5), uuid);
    EXPECT_EQ(r->GetString(0, 6), "2023-11-14 22:13:20.123");
    EXPECT_EQ(r->GetInt64(0, 7), -7);
    EXPECT_EQ(r->GetBool(0, 7), std::nullopt);  // not a bool
    done = true;
  });
  When([&] { return done; }, [&] { Done(conn); });
  RunLoop();
}

TEST_F(PgConnectionTest, MalformedParamsFailWithoutReachingTheServer) {
  auto conn = Connect();
  int done = 0;
  // NUL inside text: refused with SQLSTATE 22021, never truncated.
  conn->Execute(kInsertPlayer, PlayerParams(NewUuidV7(), std::string("a\0b", 3)),
                [&](DbResult<PgResult> r) {
                  ASSERT_FALSE(r.ok());
                  EXPECT_EQ(r.error().reason, kDbError);
                  EXPECT_EQ(r.error().sqlstate, "22021");
                  ++done;
                });
  // Malformed uuid and JSON: the server refuses them (22P02); nothing is stored.
  conn->Execute(kInsertPlayer, PlayerParams("not-a-uuid", "x"), [&](DbResult<PgResult> r) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().sqlstate, "22P02");
    ++done;
  });
  conn->Execute(kInsertPlayer, PlayerParams(NewUuidV7(), "y", "d", "{broken"),
                [&](DbResult<PgResult> r) {
                  ASSERT_FALSE(r.ok());
                  EXPECT_EQ(r.error().sqlstate, "22P02");
                  ++done;
                });
  When([&] { return done == 3; }, [&] { Done(conn); });
  RunLoop();
  EXPECT_EQ(Count("SELECT count(*) FROM players"), "0");
}

TEST_F(PgConnectionTest, UniqueViolationInBatchLeavesTheOthersApplied) {
  auto conn = Connect();
  int done = 0;
  uint64_t syncs = 0;
  conn->Execute(kInsertPlayer, PlayerParams(NewUuidV7(), "taken"), [&](DbResult<PgResult> r) {
    ASSERT_TRUE(r.ok()) << r.error().message;
    syncs = conn->stats().syncs_sent;
    // One turn: ok, duplicate, ok.
    conn->Execute(kInsertPlayer, PlayerParams(NewUuidV7(), "before"), [&](DbResult<PgResult> r) {
      EXPECT_TRUE(r.ok()) << r.error().message;
      ++done;
    });
    conn->Execute(kInsertPlayer, PlayerParams(NewUuidV7(), "taken"), [&](DbResult<PgResult> r) {
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.error().reason, kDbError);
      EXPECT_EQ(r.error().sqlstate, kUniqueViolation);
      EXPECT_TRUE(r.error().IsUniqueViolation());
      EXPECT_EQ(r.error().constraint, "players_username_index");
      EXPECT_EQ(r.error().ToError().reason, "db_error");
      ++done;
    });
    conn->Execute(kInsertPlayer, PlayerParams(NewUuidV7(), "after"), [&](DbResult<PgResult> r) {
      EXPECT_TRUE(r.ok()) << r.error().message;
      ++done;
    });
  });
  When([&] { return done == 3; },
       [&] {
         // One sync for the batch of three, then one per re-sent unit (the batch rolled back).
         EXPECT_EQ(conn->stats().syncs_sent, syncs + 3);
         EXPECT_EQ(conn->stats().units_retried, 2u);
         Done(conn);
       });
  RunLoop();
  EXPECT_EQ(Count("SELECT string_agg(username, ',' ORDER BY username) FROM players"),
            "after,before,taken");
}

TEST_F(PgConnectionTest, ThousandInsertsInOneTurnAreOneBatch) {
  auto conn = Connect();
  int ok = 0;
  int failed = 0;
  uint64_t batches = 0, syncs = 0;
  // Warm up: the statement is prepared by this first call.
  conn->Execute(kInsertPlayer, PlayerParams(NewUuidV7(), "warmup"), [&](DbResult<PgResult> r) {
    ASSERT_TRUE(r.ok()) << r.error().message;
    batches = conn->stats().batches_sent;
    syncs = conn->stats().syncs_sent;
    for (int i = 0; i < 1000; ++i) {
      conn->Execute(kInsertPlayer, PlayerParams(NewUuidV7(), Numbered("p", i)),
                    [&](DbResult<PgResult> r) { r.ok() ? ++ok : ++failed; });
    }
    EXPECT_EQ(conn->pending_statements(), 1000u);
  });
  When([&] { return ok + failed == 1000; },
       [&] {
         EXPECT_EQ(ok, 1000);
         EXPECT_EQ(conn->stats().batches_sent, batches + 1);
         EXPECT_EQ(conn->stats().syncs_sent, syncs + 1);
         EXPECT_EQ(conn->pending_statements(), 0u);
         Done(conn);
       });
  RunLoop();
  EXPECT_EQ(Count("SELECT count(*) FROM players"), "1001");
}

TEST_F(PgConnectionTest, PipelineRecoversAfterAbortedStatements) {
  auto conn = Connect();
  std::vector<std::string> log;
  auto record = [&](std::string what) {
    return [&log, what](DbResult<PgResult> r) {
      std::string entry = what;
      entry += ':';
      entry += r.ok() ? std::string("ok") : r.error().sqlstate;
      log.push_back(entry);
    };
  };
  auto div = [](int v) {
    Params p;
    p.push_back(Param::Int32(v));
    return p;
  };
  conn->Execute(kDivide, div(1), record("a"));
  conn->Execute(kDivide, div(0), record("zero"));  // 22012 division_by_zero
  conn->Execute(kDivide, div(2), record("b"));
  conn->Execute(kBadSql, {}, record("bad"));  // prepare fails: 42P01
  conn->Execute(kDivide, div(0), record("zero2"));
  conn->Execute(kDivide, div(3), record("c"));
  bool later = false;
  When([&] { return log.size() == 6; },
       [&] {
         // Every failure went to its own caller; the pipeline keeps working.
         conn->Execute(kDivide, div(4), [&](DbResult<PgResult> r) {
           ASSERT_TRUE(r.ok()) << r.error().message;
           EXPECT_EQ(r->GetInt64(0, 0), 0);
           later = true;
         });
       });
  When([&] { return later; }, [&] { Done(conn); });
  RunLoop();
  std::sort(log.begin(), log.end());
  EXPECT_EQ(log, (std::vector<std::string>{"a:ok", "b:ok", "bad:42P01", "c:ok", "zero2:22012",
                                           "zero:22012"}));
}

TEST_F(PgConnectionTest, TransactionIsAtomic) {
  auto conn = Connect();
  const std::string good = NewUuidV7();
  const std::string bad = NewUuidV7();
  int done = 0;
  std::vector<StatementCall> ok_tx;
  ok_tx.push_back({&kInsertPlayer, PlayerParams(good, "tx_ok")});
  ok_tx.push_back({&kInsertStats, {Param::Uuid(good)}});
  ok_tx.push_back({&kCountPlayers, {}});
  conn->ExecuteTransaction(std::move(ok_tx), [&](DbResult<std::vector<PgResult>> r) {
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->size(), 3u);
    EXPECT_EQ((*r)[0].affected_rows(), 1);
    EXPECT_EQ((*r)[2].GetInt64(0, 0), 1);  // sees its own insert
    ++done;
  });
  // Second statement violates the FK (no such player): the whole unit rolls back.
  std::vector<StatementCall> bad_tx;
  bad_tx.push_back({&kInsertPlayer, PlayerParams(bad, "tx_bad")});
  bad_tx.push_back({&kInsertStats, {Param::Uuid(NewUuidV7())}});
  conn->ExecuteTransaction(std::move(bad_tx), [&](DbResult<std::vector<PgResult>> r) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().sqlstate, kForeignKeyViolation);
    ++done;
  });
  When([&] { return done == 2; }, [&] { Done(conn); });
  RunLoop();
  EXPECT_EQ(Count("SELECT string_agg(username, ',') FROM players"), "tx_ok");
  EXPECT_EQ(Count("SELECT count(*) FROM player_stats"), "1");
}

TEST_F(PgConnectionTest, QueueBoundFailsFastWithDbOverloaded) {
  PgConnection::Options opts;
  opts.max_pending_statements = 5;
  auto conn = Connect(std::move(opts));
  int ok = 0, overloaded = 0, other = 0;
  bool inside_execute = false;
  for (int i = 0; i < 8; ++i) {
    inside_execute = true;
    conn->Execute(kInsertPlayer, PlayerParams(NewUuidV7(), Numbered("q", i)),
                  [&](DbResult<PgResult> r) {
                    EXPECT_FALSE(inside_execute);  // never called from inside Execute
                    if (r.ok()) {
                      ++ok;
                    } else if (r.error().reason == kDbOverloaded) {
                      ++overloaded;
                    } else {
                      ++other;
                    }
                  });
    inside_execute = false;
  }
  When([&] { return ok + overloaded + other == 8; },
       [&] {
         EXPECT_EQ(ok, 5);
         EXPECT_EQ(overloaded, 3);
         EXPECT_EQ(conn->stats().overloaded, 3u);
         Done(conn);
       });
  RunLoop();
}

TEST_F(PgConnectionTest, ReconnectsAfterBackendIsTerminated) {
  auto conn = Connect();
  std::vector<bool> ready_seen;
  bool in_flight_failed = false;
  bool after_ok = false;
  bool queued_ok = false;
  When([&] { return conn->ready(); },
       [&] {
         int pid = conn->backend_pid();
         ASSERT_GT(pid, 0);
         Params p;
         p.push_back(Param::Float64(30));
         conn->Execute(kSleep, std::move(p), [&](DbResult<PgResult> r) {
           ASSERT_FALSE(r.ok());
           EXPECT_EQ(r.error().reason, kDbUnavailable);
           EXPECT_FALSE(conn->ready());
           in_flight_failed = true;
           // Issued while down: waits in the queue and runs after the reconnect.
           conn->Execute(kCountPlayers, {}, [&](DbResult<PgResult> r) {
             EXPECT_TRUE(r.ok()) << r.error().message;
             queued_ok = true;
           });
         });
         // Once the sleep is on the wire, kill the session from a second, plain connection.
         When([&] { return conn->stats().statements_sent >= 1; },
              [&, pid] {
                EXPECT_EQ(QueryValue(db_->conninfo(),
                                     "SELECT pg_terminate_backend(" + std::to_string(pid) + ")"),
                          "t");
              });
       });
  When([&] { return in_flight_failed && queued_ok && conn->ready(); },
       [&] {
         conn->Execute(kInsertPlayer, PlayerParams(NewUuidV7(), "after_reconnect"),
                       [&](DbResult<PgResult> r) {
                         EXPECT_TRUE(r.ok()) << r.error().message;
                         after_ok = true;
                       });
       });
  When([&] { return after_ok; },
       [&] {
         EXPECT_EQ(conn->stats().connection_losses, 1u);
         EXPECT_EQ(conn->stats().connects, 2u);
         Done(conn);
       });
  RunLoop();
  EXPECT_EQ(Count("SELECT count(*) FROM players"), "1");
}

TEST_F(PgConnectionTest, UnreachableServerFailsQueuedStatementsAfterTimeout) {
  PgConnection::Options opts;
  opts.deadline_ms = 200;
  opts.reconnect_min_ms = 10;
  opts.reconnect_max_ms = 40;
  DbSettings s = db_->settings();
  s.host = "127.0.0.1";
  s.port = 1;  // nothing listens there
  opts.conninfo = BuildConninfo(s);
  auto conn = std::make_unique<PgConnection>(&reactor_, std::move(opts));
  conn->Start();
  bool done = false;
  conn->Execute(kCountPlayers, {}, [&](DbResult<PgResult> r) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().reason, kDbUnavailable);
    EXPECT_FALSE(conn->ready());
    EXPECT_GE(conn->stats().connect_failures, 1u);
    done = true;
  });
  When([&] { return done; }, [&] { Done(conn); });
  RunLoop();
}

// A plain blocking connection that holds an ACCESS EXCLUSIVE lock on `table` until Release().
class TableLock {
 public:
  TableLock(const std::string& conninfo, const std::string& table) {
    conn_ = PQconnectdb(conninfo.c_str());
    EXPECT_EQ(PQstatus(conn_), CONNECTION_OK) << PQerrorMessage(conn_);
    Run("BEGIN");
    Run("LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE");
  }
  ~TableLock() { Release(); }
  void Release() {
    if (conn_ == nullptr) return;
    Run("ROLLBACK");
    PQfinish(conn_);
    conn_ = nullptr;
  }

 private:
  void Run(const std::string& sql) {
    PGresult* r = PQexec(conn_, sql.c_str());
    EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQerrorMessage(conn_);
    PQclear(r);
  }
  PGconn* conn_ = nullptr;
};

TEST_F(PgConnectionTest, ServerTimeoutFailsTheStatementAndItsBatchWithDbTimeout) {
  PgConnection::Options opts;
  opts.conninfo = BuildConninfo(db_->settings().host, db_->settings().port, db_->settings().name,
                                db_->settings().user, db_->settings().password,
                                SessionTimeoutOptions(200, 100));
  opts.deadline_ms = 60000;
  auto conn = std::make_unique<PgConnection>(&reactor_, std::move(opts));
  conn->Start();
  int done = 0;
  bool finished = false;
  // One turn: a statement that runs past statement_timeout, and an innocent one after it.
  Params p;
  p.push_back(Param::Float64(30));
  conn->Execute(kSleep, std::move(p), [&](DbResult<PgResult> r) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().reason, kDbTimeout);
    EXPECT_EQ(r.error().sqlstate, kQueryCanceled);
    ++done;
  });
  conn->Execute(kCountPlayers, {}, [&](DbResult<PgResult> r) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().reason, kDbTimeout);  // rolled back with it, not re-sent
    ++done;
  });
  When([&] { return done == 2; },
       [&] {
         EXPECT_TRUE(conn->ready());  // the session survives a server-side timeout
         EXPECT_EQ(conn->stats().units_retried, 0u);
         EXPECT_EQ(conn->stats().timeouts, 2u);
         conn->Execute(kCountPlayers, {}, [&](DbResult<PgResult> r) {
           EXPECT_TRUE(r.ok()) << r.error().message;
           finished = true;
         });
       });
  When([&] { return finished; }, [&] { Done(conn); });  // never from inside a callback
  RunLoop();
}

TEST_F(PgConnectionTest, LockTimeoutFailsWithDbTimeout) {
  PgConnection::Options opts;
  opts.conninfo =
      BuildConninfo(db_->settings().host, db_->settings().port, db_->settings().name,
                    db_->settings().user, db_->settings().password, SessionTimeoutOptions(0, 100));
  auto conn = std::make_unique<PgConnection>(&reactor_, std::move(opts));
  conn->Start();
  TableLock lock(db_->conninfo(), "players");
  bool done = false;
  conn->Execute(kCountPlayers, {}, [&](DbResult<PgResult> r) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().reason, kDbTimeout);
    EXPECT_EQ(r.error().sqlstate, kLockNotAvailable);
    done = true;
  });
  When([&] { return done; }, [&] { Done(conn); });
  RunLoop();
}

TEST_F(PgConnectionTest, UnansweredWorkFailsAtItsDeadlineAndTheSessionIsReplaced) {
  PgConnection::Options opts;
  opts.deadline_ms = 300;
  opts.reconnect_min_ms = 10;
  auto conn = Connect(std::move(opts));
  // The server never answers in time (a lock with no server-side timeout): the client-side
  // deadline fails the in-flight statements and opens a new session.
  auto lock = std::make_unique<TableLock>(db_->conninfo(), "players");
  int failed = 0;
  int first_pid = 0;
  bool finished = false;
  When([&] { return conn->ready(); },
       [&] {
         first_pid = conn->backend_pid();
         for (int i = 0; i < 3; ++i) {
           conn->Execute(kCountPlayers, {}, [&](DbResult<PgResult> r) {
             ASSERT_FALSE(r.ok());
             EXPECT_EQ(r.error().reason, kDbUnavailable);
             ++failed;
           });
         }
       });
  When([&] { return failed == 3; },
       [&] {
         EXPECT_EQ(conn->stats().deadline_losses, 1u);
         lock->Release();
       });
  When([&] { return failed == 3 && conn->ready() && conn->stats().connects == 2; },
       [&] {
         EXPECT_NE(conn->backend_pid(), first_pid);
         conn->Execute(kCountPlayers, {}, [&](DbResult<PgResult> r) {
           EXPECT_TRUE(r.ok()) << r.error().message;
           finished = true;
         });
       });
  When([&] { return finished; }, [&] { Done(conn); });  // never from inside a callback
  RunLoop();
}

TEST_F(PgConnectionTest, ProbeReportsAStalledPipelineAndItsRecovery) {
  PgConnection::Options opts;
  opts.ping_interval_ms = 20;
  opts.ping_stall_ms = 100;
  opts.deadline_ms = 60000;
  auto conn = Connect(std::move(opts));
  auto lock = std::make_unique<TableLock>(db_->conninfo(), "players");
  bool stuck_done = false;
  bool saw_responsive = false;
  When([&] { return conn->responsive(); },
       [&] {
         saw_responsive = true;
         // A statement stuck behind the lock holds up the pipeline, and the probes behind it.
         conn->Execute(kCountPlayers, {}, [&](DbResult<PgResult> r) {
           EXPECT_TRUE(r.ok()) << r.error().message;
           stuck_done = true;
         });
       });
  When([&] { return saw_responsive && !conn->responsive(); },
       [&] {
         EXPECT_TRUE(conn->ready());  // connected, yet not answering
         lock->Release();
       });
  When([&] { return stuck_done && conn->responsive(); }, [&] { Done(conn); });
  RunLoop();
}

TEST_F(PgConnectionTest, AServerTimeoutMarksTheConnectionUnresponsiveForAWhile) {
  PgConnection::Options opts;
  opts.conninfo =
      BuildConninfo(db_->settings().host, db_->settings().port, db_->settings().name,
                    db_->settings().user, db_->settings().password, SessionTimeoutOptions(0, 50));
  opts.ping_interval_ms = 20;
  opts.stall_hold_ms = 300;
  auto conn = std::make_unique<PgConnection>(&reactor_, std::move(opts));
  conn->Start();
  auto lock = std::make_unique<TableLock>(db_->conninfo(), "players");
  bool timed_out = false;
  When([&] { return conn->responsive(); },
       [&] {
         // Light traffic: the probe never waits behind this statement for long, yet the
         // statement fails; the connection reports the stall all the same.
         conn->Execute(kCountPlayers, {}, [&](DbResult<PgResult> r) {
           ASSERT_FALSE(r.ok());
           EXPECT_EQ(r.error().reason, kDbTimeout);
           EXPECT_FALSE(conn->responsive());
           EXPECT_TRUE(conn->ready());
           timed_out = true;
           lock->Release();
         });
       });
  When([&] { return timed_out && conn->responsive(); }, [&] { Done(conn); });
  RunLoop();
}

TEST_F(PgConnectionTest, QueuedUnitsOutliveAnEarlierDeadlineCheckAndFailAtTheirOwn) {
  PgConnection::Options opts;
  opts.deadline_ms = 300;
  opts.reconnect_min_ms = 60000;  // stays down after the loss
  auto conn = Connect(std::move(opts));
  bool first_done = false, queued_failed = false;
  int pid = 0;
  When([&] { return conn->ready(); },
       [&] {
         pid = conn->backend_pid();
         // Arms the deadline check for this unit; it completes long before.
         conn->Execute(kCountPlayers, {}, [&](DbResult<PgResult> r) {
           EXPECT_TRUE(r.ok());
           first_done = true;
           QueryValue(db_->conninfo(), "SELECT pg_terminate_backend(" + std::to_string(pid) + ")");
         });
       });
  // Queued while down, after the first unit: the check armed for the first one finds nothing
  // due in the queue; this unit fails at its own deadline.
  When([&] { return first_done && !conn->ready() && conn->stats().connection_losses == 1; },
       [&] {
         conn->Execute(kCountPlayers, {}, [&](DbResult<PgResult> r) {
           ASSERT_FALSE(r.ok());
           EXPECT_EQ(r.error().reason, kDbUnavailable);
           queued_failed = true;
         });
       });
  When([&] { return queued_failed; },
       [&] {
         EXPECT_EQ(conn->stats().units_expired, 1u);
         Done(conn);
       });
  RunLoop();
}

TEST_F(PgConnectionTest, DestroyingFailsPendingWork) {
  auto conn = Connect();
  int unavailable = 0;
  for (int i = 0; i < 3; ++i) {
    conn->Execute(kCountPlayers, {}, [&](DbResult<PgResult> r) {
      if (!r.ok() && r.error().reason == kDbUnavailable) ++unavailable;
    });
  }
  conn.reset();  // before the loop ever ran: the statements were still queued
  EXPECT_EQ(unavailable, 3);
  Finish();
  RunLoop();
}

}  // namespace
}  // namespace asobi::db
