// HydrateCursor: where a board's hydration stands in its stored rows (docs/decisions.md
// "Leaderboards: hydration in pages", "hydration in rank order"). A board loads from
// `leaderboard_entries` one keyset page at a time, in rank order (score descending, then player
// id: the index (leaderboard_id, score DESC, player_id)), so every row loaded lands after the
// previous one in the board's ranking (the cheap end of the treap): each page is
// one round trip of at most `chunk_rows` rows, and the next page is issued only once the
// previous one is loaded, so the other queries of the shard's pipelined connection run in
// between instead of waiting behind the whole board.
//
// A plain value; used by the owner shard's LeaderboardService only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "db/pg_param.h"
#include "db/statement.h"

namespace asobi::leaderboard {

/// Rows per hydration page: one round trip of ~10 ms of database time, which is what an
/// unrelated query of the shard may wait behind (bench/README.md "hydrating a big board").
inline constexpr size_t kHydrateChunkRows = 2500;

class HydrateCursor {
 public:
  /// `chunk_rows` >= 1 rows per page.
  explicit HydrateCursor(size_t chunk_rows = kHydrateChunkRows)
      : chunk_rows_(chunk_rows < 1 ? 1 : chunk_rows) {}

  /// The statement of the next page: the first page, or the page after the last key read.
  const db::Statement& statement() const;
  /// Its parameters for `board_id`.
  std::vector<db::Param> Params(const std::string& board_id) const;
  /// Records a page of `rows` rows whose last key (in rank order) is (`last_score`,
  /// `last_player`). Returns true when another page may follow (the page was full), false when
  /// the board is loaded.
  bool Advance(size_t rows, int64_t last_score, std::string_view last_player);

  /// True once a page shorter than chunk_rows arrived.
  bool done() const { return done_; }
  /// Rows and pages read so far.
  size_t rows() const { return rows_; }
  size_t pages() const { return pages_; }
  /// The last player id read (empty before the first page).
  const std::string& after() const { return after_; }
  /// The last score read (0 before the first page).
  int64_t after_score() const { return after_score_; }
  size_t chunk_rows() const { return chunk_rows_; }

 private:
  size_t chunk_rows_;
  std::string after_;
  int64_t after_score_ = 0;
  bool started_ = false;
  bool done_ = false;
  size_t rows_ = 0;
  size_t pages_ = 0;
};

}  // namespace asobi::leaderboard
