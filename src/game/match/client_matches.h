// ClientMatches: which match each socket of this shard is in (docs/match_design.md "The client
// shard tracks which match each of its authenticated sockets is in"), so match.input and
// match.leave route without asking anyone, plus the not_in_match hint limiter (websocket.md
// §5.6: at most once per 5 s per connection).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "game/client.h"

namespace asobi::match {

/// Hash of a ClientRef (index and generation).
struct ClientRefHash {
  size_t operator()(const ClientRef& r) const {
    return std::hash<uint64_t>{}((uint64_t(r.index) << 32) ^ r.gen ^ (uint64_t(r.shard) << 56));
  }
};

/// Per shard; shard-affine. Entries are removed on leave, on match end (detach batches) and on
/// disconnect.
class ClientMatches {
 public:
  /// The match `ref` is in, or null.
  const std::string* Find(const ClientRef& ref) const;
  /// Records that `ref` joined `match_id` (replaces a previous entry, local or remote).
  void Set(const ClientRef& ref, std::string match_id);
  /// Clustered nodes (issue 16): `ref` plays in `match_id`, which runs on node `node` (a proxy
  /// client stands for the player there). Replaces a previous entry.
  void SetRemote(const ClientRef& ref, std::string match_id, std::string node);
  /// The node of `ref`'s match when that match is remote, else null.
  const std::string* RemoteNodeOf(const ClientRef& ref) const;
  /// One remote entry, for the node-lost sweep.
  struct RemoteEntry {
    ClientRef ref;
    std::string match_id;
    std::string node;
  };
  /// Every remote entry (at most one per socket of this shard).
  std::vector<RemoteEntry> RemoteEntries() const;
  /// Removes the entry when it still points at `match_id` (a newer join is kept).
  void ClearIf(const ClientRef& ref, const std::string& match_id);
  /// Removes the entry (disconnect); returns the match id it held ("" if none).
  std::string Remove(const ClientRef& ref);
  /// True (and records `now_ms`) when the not_in_match hint may be sent to `ref` now.
  bool AllowHint(const ClientRef& ref, int64_t now_ms);
  /// Sockets tracked.
  size_t size() const { return match_of_.size(); }

 private:
  std::unordered_map<ClientRef, std::string, ClientRefHash> match_of_;
  std::unordered_map<ClientRef, int64_t, ClientRefHash> last_hint_ms_;
  std::unordered_map<ClientRef, std::string, ClientRefHash> remote_node_;
};

}  // namespace asobi::match
