// SeasonClock: runs the seasons' lifecycle on shard 0 (docs/seasons.md). At start it writes
// the configured seasons to `seasons` (ended seasons keep their row); then every `tick_ms` it
// marks seasons whose window began active, and ends those past ends_at: for each of the
// season's leaderboards it moves the standings to season_standings and empties the live board
// (LeaderboardService::Rotate with the once-only archive statement), grants the rank rewards
// of the archived standings through the ledger (GrantRankRewards, reason `season_reward`,
// idempotency key `season:<id>:<board>`), and only when all of that succeeded marks the season
// `ended`. A crash or failure in between leaves it unfinished; the next tick (after a restart
// too) repeats the steps: the archive runs once per (season, board) and repeated grants replay.
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
#include "game/season/season_config.h"
#include "game/tournament/rewards.h"
#include "reactor/reactor.h"

namespace asobi::season {

class SeasonClock {
 public:
  /// Everything passed must outlive the clock. Starts ticking at once.
  SeasonClock(Reactor& reactor, db::PgConnection& db, economy::EconomyService& economy,
              leaderboard::LeaderboardService& boards, std::shared_ptr<const SeasonList> seasons,
              int64_t tick_ms);
  ~SeasonClock();
  SeasonClock(const SeasonClock&) = delete;
  SeasonClock& operator=(const SeasonClock&) = delete;

 private:
  void Schedule();
  void Tick();
  void Upsert();
  void Finish(std::string id, std::vector<std::string> boards,
              std::vector<tournament::RewardRange> rewards);
  void Reward(const std::string& id, const std::string& board,
              const std::vector<tournament::RewardRange>& rewards, std::function<void(bool)> done);

  Reactor& reactor_;
  db::PgConnection& db_;
  economy::EconomyService& economy_;
  leaderboard::LeaderboardService& boards_;
  std::shared_ptr<const SeasonList> seasons_;
  int64_t tick_ms_;
  Reactor::TimerId timer_{};
  std::set<std::string> in_progress_;  // seasons being ended
  bool tables_ready_ = false;          // the migrations ran (kTablesReady)
  bool upserted_ = false;              // the configured seasons are in the table
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace asobi::season
