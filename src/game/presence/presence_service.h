// PresenceService: players' presence (websocket.md §8.6 and our extensions, docs/decisions.md
// "Presence"). One instance per shard. As the *owner* shard of a player (the player
// directory's OwnerShardOf) it holds that player's presence while the player has a socket on
// this node: online since the directory saw the first socket, with the status last set by
// `presence.update` ("online" at first). Each change (online, offline, new status) is pushed as
// `presence.changed` to the player's accepted friends who are online, through the directory.
// Friends are read from `friendships` at each change, for all changes waiting on this shard in
// one statement, one statement in flight per shard (never one round trip per change).
//
// Shard affinity: every method runs on its shard's thread; cross-shard work goes through the
// mailboxes. No locks.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "db/pg_connection.h"
#include "game/directory/player_directory.h"
#include "game/game_shard.h"

namespace asobi::presence {

/// Most bytes of a status as JSON text; a longer one is refused (`invalid_payload`).
inline constexpr size_t kStatusBytesMax = 256;
/// Most changes waiting for their friends query per shard; past it a change is not pushed
/// (counted in PresenceNode::pushes_dropped).
inline constexpr size_t kWaitingMax = 100000;
/// Most changes resolved by one friends query.
inline constexpr size_t kBatchMax = 1000;

/// Node-wide counters for /metrics. Only atomics.
struct PresenceNode {
  /// Gauge: players online (held by owner shards).
  std::atomic<int64_t> online{0};
  /// Counter: presence changes whose friends were looked up and pushed.
  std::atomic<uint64_t> changes{0};
  /// Counter: friends queries (changes / queries = changes per round trip).
  std::atomic<uint64_t> queries{0};
  /// Counter: changes not pushed (queue full or the friends query failed).
  std::atomic<uint64_t> pushes_dropped{0};
  /// Gauge: changes waiting for their friends query or in it.
  std::atomic<int64_t> waiting{0};
};

/// A player's presence as seen by others: online, and the status (JSON text; empty when
/// offline).
struct Presence {
  bool online = false;
  std::string status_json;
};

/// One per shard, created (shared_ptr) by the presence domain's start-up step after the shard's
/// PlayerDirectory, freed at teardown; shard-affine.
class PresenceService : public directory::PresenceObserver {
 public:
  /// Construct on the shard's thread after its PlayerDirectory (it observes it); `db` may be
  /// null (no pushes then: friends cannot be read).
  PresenceService(PresenceNode& node, GameShard& game, directory::PlayerDirectory& dir,
                  db::PgConnection* db);
  ~PresenceService() override;
  PresenceService(const PresenceService&) = delete;
  PresenceService& operator=(const PresenceService&) = delete;

  /// The calling shard thread's service, or null.
  static PresenceService* OnThisShard();

  /// Socket side: `player_id` set its status to `status_json` (from one of its sockets on
  /// this shard). The owner stores it (ignored while the owner does not know the player
  /// online) and pushes a change; `done` then runs back on this shard. Never dropped (bounded
  /// by the sockets' request rate).
  void Update(const std::string& player_id, std::string status_json, std::function<void()> done);

  /// The presence of each of `players` (same order), gathered from their owner shards;
  /// `done` runs on this shard, never inside the call. Never dropped (REST requests).
  using QueryDone = std::function<void(std::vector<Presence>)>;
  void Query(std::vector<std::string> players, QueryDone done);

  // directory::PresenceObserver (owner side).
  void OnOnline(const std::string& player_id) override;
  void OnOffline(const std::string& player_id) override;

 private:
  struct Change {
    std::string player_id;
    bool online;
    std::string status_json;
  };
  int shard_count() const;
  // Owner side.
  void Apply(const std::string& player_id, std::string status_json);
  void Enqueue(Change c);
  void Flush();
  void Push(const std::vector<Change>& batch,
            const std::unordered_map<std::string, std::vector<std::string>>& friends);

  PresenceNode& node_;
  GameShard& game_;
  directory::PlayerDirectory& dir_;
  db::PgConnection* db_;
  std::unordered_map<std::string, std::string> status_;  // owned online players -> status
  std::deque<Change> waiting_;
  bool in_flight_ = false;
  size_t in_flight_count_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

/// The `presence.changed` frame: {"type":"presence.changed","payload":{"player_id",
/// "online","status"}} (status null when offline).
std::string PresenceChangedFrame(const std::string& player_id, bool online,
                                 const std::string& status_json);

}  // namespace asobi::presence
