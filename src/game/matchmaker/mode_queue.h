// ModeQueue: the pending tickets of one mode, on that mode's owner shard (websocket.md §6,
// lua.md §10 queue fill). Keeps submission order, one live ticket per player, and hands whole
// groups to the caller. No sockets, no timers: the Matchmaker drives it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "game/matchmaker/match_strategy.h"
#include "game/matchmaker/ticket.h"

namespace asobi::matchmaker {

/// Shard-affine (the mode's owner shard). Not thread-safe.
class ModeQueue {
 public:
  /// `group_size` = the mode's match_size (>= 1); `strategy` must outlive the queue.
  ModeQueue(std::string mode, size_t group_size, const MatchStrategy& strategy);

  /// The mode name and its group size (match_size).
  const std::string& mode() const { return mode_; }
  size_t group_size() const { return group_size_; }
  /// Pending tickets, bots included.
  size_t size() const { return tickets_.size(); }
  /// Pending tickets of real players (not bots).
  size_t humans() const { return humans_; }

  /// The pending ticket with this id / of this player, or null. Pointers stay valid until the
  /// ticket leaves the queue.
  Ticket* Find(std::string_view ticket_id);
  Ticket* FindByPlayer(std::string_view player_id);

  /// Appends `ticket` (its player must have no pending ticket here: CHECK).
  Ticket& Add(Ticket ticket);
  /// Removes and returns a pending ticket; nullopt when unknown.
  std::optional<Ticket> Remove(std::string_view ticket_id);

  /// Removes and returns the tickets that waited longer than `max_wait_ms` (oldest first).
  std::vector<Ticket> TakeExpired(int64_t now_mono_ms, int64_t max_wait_ms);

  /// Runs the strategy and removes every group it formed. A group made only of bots is never
  /// returned (bots never start a match alone, lua.md §10): its bots are dropped instead.
  /// When no human is queued, queued bots are dropped too. Each group is in the strategy's
  /// order; tickets not grouped keep their place.
  std::vector<std::vector<Ticket>> TakeGroups(int64_t now_mono_ms);

  /// Removes every bot ticket (returned, for accounting).
  std::vector<Ticket> TakeBots();

 private:
  using List = std::list<Ticket>;
  Ticket Erase(List::iterator it);

  std::string mode_;
  size_t group_size_;
  const MatchStrategy& strategy_;
  List tickets_;                                                    // oldest first
  std::unordered_map<std::string_view, List::iterator> by_id_;      // keys point into tickets
  std::unordered_map<std::string_view, List::iterator> by_player_;  // keys point into tickets
  size_t humans_ = 0;
};

}  // namespace asobi::matchmaker
