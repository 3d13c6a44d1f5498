// PlayerDirectory: the node-wide map from a player to the addresses of all of that player's
// authenticated sockets (issue 11 item 1; ARCHITECTURE.md "a player is addressed as (node,
// shard, connection)"). Each player's entry lives on its owner shard OwnerShardOf(player_id),
// kept there by messages from the sockets' shards on authentication and close (mailboxes, no
// locks). Anything addressed to a *player* (matchmaker outcomes, DMs, revocation...) goes to
// the owner, which forwards it to each shard holding one of the player's sockets.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/shared_buffer.h"
#include "game/client.h"

namespace asobi {
class Shard;
struct GameShard;
}  // namespace asobi

namespace asobi::directory {

/// Where one socket of a player lives: node (always 0 until multi-node), shard, connection.
struct PlayerAddress {
  int node = 0;
  ClientRef client;
};

class PlayerDirectory;

/// Owner side: told when a player gains its first socket on this node or loses its last one
/// (presence, game/presence). Called on the owner shard's thread, inside the update.
class PresenceObserver {
 public:
  virtual ~PresenceObserver() = default;
  /// The player's first socket authenticated / last socket closed (node-wide, not per shard).
  virtual void OnOnline(const std::string& player_id) = 0;
  virtual void OnOffline(const std::string& player_id) = 0;
};

/// Node-wide: the per-shard directories (set once per shard at start-up) and counters read by
/// /metrics. Shared by every shard; only atomics.
class DirectoryNode {
 public:
  static constexpr int kMaxShards = 1024;
  /// The shard owning `player_id`'s entry (FNV-1a of the id, modulo `shard_count`).
  static int OwnerShardOf(std::string_view player_id, int shard_count);
  /// Publishes `d` as shard `shard`'s directory (its own thread, at start-up; null at
  /// teardown). A task submitted to shard `s` finds it with OnShard(s) on that thread.
  void Attach(int shard, PlayerDirectory* d) {
    shards_[size_t(shard)].store(d, std::memory_order_release);
  }
  /// Shard `shard`'s directory, or null before Attach / after teardown; call on that shard.
  PlayerDirectory* OnShard(int shard) const {
    return shards_[size_t(shard)].load(std::memory_order_acquire);
  }

  /// Gauge: socket addresses held by all owner shards.
  std::atomic<int64_t> entries{0};
  /// Counter: frames for a player dropped because a mailbox on the way was full.
  std::atomic<uint64_t> frames_dropped{0};
  /// Counter: frames handed to a player's socket through the directory.
  std::atomic<uint64_t> frames_delivered{0};

 private:
  std::array<std::atomic<PlayerDirectory*>, kMaxShards> shards_{};
};

/// One per shard; every method runs on that shard's thread.
class PlayerDirectory {
 public:
  /// Construct on the shard's own thread: becomes its OnThisShard() and Attach()es to `node`.
  /// `node` and `game` must outlive it.
  PlayerDirectory(DirectoryNode& node, GameShard& game);
  ~PlayerDirectory();
  PlayerDirectory(const PlayerDirectory&) = delete;
  PlayerDirectory& operator=(const PlayerDirectory&) = delete;

  /// The directory of the calling shard thread, or null (no directory registered).
  static PlayerDirectory* OnThisShard();

  /// Socket side: `client` (of this shard) authenticated; registers it with the owner of its
  /// player (a re-authentication as another player moves the registration).
  void OnAuthenticated(Client& client);
  /// Socket side: `client` (of this shard) closed; unregisters it.
  void OnClosed(Client& client);

  /// Sends the text frame `json` (a complete envelope) to every socket of `player_id` on
  /// every shard. Returns at once. `reliable`: the hops use SubmitReplyTo and are never
  /// dropped (only for traffic bounded by admitted work: matchmaker outcomes, revocations);
  /// otherwise a full mailbox drops the frame and counts it in frames_dropped.
  void SendToPlayer(std::string_view player_id, std::string_view json, bool reliable);
  /// SendToPlayer for a frame that came from another node (cluster_directory.h): this node's
  /// sockets only, never published again.
  void SendToLocalSockets(std::string_view player_id, std::string_view json);

