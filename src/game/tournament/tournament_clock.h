// TournamentClock: runs tournaments' lifecycle on one shard (shard 0): every `tick_ms` it flips
// pending tournaments whose start_at passed to `active`, and finishes those past end_at:
// flushes the tournament's leaderboard, ranks its participants on it (score desc, player id
// asc), grants each rank's rewards through the ledger (EconomyService::Grant, reason
// `tournament_reward`, idempotency key `tournament:<id>`), and only when every grant succeeded
// (or was a replay) marks the tournament `finished`. A crash or a failed grant leaves it
// unfinished; the next tick (after a restart too) runs it again and the idempotency keys make
// the repeated grants replays, so every reward is credited exactly once. Each rewarded player
// gets one `tournament_reward` notification, stored by the statement that marks the
// tournament finished (so exactly once too) and pushed live as `notification.new`.
//
// Shard-affine: construct, use and destroy on its shard's thread.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "db/pg_connection.h"
#include "game/economy/economy_service.h"
#include "game/leaderboard/leaderboard_service.h"
#include "game/tournament/rank_grants.h"
#include "game/tournament/rewards.h"
#include "reactor/reactor.h"

namespace asobi::tournament {

/// Created (shared_ptr) by the tournament domain's start-up step on shard 0; uses that shard's
/// PgConnection, EconomyService and LeaderboardService.
class TournamentClock {
 public:
  /// Everything passed must outlive the clock. Starts ticking at once.
  TournamentClock(Reactor& reactor, db::PgConnection& db, economy::EconomyService& economy,
                  leaderboard::LeaderboardService& boards, int64_t tick_ms);
  ~TournamentClock();
  TournamentClock(const TournamentClock&) = delete;
  TournamentClock& operator=(const TournamentClock&) = delete;

 private:
  void Schedule();
  void Tick();
  void Finish(std::string id, std::string board, std::vector<RewardRange> rewards);
  void Grant(const std::string& id, Standings standings, std::vector<RewardRange> rewards);
  // Finishes `id`, storing the reward notifications `notes_json` (kFinishAndNotify) in the
  // same statement, then pushes them live.
  void MarkFinished(const std::string& id, std::string notes_json = "[]");

  Reactor& reactor_;
  db::PgConnection& db_;
  economy::EconomyService& economy_;
  leaderboard::LeaderboardService& boards_;
  int64_t tick_ms_;
  Reactor::TimerId timer_{};
  std::set<std::string> in_progress_;  // tournaments being finished
  bool tables_ready_ = false;          // the migrations ran (kTablesReady)
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace asobi::tournament
