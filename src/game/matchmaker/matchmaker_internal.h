// Private pieces of Matchmaker shared by its .cc files (not a public header).
#pragma once

#include <optional>
#include <string>

#include "game/matchmaker/matchmaker.h"

namespace asobi::matchmaker {

/// A mode queue this shard owns: the mode's settings and its pending tickets.
struct Matchmaker::OwnedQueue {
  OwnedQueue(ModeInfo mode_info, const MatchStrategy& strategy)
      : info(std::move(mode_info)), queue(info.name, size_t(info.match_size), strategy) {}
  ModeInfo info;
  ModeQueue queue;
  bool dirty = false;  // tickets arrived since the last pass
};

/// A ticket that left the queue (matched, expired, failed), kept for GET for a while.
struct Matchmaker::Resolved {
  TicketStatus status;
  std::string player_id;
  int64_t drop_at_ms = 0;
  /// Clustered: the ticket as it left the queue in a group placed on another node, kept until
  /// that node reports (a kRequeue report puts it back).
  std::optional<Ticket> sent;
};

/// `queue_shard` of a group formed by another node's queue (Matchmaker::PlaceRemoteGroup).
inline constexpr int kRemoteQueue = -1;

/// Shard-local key of a ClientRef (index and generation).
inline uint64_t RefKey(const ClientRef& ref) { return (uint64_t(ref.index) << 32) | ref.gen; }

}  // namespace asobi::matchmaker
