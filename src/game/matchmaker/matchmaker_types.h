// Values exchanged with the matchmaker (websocket.md §6, rest.md §3.11): requests built on the
// client's shard, replies sent back to it, and the group hand-over to the match runtime.
// Plain data, copyable across shards.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "game/client.h"

namespace asobi::matchmaker {

/// What the matchmaker knows about a mode (from the mode registry, lua.md §2 and §10).
struct ModeInfo {
  std::string name;
  int match_size = 0;  ///< group size (> 0)
  int max_players = 0;
  std::string strategy = "fill";
  /// Queue-fill bots (lua.md §10): 0 = off (no `bots.script`, or `enabled = false`). Else the
  /// number of queued tickets the spawner tops a queue up to: `bots.min_players` (default
  /// match_size), capped at max_players and 64.
  int bot_target = 0;
  /// Bot names in order: the bot script's `names`, else Spark, Blitz, Volt, Neon, Pulse.
  std::vector<std::string> bot_names;
};

/// Resolves a mode name; nullopt when no game module has that name (`unknown_mode`). Must be
/// callable from any shard thread.
using ModeLookup = std::function<std::optional<ModeInfo>(const std::string& mode)>;

/// matchmaker.add / POST /matchmaker, validated on the client's shard.
struct AddRequest {
  std::string player_id;
  std::string mode;
  std::string properties_json = "{}";
  double skill = 1000.0;
  /// The socket that queued (WebSocket); nullopt for REST.
  std::optional<ClientRef> client;
  /// Clustered nodes (issue 16): the node that forwarded this request (empty = this node) and
  /// how long the ticket already waited (ms; a ticket re-forwarded after its queue's node died
  /// keeps its original wait).
  std::string origin_node = {};
  int64_t waited_ms = 0;
};

/// The `matchmaker.queued` payload (websocket.md §6.1).
struct AddReply {
  std::string ticket_id;
  int players_needed = 0;
  bool already_queued = false;
};

/// GET /matchmaker/:ticket_id (rest.md §3.11). `status` is "pending" while queued, then
/// "matched" (with match_id), "expired" or "failed" for a while after it left the queue.
struct TicketStatus {
  std::string id;
  std::string mode;
  std::string status;
  std::string properties_json;
  int64_t submitted_at_ms = 0;
  std::string match_id;  ///< "matched" only
};

/// One member of a formed group, handed to the match runtime.
struct PlacedPlayer {
  std::string player_id;
  std::vector<ClientRef> clients;  ///< sockets to attach (none for bots and REST tickets)
  bool bot = false;
};

/// Outcome of placing one group. `reason` empty = a match was created; then `joined` lists
/// the players the match accepted (in group order) and `refused` the others. Else the match
/// could not start (`match_start_failed`, `no_game_module`) and nobody was joined.
struct PlacementResult {
  std::string reason;
  std::string match_id;
  std::vector<std::string> joined;
  std::vector<std::string> refused;
};

/// The match runtime as the matchmaker sees it, one per shard: creates a match of `mode` on
/// THIS shard and joins `players` into it (no join rate limit, empty join ctx, lua.md §4),
/// then calls `done` once, on this shard. `match_id` is the id to give the match (drawn by
/// the matchmaker for this shard when seats were claimed under it), "" = a fresh one. Set by
/// the server (over match::MatchService); unit tests use fakes.
using PlaceGroup = std::function<void(const std::string& mode, const std::string& match_id,
                                      std::vector<PlacedPlayer> players,
                                      std::function<void(PlacementResult)> done)>;

/// Tells whether a player is in a live match now (node-wide). Null = never.
using InMatchCheck = std::function<bool(const std::string& player_id)>;

}  // namespace asobi::matchmaker
