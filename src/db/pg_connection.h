// PgConnection: one non-blocking libpq connection in pipeline mode, owned by one shard and
// driven by that shard's io_uring (ARCHITECTURE.md "Shards": one PostgreSQL connection per
// shard; every queue is bounded). No libpq call here ever blocks the reactor thread.
//
// Batching. Statements (and transaction units) issued during one loop turn are queued and
// sent at the end of the turn (TurnFlush) as ONE pipeline batch with ONE PQpipelineSync and
// one flush (libpq also writes whenever its 8 KiB output buffer fills; POLLOUT is polled only
// while PQflush reports output pending). Batches may overlap: a new turn's batch goes out
// while earlier ones are still in flight. Statements are prepared (PQsendPrepare, each with
// its own sync) on first use per session or at connect time (Options::prepare_on_connect).
//
// Atomicity and failures. PostgreSQL runs everything between two syncs as one implicit
// transaction, so a batch commits or rolls back as a whole. Results are therefore held until
// the batch's sync arrives:
//   - batch OK: every callback gets its result (FIFO).
//   - one statement failed: its unit's callback gets the error (reason `db_error`, with
//     SQLSTATE); every other unit of that batch (run before it and rolled back, or skipped
//     as PGRES_PIPELINE_ABORTED after it) is re-sent transparently, each unit with its own
//     sync this time, so one failure costs the others one extra round trip and they cannot
//     fail because of it again. A unit that failed with a class-40 error (deadlock,
//     serialization) is not at fault either and is retried the same way once.
// Every unit is atomic: a transaction unit (ExecuteTransaction) commits all of its
// statements or none. There is no ordering between units whose callbacks have not run yet
// (a retried unit runs after later batches): if B depends on A, issue B from A's callback or
// put both in one transaction unit.
//
// Connection loss (poll error, read/write error, CONNECTION_BAD, SQLSTATE 08xxx/57P0x):
//   - units in flight fail with `db_unavailable`. Their outcome is UNKNOWN: a write may or
//     may not have committed (the sync may have been processed before the loss).
//   - queued units that were not sent stay queued and go out after reconnect, or fail with
//     `db_unavailable` at their deadline.
//   - reconnect with exponential back-off (reconnect_min_ms doubling to reconnect_max_ms),
//     connect attempts bounded by connect_timeout_ms. ready() is false meanwhile.
//
// Deadlines. Every unit must complete within Options::deadline_ms of Execute:
//   - queued (no connection): fails with `db_unavailable` at its deadline (never sent);
//   - in flight: a server that stops answering (or a pipeline stuck behind a stalled
//     statement) is treated as a connection loss at the first in-flight deadline: every
//     in-flight unit fails with `db_unavailable` (unknown outcome), the session is dropped and
//     a new one is opened. Set the session's statement_timeout / lock_timeout (conninfo
//     `options`, SessionTimeoutOptions in db/conninfo.h) below deadline_ms so that a stall
//     usually ends on the server side first, with a known outcome:
//   - a statement the server cancels (statement_timeout 57014, lock_timeout 55P03) fails with
//     `db_timeout`; the other units of its batch, rolled back with it, fail with `db_timeout`
//     too instead of being re-sent (they would most likely wait for the same lock again).
//
// Health probe (Options::ping_interval_ms > 0): while connected, a `SELECT 1` goes through the
// pipeline every interval; responsive() turns false while one has been unanswered for
// ping_stall_ms (or was answered later than that, or failed), and for stall_hold_ms after a
// statement timed out or a deadline passed; it turns true again at the next prompt answer
// after that, so /ready reports a stalled database whether or not requests are waiting.
//
// Bound: at most Options::max_pending_statements statements queued + in flight; beyond it
// Execute fails with `db_overloaded` and sends nothing.
//
// Thread/shard affinity: construct, use and destroy on the reactor's thread only. Callbacks
// run on that thread, never inside Execute/ExecuteTransaction (immediate failures are
// posted to the next turn). Do not destroy the connection from inside one of its callbacks;
// post the destruction to the next turn instead.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "db/callback.h"
#include "db/pg_param.h"
#include "db/pg_result.h"
#include "db/statement.h"
#include "reactor/reactor.h"

