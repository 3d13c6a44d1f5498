#include "db/pg_connection.h"

#include <poll.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstring>
#include <optional>

#include "base/check.h"
#include "base/log.h"

namespace asobi::db {
namespace {

thread_local int64_t g_live_watches = 0;

// The health probe (Options::ping_interval_ms).
const Statement kPing("asobi_ping", "SELECT 1");
// Deadline checks run at most this often (a unit may fail up to this much after its deadline).
constexpr int64_t kDeadlineTickMs = 10;

PgError Unavailable(std::string message) {
  return PgError{std::string(kDbUnavailable), "", std::move(message), ""};
}

// SQLSTATEs that mean "this session is gone": class 08 (connection exception) and 57P0x
// (admin/crash shutdown, pg_terminate_backend, database dropped, idle timeout). 57014
// (query_canceled, e.g. statement_timeout) is an ordinary statement error.
bool IsSessionFatal(const PGresult* res) {
  const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
  if (state == nullptr || std::strlen(state) != 5) return true;  // libpq-side failure
  return std::strncmp(state, "08", 2) == 0 || std::strncmp(state, "57P", 3) == 0;
}

void LogNotice(void*, const PGresult* res) {
  const char* msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
  const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
  LOG_INFO("postgres notice").KV("sqlstate", state ? state : "").KV("message", msg ? msg : "");
}

std::string Trimmed(const char* s) {
  std::string out = s ? s : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

}  // namespace

// One statement or transaction unit, from Execute until its callback runs.
struct PgConnection::Unit {
  std::vector<StatementCall> calls;
  bool is_tx = false;
  ResultCallback single_cb;
  TxCallback tx_cb;
  int64_t enqueued_ms = 0;
  int64_t deadline_ms = 0;  // completes or fails by then (reactor ms)
  bool isolated = false;    // re-sent after another unit's failure: own sync
  std::vector<PgResult> results;
  std::optional<PgError> error;
};

// Units sent between two syncs (one implicit transaction), or one prepare's sync.
struct PgConnection::Segment {
  std::vector<std::unique_ptr<Unit>> units;
  Unit* failed = nullptr;
  bool isolated = false;
  int64_t deadline_ms = INT64_MAX;  // earliest deadline of its units
};

// One expected entry of the result stream, in send order.
struct PgConnection::Slot {
  enum class Kind { kPrepare, kExec, kSync } kind;
  Unit* unit = nullptr;
  size_t call = 0;
  const Statement* stmt = nullptr;
};

// The io_uring polls on one socket. Heap-allocated so that polls still in the ring when the
// connection drops or dies can complete (cancelled) into a live object, which then frees
// itself. Owner is null once detached.
class PgConnection::SocketWatch {
 public:
  SocketWatch(PgConnection* owner, Reactor* reactor, int fd)
      : owner_(owner), reactor_(reactor), fd_(fd), read_(this, true), write_(this, false) {
    ++g_live_watches;
  }
  ~SocketWatch() { --g_live_watches; }

  int fd() const { return fd_; }

  // One-shot poll for POLLIN (read) or POLLOUT; no-op while one of that kind is armed.
  void Arm(bool for_read) {
    Op& op = for_read ? read_ : write_;
    if (op.armed) return;
    op.armed = true;
    io_uring_sqe* sqe = reactor_->GetSqe(&op);
    io_uring_prep_poll_add(sqe, fd_, for_read ? POLLIN : POLLOUT);
  }

  // Cancels armed polls; frees itself now or when their CQEs arrive.
  void Detach() {
    owner_ = nullptr;
    for (Op* op : {&read_, &write_}) {
      if (!op->armed) continue;
      io_uring_sqe* sqe = reactor_->GetSqe();
      io_uring_prep_cancel(sqe, op, 0);
      io_uring_sqe_set_data(sqe, nullptr);
    }
    if (!read_.armed && !write_.armed) delete this;
  }

 private:
  struct Op final : Completion {
    Op(SocketWatch* w, bool r) : watch(w), read(r) {}
    void OnComplete(int32_t res, uint32_t) override {
      armed = false;
      watch->OnOp(read, res);
    }
    SocketWatch* watch;
    bool read;
    bool armed = false;
  };

  void OnOp(bool read, int32_t res) {
    if (owner_ == nullptr) {
      if (!read_.armed && !write_.armed) delete this;
      return;
    }
    owner_->OnPoll(read, res);  // may Detach (and delete) this: touch nothing after
  }

