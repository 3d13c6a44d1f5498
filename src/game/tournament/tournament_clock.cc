#include "game/tournament/tournament_clock.h"

#include <map>
#include <utility>

#include "base/json_escape.h"
#include "base/log.h"
#include "base/uuid.h"
#include "game/notification/notification_service.h"
#include "game/tournament/rank_grants.h"
#include "game/tournament/tournament_sql.h"

namespace asobi::tournament {

TournamentClock::TournamentClock(Reactor& reactor, db::PgConnection& db,
                                 economy::EconomyService& economy,
                                 leaderboard::LeaderboardService& boards, int64_t tick_ms)
    : reactor_(reactor), db_(db), economy_(economy), boards_(boards), tick_ms_(tick_ms) {
  Schedule();
}

TournamentClock::~TournamentClock() {
  *alive_ = false;
  reactor_.CancelTimer(timer_);
}

void TournamentClock::Schedule() {
  timer_ = reactor_.AddTimer(tick_ms_, [this, alive = alive_] {
    if (!*alive) return;
    Tick();
    Schedule();
  });
}

void TournamentClock::Tick() {
  if (!tables_ready_) {
    db_.Execute(sql::kTablesReady, {}, [this, alive = alive_](db::DbResult<db::PgResult> r) {
      if (*alive && r.ok() && r->rows() == 1 && r->GetString(0, 0) == "t") tables_ready_ = true;
    });
    return;
  }
  db_.Execute(sql::kActivate, {}, [](db::DbResult<db::PgResult> r) {
    if (!r.ok()) LOG_WARN("tournament activation failed").KV("error", r.error().message);
  });
  db_.Execute(sql::kDue, {}, [this, alive = alive_](db::DbResult<db::PgResult> r) {
    if (!*alive) return;
    if (!r.ok()) {
      LOG_WARN("tournament due check failed").KV("error", r.error().message);
      return;
    }
    for (int i = 0; i < r->rows(); ++i) {
      std::string id(r->GetString(i, 0));
      if (in_progress_.count(id) != 0) continue;
      Result<std::vector<RewardRange>> rewards = ParseRewards(r->GetString(i, 2));
      if (!rewards.ok()) {
        LOG_WARN("tournament rewards unreadable, finishing without rewards").KV("tournament", id);
        rewards = std::vector<RewardRange>{};
      }
      in_progress_.insert(id);
      Finish(std::move(id), std::string(r->GetString(i, 1)), std::move(rewards.value()));
    }
  });
}

void TournamentClock::Finish(std::string id, std::string board, std::vector<RewardRange> rewards) {
  int64_t deepest = DeepestRank(rewards);
  if (deepest == 0) return MarkFinished(id);
  // The board's latest scores must be in the table before it is ranked there.
  boards_.Flush(board, [this, alive = alive_, id, board, deepest,
                        rewards = std::move(rewards)](Status flushed) mutable {
    if (!*alive) return;
    if (!flushed.ok()) {
      in_progress_.erase(id);  // next tick retries
      return;
    }
    db_.Execute(
        sql::kStandings, {db::Param::Uuid(id), db::Param::Text(board), db::Param::Int64(deepest)},
        [this, alive, id, rewards = std::move(rewards)](db::DbResult<db::PgResult> r) {
          if (!*alive) return;
          if (!r.ok()) {
            in_progress_.erase(id);
            return;
          }
          Standings standings;
          for (int i = 0; i < r->rows(); ++i) {
            standings.emplace_back(std::string(r->GetString(i, 0)), r->GetInt64(i, 1).value_or(0));
          }
          Grant(id, std::move(standings), std::move(rewards));
        });
  });
}

void TournamentClock::Grant(const std::string& id, Standings standings,
                            std::vector<RewardRange> rewards) {
  // One notification per rewarded player: {"tournament_id", "rank", "rewards": {cur: n}},
  // stored by the statement that marks the tournament finished (exactly once).
  std::string notes = "[";
  for (const auto& [player, rank] : standings) {
    std::map<std::string, int64_t> earned = RewardsFor(rewards, rank);
    if (earned.empty()) continue;
    if (notes.size() > 1) notes += ',';
    notes += "{\"id\":\"" + NewUuidV7() + "\",\"p\":";
    AppendJsonString(&notes, player);
    notes += ",\"content\":{\"tournament_id\":\"" + id + "\",\"rank\":" + std::to_string(rank) +
             ",\"rewards\":{";
    bool first = true;
    for (const auto& [currency, amount] : earned) {
      if (!first) notes += ',';
      first = false;
      AppendJsonString(&notes, currency);
      notes += ':' + std::to_string(amount);
    }
    notes += "}}}";
  }
  notes += "]";
  GrantRankRewards(economy_, standings, rewards, "tournament_reward", "tournament:" + id,
                   [this, alive = alive_, id, notes = std::move(notes)](bool all_granted) {
                     if (!*alive) return;
                     // Unfinished: the next tick grants again (replays where done).
                     if (!all_granted) return (void)in_progress_.erase(id);
                     MarkFinished(id, notes);
                   });
}

void TournamentClock::MarkFinished(const std::string& id, std::string notes_json) {
  db_.Execute(
      sql::kFinishAndNotify, {db::Param::Uuid(id), db::Param::Json(notes_json)},
      [this, alive = alive_, id](db::DbResult<db::PgResult> r) {
        if (!*alive) return;
        in_progress_.erase(id);
        if (!r.ok()) return;  // still unfinished: the next tick runs it again
        std::vector<notification::StoredNotification> rows;
        for (int i = 0; i < r->rows(); ++i) {
          rows.push_back({std::string(r->GetString(i, 0)), std::string(r->GetString(i, 1))});
        }
        if (auto* n = notification::NotificationService::OnThisShard()) n->PushStored(rows);
      });
}

}  // namespace asobi::tournament
