#include "game/season/season_clock.h"

#include <utility>

#include "base/clock.h"
#include "base/log.h"
#include "game/season/season_sql.h"
#include "game/tournament/rank_grants.h"
#include "protocol/json_writer.h"
#include "simdjson.h"

namespace asobi::season {
namespace {

// The `ranked` column: a JSON array of board ids (anything else: no boards).
std::vector<std::string> ParseBoardList(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::vector<std::string> out;
  simdjson::dom::array items;
  if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS ||
      root.get_array().get(items) != simdjson::SUCCESS) {
    return out;
  }
  for (simdjson::dom::element item : items) {
    std::string_view id;
    if (item.get_string().get(id) == simdjson::SUCCESS && !id.empty()) out.emplace_back(id);
  }
  return out;
}

std::string SeasonsJson(const SeasonList& seasons) {
  JsonWriter w;
  w.BeginArray();
  for (const Season& s : seasons) {
    w.BeginObject();
    w.Key("id");
    w.String(s.id);
    w.Key("name");
    w.String(s.name);
    w.Key("s");
    w.Int(s.starts_at_ms);
    w.Key("e");
    w.Int(s.ends_at_ms);
    w.Key("c");
    w.Raw(s.config_json);
    w.Key("b");
    w.BeginArray();
    for (const std::string& b : s.leaderboards) w.String(b);
    w.EndArray();
    w.Key("w");
    w.Raw(s.rewards_json);
    w.EndObject();
  }
  w.EndArray();
  return w.Take();
}

}  // namespace

SeasonClock::SeasonClock(Reactor& reactor, db::PgConnection& db, economy::EconomyService& economy,
                         leaderboard::LeaderboardService& boards,
                         std::shared_ptr<const SeasonList> seasons, int64_t tick_ms)
    : reactor_(reactor),
      db_(db),
      economy_(economy),
      boards_(boards),
      seasons_(std::move(seasons)),
      tick_ms_(tick_ms) {
  Schedule();
}

SeasonClock::~SeasonClock() {
  *alive_ = false;
  reactor_.CancelTimer(timer_);
}

void SeasonClock::Schedule() {
  timer_ = reactor_.AddTimer(tick_ms_, [this, alive = alive_] {
    if (!*alive) return;
    Tick();
    Schedule();
  });
}

void SeasonClock::Upsert() {
  if (seasons_->empty()) {
    upserted_ = true;
    return;
  }
  db_.Execute(sql::kUpsert, {db::Param::Json(SeasonsJson(*seasons_)), db::Param::Int64(UnixMs())},
              [this, alive = alive_](db::DbResult<db::PgResult> r) {
                if (!*alive) return;
                if (!r.ok()) {
                  LOG_WARN("seasons not written yet").KV("error", r.error().message);
                  return;
                }
                upserted_ = true;
                LOG_INFO("seasons written").KV("count", int64_t(seasons_->size()));
              });
}

void SeasonClock::Tick() {
  if (!tables_ready_) {
    db_.Execute(sql::kTablesReady, {}, [this, alive = alive_](db::DbResult<db::PgResult> r) {
      if (*alive && r.ok() && r->rows() == 1 && r->GetString(0, 0) == "t") tables_ready_ = true;
    });
    return;
  }
  // The configured seasons reach the table before any season is ended from it.
  if (!upserted_) return Upsert();
  const int64_t now_ms = UnixMs();
  db_.Execute(sql::kActivate, {db::Param::Int64(now_ms)}, [](db::DbResult<db::PgResult> r) {
    if (!r.ok()) LOG_WARN("season activation failed").KV("error", r.error().message);
  });
  db_.Execute(
      sql::kDue, {db::Param::Int64(now_ms)}, [this, alive = alive_](db::DbResult<db::PgResult> r) {
        if (!*alive) return;
        if (!r.ok()) {
          LOG_WARN("season due check failed").KV("error", r.error().message);
          return;
        }
        for (int i = 0; i < r->rows(); ++i) {
          std::string id(r->GetString(i, 0));
          if (in_progress_.count(id) != 0) continue;
          Result<std::vector<tournament::RewardRange>> rewards =
              tournament::ParseRewards(r->GetString(i, 2));
          if (!rewards.ok()) {
            LOG_WARN("season rewards unreadable, ending without rewards").KV("season", id);
            rewards = std::vector<tournament::RewardRange>{};
          }
          in_progress_.insert(id);
          Finish(std::move(id), ParseBoardList(r->GetString(i, 1)), std::move(rewards.value()));
        }
      });
}

void SeasonClock::Finish(std::string id, std::vector<std::string> boards,
                         std::vector<tournament::RewardRange> rewards) {
  auto pending = std::make_shared<size_t>(boards.size() + 1);
  auto failed = std::make_shared<bool>(false);
  auto settle = [this, alive = alive_, id, pending, failed](bool ok) {
    if (!ok) *failed = true;
    if (--*pending != 0 || !*alive) return;
    if (*failed) return (void)in_progress_.erase(id);  // the next tick repeats the steps
    db_.Execute(sql::kFinish, {db::Param::Text(id)},
                [this, alive, id](db::DbResult<db::PgResult> r) {
                  if (!*alive) return;
                  if (r.ok()) LOG_INFO("season ended").KV("season", id);
                  in_progress_.erase(id);
                });
  };
  auto shared_rewards = std::make_shared<const std::vector<tournament::RewardRange>>(rewards);
  for (const std::string& board : boards) {
    auto archive = [id, board](db::PgConnection& db, std::function<void(Status)> archived) {
      db.Execute(sql::kArchive, {db::Param::Text(id), db::Param::Text(board)},
                 [archived = std::move(archived)](db::DbResult<db::PgResult> r) {
                   archived(r.ok() ? Status(Ok{}) : Status(MakeError("not_ready")));
                 });
    };
    boards_.Rotate(board, std::move(archive),
                   [this, alive = alive_, id, board, shared_rewards, settle](Status st) {
                     if (!*alive) return;
                     if (!st.ok()) {
                       LOG_WARN("season leaderboard not archived yet")
                           .KV("season", id)
                           .KV("leaderboard", board);
                       return settle(false);
                     }
                     Reward(id, board, *shared_rewards, settle);
                   });
  }
  settle(true);
}

void SeasonClock::Reward(const std::string& id, const std::string& board,
                         const std::vector<tournament::RewardRange>& rewards,
                         std::function<void(bool)> done) {
  int64_t deepest = tournament::DeepestRank(rewards);
  if (deepest == 0) return done(true);
  db_.Execute(sql::kRanks, {db::Param::Text(id), db::Param::Text(board), db::Param::Int64(deepest)},
              [this, alive = alive_, id, board, rewards, done](db::DbResult<db::PgResult> r) {
                if (!*alive) return;
                if (!r.ok()) return done(false);
                tournament::Standings standings;
                for (int i = 0; i < r->rows(); ++i) {
                  standings.emplace_back(std::string(r->GetString(i, 0)),
                                         r->GetInt64(i, 1).value_or(0));
                }
                tournament::GrantRankRewards(economy_, standings, rewards, "season_reward",
                                             "season:" + id + ":" + board, done);
              });
}

}  // namespace asobi::season
