// WriteQueue: group commit for the economy's write units on one shard's PostgreSQL connection.
//
// Why: PgConnection sends what a loop turn queued as one pipeline batch (one implicit
// transaction, one commit), and PostgreSQL runs a connection's batches one after another. Under
// load, requests arrive spread over many turns, so writes went out as many one-unit batches,
// each paying its own commit and WAL flush in sequence (~8 ms each on the dev machine):
// 64 concurrent purchasers got ~170 purchases/s. Here at most one batch of economy writes is in
// flight per shard; units submitted meanwhile wait and go out together as the next batch, so
// the batch grows with the load and one WAL flush covers all of it.
//
// Lock order: a waiting batch is issued sorted by each unit's `order_key` (the wallet or item it
// locks), so batches of two shards lock rows in the same order and do not deadlock each other.
//
// Bound: at most Options::max_waiting units wait; past it Submit fails the unit at once with
// `db_overloaded` (the callers answer 503 `not_ready` / `{error = "not_ready"}`), posted to the
// next turn. Waiting adds at most one batch's time to a unit (bounded by the connection's
// deadline). Shard-affine; callbacks run on the shard, never inside Submit.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "db/pg_connection.h"
#include "reactor/reactor.h"

namespace asobi::economy {

/// One per shard, owned by EconomyService; shard-affine. `db` and `reactor` are the shard's.
class WriteQueue {
 public:
  /// Bound on waiting units; Submit past it fails the unit with db_overloaded (next turn).
  struct Options {
    size_t max_waiting = 4096;  // units waiting for the in-flight batch
  };

  /// `reactor` and `db` must outlive the queue.
  WriteQueue(Reactor& reactor, db::PgConnection& db, Options options);
  /// Fails the waiting units with `db_unavailable` (their callbacks run here). Units already in
  /// flight complete through the connection as usual.
  ~WriteQueue();
  WriteQueue(const WriteQueue&) = delete;
  WriteQueue& operator=(const WriteQueue&) = delete;

  /// Runs `calls` as one transaction unit (PgConnection::ExecuteTransaction): at once when no
  /// batch of this queue is in flight, else with the next batch.
  void Submit(std::string order_key, std::vector<db::StatementCall> calls, db::TxCallback cb);

  /// Units waiting for the next batch / units in the batch in flight.
  size_t waiting() const;
  size_t in_flight() const;
  /// Batches issued so far (tests, benchmarks).
  uint64_t batches() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace asobi::economy
