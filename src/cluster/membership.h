// Membership: the live node set of the cluster (issue 16 items 1 and 5). Every node announces
// itself on `<prefix>.nodes` once per second (announce_interval_ms) with its id, client address
// and load; a node not heard from for expire_ms (3 s) is dropped from the set. Announcements
// whose payload is not the expected shape, or that claim this node's own id, are refused and
// counted (BusMetrics::refused).
//
// Wire shape (JSON, one object): {"node":"<id>","address":"<host:port>","load":<int>,
// "leaving":<bool, optional>, "draining":<bool, optional>}. A node that stops cleanly sends
// leaving:true once, so peers drop it at once instead of after expire_ms.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/bus.h"

namespace asobi {
class Shard;
}

namespace asobi::cluster {

/// One live peer (or this node) as last announced.
struct NodeInfo {
  std::string node_id;
  std::string address;       // host:port clients use to reach it (informational)
  int64_t load = 0;          // authenticated WebSocket sessions on that node
  int64_t last_seen_ms = 0;  // MonoMs() on this node when its last announcement arrived
  bool draining = false;     // SIGTERM drain: takes no new tickets or matches (issue 16 item 5)
};

/// How often this node announces itself, when a silent peer expires (ms), and what it says.
struct MembershipOptions {
  int64_t announce_interval_ms = 1000;
  int64_t expire_ms = 3000;
  std::string address;             // this node's host:port
  std::function<int64_t()> load;   // this node's load; any thread (atomics); null = 0
  std::function<bool()> draining;  // whether this node drains; any thread; null = never
};

/// Node-wide. Ticks on one shard (Start's `shard`, normally 0); the node set is read from any
/// thread through a mutex (held for a map copy or lookup, once per second per tick and once per
/// cross-node control message, never per client frame).
class Membership {
 public:
  /// `bus` must outlive it. Nothing happens before Start.
  Membership(Bus& bus, MembershipOptions options);
  ~Membership();

  /// Subscribes to announcements and arms the announce/expire timer on `shard`. Must be called
  /// on `shard`'s thread; Stop on the same thread before the shard stops.
  void Start(Shard& shard);
  /// Sends leaving:true (best effort), cancels the timer and unsubscribes. Same thread as Start.
  void Stop();

  /// The live nodes other than this one, sorted by id (any thread).
  std::vector<NodeInfo> Peers() const;
  /// Whether `node_id` is a live peer (announced within expire_ms). Any thread.
  bool IsLive(std::string_view node_id) const;
  /// Number of live peers (any thread).
  size_t PeerCount() const;
  /// This node's own load as it announces it (MembershipOptions::load; 0 when unset). Any
  /// thread.
  int64_t OwnLoad() const { return options_.load ? options_.load() : 0; }
  /// Whether this node drains (MembershipOptions::draining). Any thread.
  bool OwnDraining() const { return options_.draining && options_.draining(); }

  /// Parses one announcement payload (exposed for tests and the fuzz target). False when the
  /// shape is wrong: not an object, node missing/invalid token, load not an integer >= 0.
  static bool ParseAnnouncement(std::string_view payload, NodeInfo* out, bool* leaving);
  /// The announcement this node sends.
  std::string EncodeAnnouncement(bool leaving) const;

 private:
  void OnAnnouncement(std::string_view payload);
  void Tick();

  Bus& bus_;
  MembershipOptions options_;
  Shard* shard_ = nullptr;
  uint64_t timer_ = 0;
  uint64_t sub_ = 0;
  std::shared_ptr<bool> alive_;  // shard thread: cleared by Stop so a late timer does nothing
  mutable std::mutex mu_;
  std::map<std::string, NodeInfo, std::less<>> peers_;
};

}  // namespace asobi::cluster