  /// Runs `fn` on each of this node's sockets of `player_id`, on the socket's shard (hops:
  /// this shard -> the player's owner shard -> each socket shard, in order, so calls for one
  /// player keep their order). A full mailbox drops the call for that hop (frames_dropped).
  /// Clustered nodes: proxied match frames (game/cluster_play).
  void RunOnLocalSockets(std::string_view player_id, std::function<void(Client&)> fn);

  /// Owner side, clustered nodes only: `node` reports that `player_id` gained its first
  /// (`online`) or lost its last socket there; sends to the player then also go to that node.
  void ApplyRemotePresence(const std::string& player_id, const std::string& node, bool online);
  /// Owner side, clustered nodes only: the other nodes known to hold sockets of `player_id`
  /// (presence edges, in the order they came online; may name a node that expired since).
  /// Empty when none is known.
  std::vector<std::string> RemoteNodes(const std::string& player_id) const {
    auto it = remote_.find(player_id);
    return it == remote_.end() ? std::vector<std::string>() : it->second;
  }

  /// The addresses of the sockets of each of `players` (same order), gathered from their
  /// owner shards; `done` runs on this shard. Never dropped (SubmitReplyTo); for bounded
  /// control work (matchmaker placement), not per message.
  using LookupDone = std::function<void(std::vector<std::vector<ClientRef>>)>;
  void Lookup(std::vector<std::string> players, LookupDone done);

  /// Owner side (tests, metrics): addresses of `player_id` held here.
  std::vector<ClientRef> AddressesOf(const std::string& player_id) const;

  /// Sends the text frame `json` to every socket of each of `players` (fan-out: one hop per
  /// owner shard, then one per shard holding sockets; a full mailbox drops the frame for
  /// that hop, counted in frames_dropped).
  void SendToPlayers(const std::vector<std::string>& players, std::string_view json);

  /// Owner side: adds an observer told of online/offline edges of the players owned here
  /// (presence, DM block lists). Call on this shard's thread; remove it before it goes away.
  void AddPresenceObserver(PresenceObserver* o) { observers_.push_back(o); }
  /// Removes an observer added with AddPresenceObserver (no-op when absent).
  void RemovePresenceObserver(PresenceObserver* o) {
    observers_.erase(std::remove(observers_.begin(), observers_.end(), o), observers_.end());
  }

 private:
  struct RefHash {
    size_t operator()(const ClientRef& r) const {
      return std::hash<uint64_t>()((uint64_t(uint32_t(r.shard)) << 48) ^ (uint64_t(r.index) << 20) ^
                                   r.gen);
    }
  };
  struct RefEq {
    bool operator()(const ClientRef& a, const ClientRef& b) const { return a == b; }
  };

  int shard_count() const;
  void Submit(int to, bool reliable, std::function<void()> fn);
  // Owner side.
  void Add(const std::string& player_id, const ClientRef& ref);
  void Remove(const std::string& player_id, const ClientRef& ref);
  void Forward(const std::string& player_id, const SharedBuffer& json, bool reliable,
               bool from_cluster = false);
  // Owner side, clustered: publishes the frame to the nodes holding the player's other sockets,
  // or to every node when none is known and this node has none either.
  void ForwardToNodes(const std::string& player_id, const SharedBuffer& json, bool has_local);
  // Socket side.
  void Deliver(const std::vector<ClientRef>& refs, const SharedBuffer& json);
  void RunOnOwner(const std::string& player_id, const std::function<void(Client&)>& fn);

  DirectoryNode& node_;
  GameShard& game_;
  // Owner side: player -> addresses. `removed_early_` holds refs whose removal overtook their
  // addition (possible only when a mailbox overflowed), so the late addition is discarded.
  std::unordered_map<std::string, std::vector<PlayerAddress>> owned_;
  std::unordered_set<ClientRef, RefHash, RefEq> removed_early_;
  // Socket side: the player each local socket is registered under.
  std::unordered_map<ClientRef, std::string, RefHash, RefEq> local_;
  std::vector<PresenceObserver*> observers_;
  // Owner side, clustered: the other nodes where each player has sockets (from their presence
  // events); a node that stopped announcing is dropped when next used.
  std::unordered_map<std::string, std::vector<std::string>> remote_;
};

}  // namespace asobi::directory