  PgConnection* owner_;
  Reactor* reactor_;
  int fd_;
  Op read_;
  Op write_;
};

// The end-of-turn hook. Separate from PgConnection so that a connection destroyed while a
// flush is queued leaves a harmless orphan, which frees itself when the reactor runs it.
class PgConnection::Flusher final : public TurnFlush {
 public:
  explicit Flusher(PgConnection* owner) : owner_(owner) {}
  void Request(Reactor* reactor) {
    if (queued_) return;
    queued_ = true;
    reactor->RequestFlush(this);
  }
  void Orphan() {
    owner_ = nullptr;
    if (!queued_) delete this;
  }
  void FlushTurn() override {
    queued_ = false;
    if (owner_ == nullptr) {
      delete this;
      return;
    }
    owner_->FlushTurn();
  }

 private:
  PgConnection* owner_;
  bool queued_ = false;
};

int64_t PgConnection::LiveSocketWatches() { return g_live_watches; }

PgConnection::PgConnection(Reactor* reactor, Options opts)
    : reactor_(reactor), opts_(std::move(opts)), flusher_(new Flusher(this)) {
  backoff_ms_ = opts_.reconnect_min_ms;
}

PgConnection::~PgConnection() {
  state_ = State::kClosed;
  alive_.reset();
  for (Reactor::TimerId* t : {&reconnect_timer_, &connect_timer_, &deadline_timer_, &ping_timer_}) {
    if (*t) reactor_->CancelTimer(*t);
    *t = 0;
  }
  flusher_->Orphan();
  DropSession();
  std::deque<Segment> segments;
  segments.swap(segments_);
  std::deque<std::unique_ptr<Unit>> queued;
  queued.swap(queue_);
  slots_.clear();
  PgError closed = Unavailable("database connection closed");
  for (Segment& seg : segments) {
    for (auto& u : seg.units) Deliver(std::move(u), &closed);
  }
  for (auto& u : queued) Deliver(std::move(u), &closed);
}

void PgConnection::Start() {
  CHECK(state_ == State::kIdle);
  StartConnect();
  if (opts_.ping_interval_ms > 0) {
    ping_timer_ = reactor_->AddTimer(opts_.ping_interval_ms, [this] {
      ping_timer_ = 0;
      Ping();
    });
  }
}

bool PgConnection::responsive() const {
  if (state_ != State::kReady) return false;
  if (opts_.ping_interval_ms <= 0) return true;
  if (reactor_->now_ms() - last_stall_ms_ < opts_.stall_hold_ms) return false;
  if (ping_outstanding_ && reactor_->now_ms() - ping_sent_ms_ >= opts_.ping_stall_ms) {
    return false;
  }
  return ping_ok_;
}

void PgConnection::Ping() {
  ping_timer_ = reactor_->AddTimer(opts_.ping_interval_ms, [this] {
    ping_timer_ = 0;
    Ping();
  });
  if (state_ != State::kReady) {
    ping_ok_ = false;
    return;
  }
  if (ping_outstanding_) {
    if (reactor_->now_ms() - ping_sent_ms_ >= opts_.ping_stall_ms && ping_ok_) {
      ++stats_.pings_stalled;
      LOG_WARN("database pipeline stalled")
          .KV("unanswered_ms", reactor_->now_ms() - ping_sent_ms_)
          .KV("pending_statements", int64_t(pending_statements_));
      ping_ok_ = false;
    }
    return;
  }
  ping_outstanding_ = true;
  ping_sent_ms_ = reactor_->now_ms();
  std::weak_ptr<int> alive = alive_;
  Execute(kPing, {}, [this, alive](DbResult<PgResult> r) {
    if (alive.expired()) return;
    ping_outstanding_ = false;
    // A late answer is a stall too: during a lock stall with traffic every probe waits behind
    // stuck statements, and one that finally gets through must not flip /ready back.
    bool prompt = reactor_->now_ms() - ping_sent_ms_ < opts_.ping_stall_ms;
    bool ok = r.ok() && prompt;
    if (ok && !ping_ok_) LOG_INFO("database pipeline answers again");
    ping_ok_ = ok;
  });
}

int PgConnection::backend_pid() const {
  return (state_ == State::kReady && conn_) ? PQbackendPID(conn_) : 0;
}

// ---------------------------------------------------------------------------------------
// Issuing

void PgConnection::Execute(const Statement& stmt, Params params, ResultCallback cb) {
  auto unit = std::make_unique<Unit>();
  unit->calls.push_back(StatementCall{&stmt, std::move(params)});
  unit->single_cb = std::move(cb);
  Enqueue(std::move(unit));
}

void PgConnection::ExecuteTransaction(std::vector<StatementCall> calls, TxCallback cb) {
  CHECK(!calls.empty());
  auto unit = std::make_unique<Unit>();
  unit->calls = std::move(calls);
  unit->is_tx = true;
  unit->tx_cb = std::move(cb);
  Enqueue(std::move(unit));
}

void PgConnection::Enqueue(std::unique_ptr<Unit> unit) {
  CHECK(unit->is_tx ? bool(unit->tx_cb) : bool(unit->single_cb));
  bool params_ok = true;
  for (const StatementCall& c : unit->calls) {
    CHECK(c.stmt != nullptr);
    CHECK(c.params.size() == c.stmt->param_count());
    for (size_t i = 0; i < c.params.size(); ++i) {
      const Param& p = c.params[i];
      CHECK(p.is_null() || ParamFits(c.stmt->param_type(i), *p.type()));
      if (!p.valid()) params_ok = false;
    }
  }
  if (!params_ok) {
    FailLater(std::move(unit),
              PgError{std::string(kDbError), "22021", "text parameter contains a NUL byte", ""});
    return;
  }
  if (state_ == State::kClosed) {
    FailLater(std::move(unit), Unavailable("database connection closed"));
    return;
  }
  size_t n = unit->calls.size();
  if (pending_statements_ + n > opts_.max_pending_statements) {
    ++stats_.overloaded;
    FailLater(std::move(unit),
              PgError{std::string(kDbOverloaded), "",
                      "database queue full (" + std::to_string(opts_.max_pending_statements) +
                          " statements pending)",
                      ""});
    return;
  }
  pending_statements_ += n;
  unit->enqueued_ms = reactor_->now_ms();
  unit->deadline_ms = unit->enqueued_ms + opts_.deadline_ms;
  int64_t deadline_ms = unit->deadline_ms;
  queue_.push_back(std::move(unit));
  if (state_ == State::kReady) {
    RequestFlush();
  } else {
    ArmDeadlineAt(deadline_ms);
  }
}

void PgConnection::FailLater(std::unique_ptr<Unit> unit, PgError error) {
  reactor_->Post(
      [u = std::move(unit), e = std::move(error)]() mutable { Deliver(std::move(u), &e); });
}

void PgConnection::Deliver(std::unique_ptr<Unit> unit, const PgError* error) {
  if (error != nullptr) {
    if (unit->is_tx) {
      unit->tx_cb(*error);
    } else {
      unit->single_cb(*error);
    }
  } else if (unit->is_tx) {
    unit->tx_cb(std::move(unit->results));
  } else {
    unit->single_cb(std::move(unit->results[0]));
  }
}

// ---------------------------------------------------------------------------------------
// Connecting

void PgConnection::StartConnect() {
  state_ = State::kConnecting;
  conn_ = PQconnectStart(opts_.conninfo.c_str());
  if (conn_ == nullptr) {
    ConnectFailed("out of memory");
    return;
  }
  if (PQstatus(conn_) == CONNECTION_BAD) {
    ConnectFailed(Trimmed(PQerrorMessage(conn_)));
    return;
  }
  PQsetNoticeReceiver(conn_, LogNotice, nullptr);
  connect_timer_ = reactor_->AddTimer(opts_.connect_timeout_ms, [this] {
    connect_timer_ = 0;
    ConnectFailed("connect timeout after " + std::to_string(opts_.connect_timeout_ms) + " ms");
  });
  // libpq: start as if PQconnectPoll had returned PGRES_POLLING_WRITING.
  ArmPoll(/*for_read=*/false);
}

void PgConnection::ArmPoll(bool for_read) {
  int fd = PQsocket(conn_);
  if (fd < 0) {
    if (state_ == State::kConnecting) {
      ConnectFailed("no socket");
    } else {
      HandleLoss("no socket");
    }
    return;
  }
  // The socket may change between PQconnectPoll calls; no poll is armed at those points.
  if (watch_ == nullptr || watch_->fd() != fd) {
    if (watch_ != nullptr) watch_->Detach();
    watch_ = new SocketWatch(this, reactor_, fd);
  }
  watch_->Arm(for_read);
}

void PgConnection::ContinueConnect() {
  switch (PQconnectPoll(conn_)) {
    case PGRES_POLLING_READING:
      ArmPoll(/*for_read=*/true);
      break;
    case PGRES_POLLING_WRITING:
      ArmPoll(/*for_read=*/false);
      break;
    case PGRES_POLLING_OK:
      OnConnected();
      break;
    default:
      ConnectFailed(Trimmed(PQerrorMessage(conn_)));
      break;
  }
}

void PgConnection::OnConnected() {
  if (connect_timer_) reactor_->CancelTimer(connect_timer_);
  connect_timer_ = 0;
  if (PQsetnonblocking(conn_, 1) != 0 || PQenterPipelineMode(conn_) != 1) {
    ConnectFailed("cannot enter non-blocking pipeline mode: " + Trimmed(PQerrorMessage(conn_)));
    return;
  }
  state_ = State::kReady;
  backoff_ms_ = opts_.reconnect_min_ms;
  ++stats_.connects;
  ping_outstanding_ = false;
  ping_ok_ = true;  // a fresh session answered the handshake
  LOG_INFO("database connected").KV("backend_pid", PQbackendPID(conn_));
  ArmPoll(/*for_read=*/true);
  RequestFlush();
}

void PgConnection::ConnectFailed(const std::string& why) {
  if (connect_timer_) reactor_->CancelTimer(connect_timer_);
  connect_timer_ = 0;
  ++stats_.connect_failures;
  LOG_WARN("database connect failed").KV("error", why).KV("retry_in_ms", backoff_ms_);
  DropSession();
  state_ = State::kDown;
  ScheduleReconnect();
  ArmDeadlineTimer();
}

void PgConnection::ScheduleReconnect() {
  int64_t delay_ms = backoff_ms_;
  backoff_ms_ = std::min(backoff_ms_ * 2, opts_.reconnect_max_ms);
  reconnect_timer_ = reactor_->AddTimer(delay_ms, [this] {
    reconnect_timer_ = 0;
    StartConnect();
  });
}

void PgConnection::DropSession() {
  if (watch_ != nullptr) watch_->Detach();
  watch_ = nullptr;
  if (conn_ != nullptr) PQfinish(conn_);
  conn_ = nullptr;
  prepared_.clear();
}

// ---------------------------------------------------------------------------------------
// Sending

void PgConnection::RequestFlush() { flusher_->Request(reactor_); }

void PgConnection::FlushTurn() {
  if (state_ != State::kReady) return;
  SendQueued();
}

bool PgConnection::EnsurePrepared(const Statement* stmt) {
  Prepared& p = prepared_[stmt];
  if (p.state != PrepState::kNone) return true;
  auto [it, inserted] = names_.try_emplace(stmt->name(), stmt);
  CHECK(inserted || it->second == stmt || std::strcmp(it->second->sql(), stmt->sql()) == 0);
  if (PQsendPrepare(conn_, stmt->name(), stmt->sql(), int(stmt->param_count()),
                    stmt->param_oids()) != 1) {
    return false;
  }
  ++stats_.prepares_sent;
  slots_.push_back(Slot{Slot::Kind::kPrepare, nullptr, 0, stmt});
  segments_.emplace_back();  // a prepare gets its own sync: its outcome never depends on others
  if (!SendSync()) return false;
  p.state = PrepState::kSent;
  return true;
}

bool PgConnection::SendUnit(Unit* unit) {
  unit->results.clear();
  unit->results.resize(unit->calls.size());
  unit->error.reset();
  std::array<const char*, Statement::kMaxParams> values;
  for (size_t i = 0; i < unit->calls.size(); ++i) {
    const StatementCall& c = unit->calls[i];
    for (size_t k = 0; k < c.params.size(); ++k) {
      values[k] = c.params[k].is_null() ? nullptr : c.params[k].text().c_str();
    }
    if (PQsendQueryPrepared(conn_, c.stmt->name(), int(c.params.size()), values.data(), nullptr,
                            nullptr, 0) != 1) {
      return false;
    }
    ++stats_.statements_sent;
    slots_.push_back(Slot{Slot::Kind::kExec, unit, i, c.stmt});
  }
  return true;
}

bool PgConnection::SendSync() {
  if (PQpipelineSync(conn_) != 1) return false;
  ++stats_.syncs_sent;
  slots_.push_back(Slot{Slot::Kind::kSync, nullptr, 0, nullptr});
  return true;
}

void PgConnection::SendQueued() {
  for (const Statement* s : opts_.prepare_on_connect) {
    if (!EnsurePrepared(s)) return HandleLoss(Trimmed(PQerrorMessage(conn_)));
  }
  for (const auto& u : queue_) {
    for (const StatementCall& c : u->calls) {
      if (!EnsurePrepared(c.stmt)) return HandleLoss(Trimmed(PQerrorMessage(conn_)));
    }
  }
  std::deque<std::unique_ptr<Unit>> work;
  work.swap(queue_);
  std::vector<std::pair<std::unique_ptr<Unit>, PgError>> broken;
  Segment* batch = nullptr;              // the open (non-isolated) segment of this turn
  int64_t sent_deadline_ms = INT64_MAX;  // earliest deadline sent now
  bool ok = true;
  while (ok && !work.empty()) {
    std::unique_ptr<Unit> u = std::move(work.front());
    work.pop_front();
    const PgError* prep_error = nullptr;
    for (const StatementCall& c : u->calls) {
      const Prepared& p = prepared_[c.stmt];
      if (p.state == PrepState::kBroken) prep_error = &p.error;
    }
    if (prep_error != nullptr) {
      broken.emplace_back(std::move(u), *prep_error);
      continue;
    }
    Unit* raw = u.get();
    if (u->isolated) {
      if (batch != nullptr && !SendSync()) {
        work.push_front(std::move(u));
        ok = false;
        break;
      }
      batch = nullptr;
      segments_.emplace_back();
      Segment& seg = segments_.back();
      seg.isolated = true;
      seg.deadline_ms = raw->deadline_ms;
      sent_deadline_ms = std::min(sent_deadline_ms, raw->deadline_ms);
      seg.units.push_back(std::move(u));
      ok = SendUnit(raw) && SendSync();
    } else {
      if (batch == nullptr) {
        segments_.emplace_back();
        batch = &segments_.back();
      }
      batch->deadline_ms = std::min(batch->deadline_ms, raw->deadline_ms);
      sent_deadline_ms = std::min(sent_deadline_ms, raw->deadline_ms);
      batch->units.push_back(std::move(u));
      ok = SendUnit(raw);
    }
  }
  if (ok && batch != nullptr) ok = SendSync();
  if (!ok) {
    // Units never handed to libpq stay queued (in order) for the next session.
    while (!work.empty()) {
      queue_.push_front(std::move(work.back()));
      work.pop_back();
    }
    HandleLoss(Trimmed(PQerrorMessage(conn_)));
  } else {
    ++stats_.batches_sent;
    ArmDeadlineAt(sent_deadline_ms);
    if (FlushOutput()) ProcessResults();
  }
  for (auto& [u, err] : broken) {
    pending_statements_ -= u->calls.size();
    Deliver(std::move(u), &err);
  }
}

bool PgConnection::FlushOutput() {
  int r = PQflush(conn_);
  if (r < 0) {
    HandleLoss(Trimmed(PQerrorMessage(conn_)));
    return false;
  }
  if (r == 1) watch_->Arm(/*for_read=*/false);
  return true;
}

// ---------------------------------------------------------------------------------------
// Receiving

void PgConnection::OnPoll(bool read, int32_t res) {
  if (state_ == State::kConnecting) {
    ContinueConnect();  // PQconnectPoll discovers errors itself
    return;
  }
  if (state_ != State::kReady) return;
  if (res < 0) {
    HandleLoss(std::string("socket poll failed: ") + std::strerror(-res));
    return;
  }
  if (read) {
    if (PQconsumeInput(conn_) != 1) {
      HandleLoss(Trimmed(PQerrorMessage(conn_)));
      return;
    }
    ProcessResults();
    if (state_ != State::kReady) return;
    if (!FlushOutput()) return;  // PQconsumeInput may have flushed part of the output
    watch_->Arm(/*for_read=*/true);
  } else {
    if (!FlushOutput()) return;
    ProcessResults();  // a blocked send makes libpq read input into its buffer
  }
}

void PgConnection::ProcessResults() {
  while (state_ == State::kReady && !slots_.empty()) {
    if (PQisBusy(conn_)) break;
    PGresult* res = PQgetResult(conn_);
    if (res == nullptr) {
      // End of one statement's results (a sync is never followed by a null).
      if (slots_.front().kind == Slot::Kind::kSync) break;
      slots_.pop_front();
      continue;
    }
    if (!HandleResult(res)) return;
  }
  if (state_ == State::kReady && PQstatus(conn_) == CONNECTION_BAD) {
    HandleLoss(Trimmed(PQerrorMessage(conn_)));
  }
}

// Consumes `res` (the next result of the head slot). False when the session was lost.
bool PgConnection::HandleResult(PGresult* res) {
  ExecStatusType st = PQresultStatus(res);
  Slot& head = slots_.front();
  if (st == PGRES_FATAL_ERROR && IsSessionFatal(res)) {
    std::string why = Trimmed(PQresultErrorMessage(res));
    PQclear(res);
    HandleLoss(why);
    return false;
  }
  switch (head.kind) {
    case Slot::Kind::kSync:
      PQclear(res);
      if (st != PGRES_PIPELINE_SYNC) {
        HandleLoss("protocol desync: expected a pipeline sync");
        return false;
      }
      slots_.pop_front();
      FinishSegment();
      return true;
    case Slot::Kind::kPrepare: {
      Prepared& p = prepared_[head.stmt];
      if (st == PGRES_COMMAND_OK) {
        p.state = PrepState::kReady;
      } else if (st == PGRES_PIPELINE_ABORTED) {
        p.state = PrepState::kNone;
      } else {
        p.error = PgErrorFromResult(res);
        // A prepare that timed out (lock, statement_timeout) or lost a race is tried again on
        // next use; anything else means the SQL is wrong, for this whole session.
        bool transient = p.error.reason == kDbTimeout || p.error.sqlstate.compare(0, 2, "40") == 0;
        p.state = transient ? PrepState::kNone : PrepState::kBroken;
        ASOBI_LOG(transient ? LogLevel::kWarn : LogLevel::kError, "prepare failed")
            .KV("statement", head.stmt->name())
            .KV("sqlstate", p.error.sqlstate)
            .KV("error", p.error.message)
            .KV("retried", transient);
      }
      PQclear(res);
      return true;
    }
    case Slot::Kind::kExec:
      break;
  }
  Unit* unit = head.unit;
  if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
    unit->results[head.call] = PgResult(res);
    return true;
  }
  if (st != PGRES_PIPELINE_ABORTED) {
    Segment& seg = segments_.front();
    if (seg.failed == nullptr) {
      const Prepared& p = prepared_[head.stmt];
      seg.failed = unit;
      PgError e = PgErrorFromResult(res);
      // 26000: the statement is not prepared because its prepare failed: report why.
      bool prepare_failed = e.sqlstate == "26000" && !p.error.reason.empty();
      unit->error = (p.state == PrepState::kBroken || prepare_failed) ? p.error : std::move(e);
    }
  }
  PQclear(res);
  return true;
}

void PgConnection::FinishSegment() {
  Segment seg = std::move(segments_.front());
  segments_.pop_front();
  if (seg.failed == nullptr) {
    for (auto& u : seg.units) {
      pending_statements_ -= u->calls.size();
      Deliver(std::move(u), nullptr);
    }
    return;
  }
  // The segment rolled back as a whole. Re-send every unit that was not at fault (and a unit
  // that lost a deadlock / serialization race), each with its own sync; fail the culprit.
  // A server-side timeout means a stall (lock, overload): the rolled-back units would most
  // likely wait for it again, so they fail too instead of being re-sent.
  const bool timed_out = seg.failed->error && seg.failed->error->reason == kDbTimeout;
  std::unique_ptr<Unit> culprit;
  std::vector<std::unique_ptr<Unit>> retry;
  std::vector<std::unique_ptr<Unit>> rolled_back;
  for (auto& u : seg.units) {
    bool transient = u->error && u->error->sqlstate.compare(0, 2, "40") == 0;
    if (u.get() == seg.failed && (seg.isolated || !transient)) {
      culprit = std::move(u);
    } else if (timed_out) {
      rolled_back.push_back(std::move(u));
    } else {
      retry.push_back(std::move(u));
    }
  }
  if (timed_out) {
    stats_.timeouts += 1 + rolled_back.size();
    last_stall_ms_ = reactor_->now_ms();
  }
  PgError rollback{std::string(kDbTimeout), culprit ? culprit->error->sqlstate : "",
                   "rolled back: another statement of its batch timed out", ""};
  for (auto& u : rolled_back) {
    pending_statements_ -= u->calls.size();
    Deliver(std::move(u), &rollback);
  }
  stats_.units_retried += retry.size();
  for (auto it = retry.rbegin(); it != retry.rend(); ++it) {
    (*it)->isolated = true;
    queue_.push_front(std::move(*it));
  }
  if (!retry.empty()) RequestFlush();
  if (culprit) {
    pending_statements_ -= culprit->calls.size();
    PgError err = *culprit->error;
    Deliver(std::move(culprit), &err);
  }
}

// ---------------------------------------------------------------------------------------
// Failures

void PgConnection::HandleLoss(const std::string& why) {
  if (state_ != State::kReady && state_ != State::kConnecting) return;
  if (state_ == State::kConnecting) {
    ConnectFailed(why);
    return;
  }
  ++stats_.connection_losses;
  LOG_WARN("database connection lost")
      .KV("error", why)
      .KV("in_flight_batches", int64_t(segments_.size()))
      .KV("retry_in_ms", backoff_ms_);
  DropSession();
  std::deque<Segment> lost;
  lost.swap(segments_);
  slots_.clear();
  state_ = State::kDown;
  ping_outstanding_ = false;
  ScheduleReconnect();
  ArmDeadlineTimer();
  PgError err = Unavailable("database connection lost (" + why +
                            "); the statement may or may not have been applied");
  for (Segment& seg : lost) {
    for (auto& u : seg.units) {
      pending_statements_ -= u->calls.size();
      Deliver(std::move(u), &err);
    }
  }
}

void PgConnection::ArmDeadlineTimer(int64_t not_before_ms) {
  if (state_ == State::kClosed) return;
  int64_t next_ms = INT64_MAX;
  for (const Segment& seg : segments_) next_ms = std::min(next_ms, seg.deadline_ms);
  if (state_ != State::kReady) {
    for (const auto& u : queue_) next_ms = std::min(next_ms, u->deadline_ms);
  }
  if (next_ms == INT64_MAX) return;
  ArmDeadlineAt(std::max(next_ms, not_before_ms));
}

void PgConnection::ArmDeadlineAt(int64_t at_ms) {
  if (state_ == State::kClosed || at_ms == INT64_MAX) return;
  // One timer at the earliest deadline; it re-arms itself for the next one when it fires, so
  // issuing work costs O(1) here and the full scan runs once per firing.
  if (deadline_timer_ != 0 && deadline_at_ms_ <= at_ms) return;
  if (deadline_timer_ != 0) reactor_->CancelTimer(deadline_timer_);
  deadline_at_ms_ = at_ms;
  deadline_timer_ = reactor_->AddTimer(std::max<int64_t>(0, at_ms - reactor_->now_ms()), [this] {
    deadline_timer_ = 0;
    OnDeadline();
  });
}

void PgConnection::OnDeadline() {
  int64_t now_ms = reactor_->now_ms();
  for (const Segment& seg : segments_) {
    if (seg.deadline_ms > now_ms) continue;
    // Something sent has not been answered in time: the server stalls or stopped answering.
    // Fail everything in flight and start over on a new session.
    ++stats_.deadline_losses;
    last_stall_ms_ = now_ms;
    HandleLoss("no answer within the " + std::to_string(opts_.deadline_ms) + " ms deadline");
    break;
  }
  if (state_ != State::kReady) ExpireQueued(now_ms);
  // Deadlines are checked at most every kDeadlineTickMs: a flood of units with distinct
  // deadlines costs one scan per tick, not one per unit.
  ArmDeadlineTimer(now_ms + kDeadlineTickMs);
}

void PgConnection::ExpireQueued(int64_t now_ms) {
  bool any = false;
  for (const auto& u : queue_) any = any || u->deadline_ms <= now_ms;
  if (!any) return;
  std::deque<std::unique_ptr<Unit>> keep;
  std::vector<std::unique_ptr<Unit>> expired;
  for (auto& u : queue_) {
    if (u->deadline_ms <= now_ms) {
      expired.push_back(std::move(u));
    } else {
      keep.push_back(std::move(u));
    }
  }
  queue_.swap(keep);
  stats_.units_expired += expired.size();
  PgError err =
      Unavailable("no database connection within " + std::to_string(opts_.deadline_ms) + " ms");
  for (auto& u : expired) {
    pending_statements_ -= u->calls.size();
    Deliver(std::move(u), &err);
  }
}

}  // namespace asobi::db
