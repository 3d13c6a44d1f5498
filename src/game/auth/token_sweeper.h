// TokenSweeper: deletes expired player_tokens rows (rest.md §2.2 lifetimes: access rows older
// than 60 minutes, refresh rows older than 30 days, used or not) so the table does not grow
// forever (docs/decisions.md "Expired token rows"). One shard runs it, every interval_ms, in
// batches of batch_rows with at most batches_per_run batches per run, so one run's work and
// lock footprint stay bounded; the rest waits for the next run. Shard-affine.
#pragma once

#include <cstdint>
#include <memory>

#include "db/pg_connection.h"
#include "reactor/reactor.h"

namespace asobi {

/// Owned by the database wiring of the one shard that runs it.
class TokenSweeper {
 public:
  /// Run period (ms), rows deleted per batch, and batches per run.
  struct Options {
    int64_t interval_ms = 600000;
    int64_t batch_rows = 1000;
    int batches_per_run = 10;
  };
  /// Counters since construction (this shard's thread).
  struct Stats {
    int64_t runs = 0;      // runs finished
    int64_t deleted = 0;   // rows deleted
    int64_t failures = 0;  // batches that failed (database down, timeout)
    int64_t last_run_rows = 0;
  };

  /// Schedules the first run interval_ms from now. `reactor` and `db` must outlive it.
  TokenSweeper(Reactor& reactor, db::PgConnection& db, Options opts);
  /// Cancels the timer; a batch in flight finishes without touching this object.
  ~TokenSweeper();
  TokenSweeper(const TokenSweeper&) = delete;
  TokenSweeper& operator=(const TokenSweeper&) = delete;

  /// Starts a run now unless one is running (tests, ops).
  void SweepNow();
  /// Counters since construction.
  const Stats& stats() const { return stats_; }

 private:
  void Schedule();
  void Batch(int index);
  void Finish();

  Reactor& reactor_;
  db::PgConnection& db_;
  Options opts_;
  Stats stats_;
  bool running_ = false;
  Reactor::TimerId timer_ = 0;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace asobi
