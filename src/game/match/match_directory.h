// MatchDirectory: node-wide listing of live matches (websocket.md §5.1 match.list, §5.2
// quick-play candidates, rest.md §3.11 /matches/live). Owners update their matches' entries on
// every change of roster size, status or joinability; readers on any shard query it.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "game/match/match_types.h"

namespace asobi::match {

/// Thread-safe (one mutex; updates happen on joins/leaves/status changes, not per tick).
class MatchDirectory {
 public:
  /// Inserts or replaces the entry of `l.match_id`.
  void Upsert(const MatchListing& l);
  /// Drops the entry (no-op when absent).
  void Remove(const std::string& match_id);

  /// Listed matches in waiting/running that pass `filter` (websocket.md §5.1). Unordered.
  std::vector<MatchListing> List(const ListFilter& filter) const;
  /// The fullest joinable waiting/running match of `mode` (listed or not) with room, skipping
  /// ids in `exclude`; nullopt when none (websocket.md §5.2).
  std::optional<MatchListing> BestQuickPlay(const std::string& mode,
                                            const std::unordered_set<std::string>& exclude) const;
  /// Entries listed.
  size_t size() const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, MatchListing> entries_;
};

}  // namespace asobi::match