namespace asobi::db {

using Params = std::vector<Param>;
/// Receives the result of one statement.
using ResultCallback = Callback<DbResult<PgResult>>;
/// Receives the results of a transaction unit, one PgResult per statement in order.
using TxCallback = Callback<DbResult<std::vector<PgResult>>>;

/// One statement with its parameters, as part of a transaction unit.
struct StatementCall {
  const Statement* stmt;
  Params params;
};

/// Counters for tests, /metrics and benchmarks. Written by the owning shard only.
struct PgConnectionStats {
  uint64_t batches_sent = 0;       // end-of-turn flushes that sent anything
  uint64_t syncs_sent = 0;         // PQpipelineSync calls (batches, retries, prepares)
  uint64_t statements_sent = 0;    // PQsendQueryPrepared calls
  uint64_t prepares_sent = 0;      // PQsendPrepare calls
  uint64_t units_retried = 0;      // units re-sent after another unit's failure
  uint64_t connects = 0;           // successful connection set-ups
  uint64_t connection_losses = 0;  // losses of an established connection
  uint64_t connect_failures = 0;   // failed or timed-out connection attempts
  uint64_t overloaded = 0;         // calls refused with db_overloaded
  uint64_t deadline_losses = 0;    // sessions dropped: in-flight work passed its deadline
  uint64_t units_expired = 0;      // queued units failed at their deadline (never sent)
  uint64_t timeouts = 0;           // units failed with db_timeout
  uint64_t pings_stalled = 0;      // probes that stayed unanswered past ping_stall_ms
};

/// One per shard (owned by the shard's database wiring); every method on that shard's thread,
/// and every callback runs there too. Not copyable.
class PgConnection final {
 public:
  /// Connection settings and bounds; times in ms. Fixed at construction.
  struct Options {
    /// libpq conninfo (BuildConninfo in db/conninfo.h).
    std::string conninfo;
    /// Bound on statements queued + in flight (a transaction unit counts all its statements).
    size_t max_pending_statements = 10000;
    /// Every unit completes (or fails) within this many ms of Execute; see "Deadlines".
    int64_t deadline_ms = 5000;
    /// A connection attempt that has not finished by then is abandoned (and retried).
    int64_t connect_timeout_ms = 5000;
    int64_t reconnect_min_ms = 100;
    int64_t reconnect_max_ms = 5000;
    /// Prepared on every new session before anything else (others are prepared on first use).
    std::vector<const Statement*> prepare_on_connect;
    /// Health probe period while connected (0 = no probe; responsive() == ready()).
    int64_t ping_interval_ms = 0;
    /// A probe unanswered this long makes responsive() false until one is answered.
    int64_t ping_stall_ms = 1000;
    /// After a statement timed out on the server (db_timeout) or in-flight work passed its
    /// deadline, responsive() stays false this long (a lock stall with light traffic never
    /// delays a probe, yet every request on the locked table fails).
    int64_t stall_hold_ms = 2000;
  };

  /// Does not connect yet; call Start(). `reactor` must outlive this object.
  PgConnection(Reactor* reactor, Options opts);
  /// Fails everything queued or in flight with `db_unavailable` (callbacks run here), closes
  /// the socket. Socket polls still in the ring are cancelled and their small state freed by
  /// later loop turns; keep the reactor running a few turns to reclaim it.
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  /// Starts connecting (asynchronously). Statements may be issued before: they wait in the
  /// queue like during an outage.
  void Start();

  /// True while the connection is established and usable.
  bool ready() const { return state_ == State::kReady; }
  /// ready(), and the pipeline answers: the last health probe succeeded and none has been
  /// outstanding for ping_stall_ms (for /ready and /health). Equals ready() without probes.
  bool responsive() const;

