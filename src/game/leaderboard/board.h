// Board: one live leaderboard held by its owner shard (rest.md §3.7; DECISIONS.md REST 4):
// each player's score and update time, the OrderedIndex ranking them, and the set of entries
// changed since the last flush to `leaderboard_entries`.
//
// Not thread-safe: owned by the board's owner shard (LeaderboardService).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "game/leaderboard/ordered_index.h"

namespace asobi::leaderboard {

/// Scores are clamped to ±kMaxScore (2^53: every score survives a JSON round trip through an
/// SDK exactly); `incr` saturates there (docs/decisions.md "Leaderboards").
inline constexpr int64_t kMaxScore = int64_t(1) << 53;

/// How a submit combines with the stored score (DECISIONS.md REST 4; default kBest).
enum class SubmitOp { kBest, kSet, kIncr };

/// Parses "best" / "set" / "incr".
std::optional<SubmitOp> ParseSubmitOp(std::string_view s);

/// One ranked row.
struct RankedEntry {
  std::string player_id;
  int64_t score = 0;
  int64_t rank = 0;           // 1-based
  int64_t updated_at_ms = 0;  // Unix ms of the last change
};

/// One row to write to `leaderboard_entries`.
struct DirtyRow {
  std::string player_id;
  int64_t score = 0;
  int64_t updated_at_ms = 0;
};

/// Owned by its owner shard's LeaderboardService; shard-affine.
class Board {
 public:
  /// Sets a stored row while hydrating (not dirty). Replaces an existing entry.
  void Load(std::string_view player_id, int64_t score, int64_t updated_at_ms);
  /// Applies a submit at `now_ms` and returns the player's entry after it. `score` is clamped
  /// to ±kMaxScore. A `best` submit that does not beat the stored score changes nothing (the
  /// stored entry is returned, not marked dirty).
  RankedEntry Submit(std::string_view player_id, int64_t score, SubmitOp op, int64_t now_ms);

  /// The first `count` entries by rank.
  std::vector<RankedEntry> Top(size_t count) const;
  /// Up to `range` entries above the player, the player, up to `range` below; empty when the
  /// player has no entry.
  std::vector<RankedEntry> Around(std::string_view player_id, size_t range) const;
  /// The player's entry, or nullopt.
  std::optional<RankedEntry> Find(std::string_view player_id) const;
  /// Removes the player (erasure); false when absent.
  bool Remove(std::string_view player_id);

  /// Takes up to `max_rows` changed entries (their current values) and clears their marks.
  std::vector<DirtyRow> TakeDirty(size_t max_rows);
  /// Marks players changed again (a flush of their rows failed).
  void MarkDirty(const std::vector<DirtyRow>& rows);
  /// Entries changed since their last flush / entries held.
  size_t dirty_count() const { return dirty_.size(); }
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    int64_t score = 0;
    int64_t updated_at_ms = 0;
  };
  RankedEntry At(size_t pos) const;

  std::unordered_map<std::string, Entry> entries_;
  OrderedIndex index_;
  std::unordered_set<std::string> dirty_;
};

}  // namespace asobi::leaderboard
