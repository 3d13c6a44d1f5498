#include "game/leaderboard/hydrate_cursor.h"

#include "game/leaderboard/leaderboard_sql.h"

namespace asobi::leaderboard {

const db::Statement& HydrateCursor::statement() const {
  return started_ ? sql::kHydrateAfter : sql::kHydrateFirst;
}

std::vector<db::Param> HydrateCursor::Params(const std::string& board_id) const {
  std::vector<db::Param> p;
  p.push_back(db::Param::Text(board_id));
  if (started_) {
    p.push_back(db::Param::Int64(after_score_));
    p.push_back(db::Param::Uuid(after_));
  }
  p.push_back(db::Param::Int32(int32_t(chunk_rows_)));
  return p;
}

bool HydrateCursor::Advance(size_t rows, int64_t last_score, std::string_view last_player) {
  ++pages_;
  rows_ += rows;
  if (rows > 0) {
    after_.assign(last_player);
    after_score_ = last_score;
    started_ = true;
  }
  done_ = rows < chunk_rows_;
  return !done_;
}

}  // namespace asobi::leaderboard
