// Ticket: one player's (or bot's) wish to be matched in one mode (websocket.md §6, rest.md
// §3.11). Plain data; owned by the ModeQueue of the mode's owner shard.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "game/client.h"

namespace asobi::matchmaker {

/// Skill used by `skill_based` when `properties.skill` is absent or not a finite number.
inline constexpr double kDefaultSkill = 1000.0;

/// Largest `properties` value accepted, as encoded JSON bytes (ours; the spec sets no bound
/// and every queue must be bounded). Larger: `invalid_payload`.
inline constexpr size_t kTicketPropertiesBytesMax = 4096;

/// One ticket as its mode's queue holds it.
struct Ticket {
  std::string id;         ///< UUIDv7 (rest.md §1.5)
  std::string player_id;  ///< a player id, or `bot_<name>_<6 hex>` for queue-fill bots
  std::string mode;
  std::string properties_json = "{}";  ///< the client's `properties`, re-encoded JSON
  double skill = kDefaultSkill;        ///< `properties.skill` when it is a finite number
  int64_t submitted_unix_ms = 0;       ///< wire `submitted_at` (rest.md §1.6: epoch ms)
  int64_t submitted_mono_ms = 0;       ///< monotonic; wait time counts from here
  /// Sockets told about the outcome (match.matched / expired / failed). Every socket that
  /// queued or re-queued this ticket; empty for REST-only tickets and bots.
  std::vector<ClientRef> clients;
  bool bot = false;  ///< a queue-fill bot (lua.md §10): no socket, never notified
  /// Queued (or re-queued) over REST: kept when its sockets disconnect (it expires instead).
  bool via_rest = false;
  /// Clustered nodes (issue 16): the node whose sockets queued this ticket when it is not the
  /// queue's node (forwarded, socket-less; outcomes reach the player through the directory and
  /// a proxy client). Empty = this node.
  std::string origin_node = {};
  /// Clustered nodes: the node whose queue formed this ticket's group when the group is
  /// placed here for another node (PlaceRemoteGroup); the placement is reported to it.
  std::string queue_node = {};

  /// Milliseconds waited at monotonic time `now_mono_ms`.
  int64_t WaitedMs(int64_t now_mono_ms) const { return now_mono_ms - submitted_mono_ms; }
};

}  // namespace asobi::matchmaker