  /// Runs `stmt` with `params` (count and types must match the declaration: CHECK). `cb`
  /// gets the rows or a PgError on this shard. Sent at the end of the current turn.
  void Execute(const Statement& stmt, Params params, ResultCallback cb);

  /// Runs `calls` as one atomic unit (all commit or none), sent in one batch. `cb` gets one
  /// PgResult per call, or the first error. `calls` must not be empty.
  void ExecuteTransaction(std::vector<StatementCall> calls, TxCallback cb);

  /// Counters since construction; read on this shard's thread (plain fields).
  const PgConnectionStats& stats() const { return stats_; }
  /// Statements queued + in flight.
  size_t pending_statements() const { return pending_statements_; }
  /// Server process id of the current session (0 when not connected); for tests/ops.
  int backend_pid() const;

  /// Number of socket-poll states not yet reclaimed (all connections on this thread); tests
  /// use it to run the loop until everything is freed.
  static int64_t LiveSocketWatches();

 private:
  enum class State { kIdle, kConnecting, kReady, kDown, kClosed };
  struct Unit;
  struct Segment;
  struct Slot;
  class SocketWatch;
  class Flusher;
  enum class PrepState { kNone, kSent, kReady, kBroken };
  struct Prepared {
    PrepState state = PrepState::kNone;
    PgError error;  // kBroken: why the server refused the statement
  };

  void Enqueue(std::unique_ptr<Unit> unit);
  void FailLater(std::unique_ptr<Unit> unit, PgError error);
  static void Deliver(std::unique_ptr<Unit> unit, const PgError* error);

  // Connecting.
  void StartConnect();
  void ContinueConnect();
  void OnConnected();
  void ConnectFailed(const std::string& why);
  void ScheduleReconnect();
  void ArmPoll(bool for_read);

  // Sending.
  void FlushTurn();
  void RequestFlush();
  bool EnsurePrepared(const Statement* stmt);
  bool SendUnit(Unit* unit);
  bool SendSync();
  void SendQueued();
  bool FlushOutput();

  // Receiving.
  void OnPoll(bool read, int32_t res);
  void ProcessResults();
  bool HandleResult(PGresult* res);
  void FinishSegment();

  // Failure handling.
  void HandleLoss(const std::string& why);
  void DropSession();
  // Arms the deadline timer for the earliest pending deadline, not before `not_before_ms`.
  void ArmDeadlineTimer(int64_t not_before_ms = 0);
  // Makes the deadline timer fire at `at_ms` at the latest.
  void ArmDeadlineAt(int64_t at_ms);
  void OnDeadline();
  void ExpireQueued(int64_t now_ms);
  void Ping();

  Reactor* reactor_;
  Options opts_;
  State state_ = State::kIdle;
  PGconn* conn_ = nullptr;
  SocketWatch* watch_ = nullptr;
  Flusher* flusher_ = nullptr;
  int64_t backoff_ms_ = 0;
  Reactor::TimerId reconnect_timer_ = 0;
  Reactor::TimerId connect_timer_ = 0;
  Reactor::TimerId deadline_timer_ = 0;
  int64_t deadline_at_ms_ = 0;  // when deadline_timer_ fires
  Reactor::TimerId ping_timer_ = 0;
  bool ping_outstanding_ = false;
  bool ping_ok_ = false;
  int64_t ping_sent_ms_ = 0;
  int64_t last_stall_ms_ = INT64_MIN / 2;                  // last db_timeout or deadline loss
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // probe callbacks check it

  std::deque<std::unique_ptr<Unit>> queue_;                  // not yet sent, FIFO
  std::deque<Segment> segments_;                             // sent, awaiting their sync, FIFO
  std::deque<Slot> slots_;                                   // expected result sequence, FIFO
  std::unordered_map<const Statement*, Prepared> prepared_;  // this session's statements
  std::unordered_map<std::string, const Statement*> names_;  // name clash check
  size_t pending_statements_ = 0;
  PgConnectionStats stats_;
};

}  // namespace asobi::db
