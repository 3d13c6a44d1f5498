#include "game/auth/token_sweeper.h"

#include "base/log.h"

namespace asobi {
namespace {

// The oldest rows first (player_tokens_inserted_at_index); refresh rows live 30 days.
const db::Statement kSweepTokens(
    "acct_sweep_tokens",
    "DELETE FROM player_tokens WHERE id IN (SELECT id FROM player_tokens "
    "WHERE inserted_at < now() - interval '60 minutes' "
    "AND (context <> 'refresh' OR inserted_at < now() - interval '30 days') "
    "ORDER BY inserted_at LIMIT $1)",
    {db::PgType::kInt8});

}  // namespace

TokenSweeper::TokenSweeper(Reactor& reactor, db::PgConnection& db, Options opts)
    : reactor_(reactor), db_(db), opts_(opts) {
  Schedule();
}

TokenSweeper::~TokenSweeper() {
  if (timer_ != 0) reactor_.CancelTimer(timer_);
}

void TokenSweeper::Schedule() {
  if (opts_.interval_ms <= 0) return;
  timer_ = reactor_.AddTimer(opts_.interval_ms, [this] {
    timer_ = 0;
    SweepNow();
  });
}

void TokenSweeper::SweepNow() {
  if (running_) return;
  if (timer_ != 0) reactor_.CancelTimer(timer_);
  timer_ = 0;
  running_ = true;
  stats_.last_run_rows = 0;
  Batch(0);
}

void TokenSweeper::Batch(int index) {
  std::weak_ptr<int> alive = alive_;
  db_.Execute(kSweepTokens, {db::Param::Int64(opts_.batch_rows)},
              [this, alive, index](db::DbResult<db::PgResult> r) {
                if (alive.expired()) return;
                if (!r.ok()) {
                  ++stats_.failures;
                  LOG_WARN("token sweep failed").KV("error", r.error().message);
                  return Finish();
                }
                int64_t n = r->affected_rows();
                stats_.deleted += n;
                stats_.last_run_rows += n;
                // A full batch means more may be left: go on, up to the per-run bound.
                if (n >= opts_.batch_rows && index + 1 < opts_.batches_per_run) {
                  return Batch(index + 1);
                }
                Finish();
              });
}

void TokenSweeper::Finish() {
  running_ = false;
  ++stats_.runs;
  if (stats_.last_run_rows > 0) {
    LOG_INFO("expired tokens swept").KV("rows", stats_.last_run_rows);
  }
  Schedule();
}

}  // namespace asobi
