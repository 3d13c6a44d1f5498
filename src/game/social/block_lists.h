// BlockLists: the block lists of the players online on this node, in memory, for DMs (issue 11
// "DMs": no database round trip per message; docs/decisions.md "DM block lists in memory").
// A player's list (the friend_id of each friendships row player_id = player, status
// `blocked`, rest.md §3.3) lives on the player's directory owner shard
// (DirectoryNode::OwnerShardOf): loaded from PostgreSQL when the player gets its first socket
// on this node, dropped when the last one closes, and kept exact by the friends routes that
// change a row (PUT/DELETE /friends/:id) and by account erasure, which report each change to
// the owner before they answer.
//
// Shard affinity: one instance per shard; every method runs on its shard's thread. Cross-shard
// work goes through the mailboxes (SubmitReplyTo, never dropped). No locks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "game/directory/player_directory.h"

namespace asobi::db {
class PgConnection;
}

namespace asobi::social {

/// Most DM checks waiting for one player's list to load; past it a check answers kUnknown
/// (the caller asks the database, as for an offline player).
inline constexpr size_t kBlockChecksWaitingMax = 256;

/// The answer of a block check.
enum class BlockVerdict {
  kAllowed,  // the recipient's list is in memory and does not hold the sender
  kBlocked,  // it holds the sender
  kUnknown,  // no list in memory (recipient not online here, load failed, or queue full)
};

/// Clustered nodes: carries block checks and block changes to the other nodes (the cluster
/// play layer implements it over the bus, game/cluster_play; docs/decisions.md "DM block lists
/// in memory"). Node-wide, set before the shards start and cleared after they stop.
class BlockRelay {
 public:
  virtual ~BlockRelay() = default;
  /// On a shard thread: asks node `node`, which holds sockets of `recipient`, whether
  /// `recipient` blocked `sender`; when allowed that node hands `frame` (a complete dm.message
  /// envelope) to the recipient's sockets there. `done` runs on this shard with its verdict;
  /// kUnknown when it holds no list, the request could not be sent, or no reply came within
  /// the cluster's request timeout (cluster_play::kRequestTimeoutMs).
  virtual void CheckOn(const std::string& node, const std::string& sender,
                       const std::string& recipient, const std::string& frame,
                       std::function<void(BlockVerdict)> done) = 0;
  /// On a shard thread: reports a committed change of the row (player, other) to every other
  /// live node; `done` runs on this shard once each applied it (or did not answer within the
  /// request timeout).
  virtual void ReportChange(const std::string& player, const std::string& other, bool blocked,
                            std::function<void()> done) = 0;
};

/// Sets the node's relay (null to clear); any thread, before the shards start / after they
/// stop.
void SetBlockRelay(BlockRelay* relay);
/// The node's relay, or null (single node). Any thread.
BlockRelay* GetBlockRelay();

/// One per shard (shard-affine), created by the social domain after the shard's
/// PlayerDirectory; observes it for online/offline edges.
class BlockLists : public directory::PresenceObserver {
 public:
  /// Reads a player's blocked ids; calls `done` on this shard (possibly inside the call), with
  /// nullopt on failure.
  using LoadDone = std::function<void(std::optional<std::vector<std::string>>)>;
  using Loader = std::function<void(const std::string& player_id, LoadDone done)>;
  using CheckDone = std::function<void(BlockVerdict)>;

  /// `loader` reads lists (PostgreSQL in the server, see MakePgLoader). `dir` may be null (no
  /// observation: every check answers kUnknown).
  BlockLists(directory::PlayerDirectory* dir, Loader loader);
  ~BlockLists() override;
  BlockLists(const BlockLists&) = delete;
  BlockLists& operator=(const BlockLists&) = delete;

  /// The calling shard thread's instance, or null.
  static BlockLists* OnThisShard();

  /// Owner side: whether `recipient` blocked `sender`. `done` runs on this shard, inside the
  /// call when the list is in memory or absent, after the load when it is loading.
  void Check(const std::string& recipient, const std::string& sender, CheckDone done);

  /// Owner side: the row (player_id = `player`, friend_id = `other`) is now (`blocked`) or no
  /// longer blocked. Ignored when the player's list is not held here.
  void Apply(const std::string& player, const std::string& other, bool blocked);
  /// Owner side: `player` was erased; drops it from every list held here.
  void Forget(const std::string& player);

  /// From any shard thread: reports a committed change of the row (player, other) to the
  /// owner of `player`, and on clustered nodes to every other node (GetBlockRelay); `done`
  /// runs back on the calling shard once all of them applied it.
  static void ReportChange(const std::string& player, const std::string& other, bool blocked,
                           std::function<void()> done);
  /// From any shard thread: reports the erasure of `player` to every shard (each drops it
  /// from the lists it holds). Fire and forget.
  static void ReportErased(const std::string& player);

  // directory::PresenceObserver (owner side).
  void OnOnline(const std::string& player_id) override;
  void OnOffline(const std::string& player_id) override;

  /// Tests, metrics: whether `player_id`'s list is held (loaded or loading).
  bool Holds(const std::string& player_id) const { return lists_.count(player_id) > 0; }

 private:
  struct Entry {
    uint64_t gen = 0;
    bool loading = true;
    std::unordered_set<std::string> blocked;
    // While loading: changes to replay on the loaded list, and the checks waiting for it.
    std::vector<std::pair<std::string, bool>> changes;
    std::deque<std::pair<std::string, CheckDone>> waiting;
  };
  void Loaded(const std::string& player_id, uint64_t gen,
              std::optional<std::vector<std::string>> ids);

  directory::PlayerDirectory* dir_;
  Loader loader_;
  uint64_t next_gen_ = 1;
  std::unordered_map<std::string, Entry> lists_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

/// The server's loader: one SELECT on this shard's pipelined connection `db` (which must
/// outlive the loader's calls) per player coming online.
BlockLists::Loader MakePgLoader(db::PgConnection& db);

}  // namespace asobi::social
