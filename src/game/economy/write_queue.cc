#include "game/economy/write_queue.h"

#include <algorithm>
#include <deque>
#include <utility>

namespace asobi::economy {

struct WriteQueue::State {
  struct Unit {
    std::string order_key;
    std::vector<db::StatementCall> calls;
    db::TxCallback cb;
  };
  Reactor* reactor;
  db::PgConnection* db;
  Options options;
  std::deque<Unit> waiting;
  size_t in_flight = 0;
  uint64_t batches = 0;
  bool closed = false;  // the queue was destroyed: issue nothing more

  // Issues every waiting unit, sorted by key, as this turn's batch.
  static void IssueWaiting(const std::shared_ptr<State>& s) {
    if (s->closed || s->waiting.empty()) return;
    std::vector<Unit> batch(std::make_move_iterator(s->waiting.begin()),
                            std::make_move_iterator(s->waiting.end()));
    s->waiting.clear();
    std::stable_sort(batch.begin(), batch.end(),
                     [](const Unit& a, const Unit& b) { return a.order_key < b.order_key; });
    ++s->batches;
    for (Unit& u : batch) Issue(s, std::move(u.calls), std::move(u.cb));
  }

  static void Issue(const std::shared_ptr<State>& s, std::vector<db::StatementCall> calls,
                    db::TxCallback cb) {
    ++s->in_flight;
    s->db->ExecuteTransaction(
        std::move(calls),
        [s, cb = std::move(cb)](db::DbResult<std::vector<db::PgResult>> r) mutable {
          --s->in_flight;
          cb(std::move(r));
          if (s->in_flight == 0) IssueWaiting(s);
        });
  }
};

WriteQueue::WriteQueue(Reactor& reactor, db::PgConnection& db, Options options)
    : state_(std::make_shared<State>()) {
  state_->reactor = &reactor;
  state_->db = &db;
  state_->options = options;
}

WriteQueue::~WriteQueue() {
  state_->closed = true;
  std::deque<State::Unit> waiting;
  waiting.swap(state_->waiting);
  for (State::Unit& u : waiting) {
    u.cb(db::PgError{std::string(db::kDbUnavailable), "", "economy shutting down", ""});
  }
}

void WriteQueue::Submit(std::string order_key, std::vector<db::StatementCall> calls,
                        db::TxCallback cb) {
  State& s = *state_;
  if (s.in_flight == 0 && s.waiting.empty()) {
    ++s.batches;
    return State::Issue(state_, std::move(calls), std::move(cb));
  }
  if (s.waiting.size() >= s.options.max_waiting) {
    s.reactor->Post([cb = std::move(cb)]() mutable {
      cb(db::PgError{std::string(db::kDbOverloaded), "", "economy write queue full", ""});
    });
    return;
  }
  s.waiting.push_back({std::move(order_key), std::move(calls), std::move(cb)});
}

size_t WriteQueue::waiting() const { return state_->waiting.size(); }
size_t WriteQueue::in_flight() const { return state_->in_flight; }
uint64_t WriteQueue::batches() const { return state_->batches; }

}  // namespace asobi::economy
