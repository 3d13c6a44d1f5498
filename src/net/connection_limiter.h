// ConnectionLimiter: node-wide caps on concurrent TCP connections, checked at accept: one per
// client address and one for the whole node. Shared by every shard's listener (SO_REUSEPORT
// spreads one address over all shards, so per-shard counts would not do) and lock-free: the
// accept path is a few relaxed atomic additions.
//
// Per-address counts live in a count-min sketch: kRows rows of kWidth atomic counters, each
// row indexed by its own keyed hash of the address. Admitting adds one in every row; the
// estimate is the smallest of the row counters. A hash collision only adds other addresses'
// connections to a counter, so it can only make the cap stricter, never looser; with 4 rows
// of 16,384 an address is refused early only when it collides in all four rows with
// addresses that together hold the cap. The hash key is random per process, so collisions
// cannot be planned offline. Two shards admitting the same address at the same instant can
// both pass at cap - 1 (the minimum over rows is not one atomic step), so the cap can be
// exceeded by at most (shards - 1) during such a race.
//
// Keys: an IPv4 address (also when IPv4-mapped in IPv6); for IPv6 the /64 prefix, since one
// subscriber usually owns a whole /64. Memory: kRows * kWidth * 4 bytes = 256 KiB.
#pragma once

#include <sys/socket.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "net/trusted_proxies.h"

namespace asobi {

/// One per node, shared (shared_ptr) by every shard's ConnectionTable; lock-free, any thread.
class ConnectionLimiter {
 public:
  static constexpr size_t kRows = 4;
  static constexpr size_t kWidth = 16384;  // counters per row (power of two)

  /// Caps (connections, not rates); 0 disables a cap. From config at startup.
  struct Options {
    int64_t per_ip_max = 0;  // concurrent connections per address; 0 = no cap
    int64_t node_max = 0;    // concurrent connections on the node; 0 = no cap
    /// Peers exempt from the per-address cap (trusted proxies: src/net/trusted_proxies.h).
    TrustedProxies per_ip_exempt;
  };
  enum class Verdict { kAdmitted, kRefusedPerIp, kRefusedNode };
  /// An admitted connection's claim; give it back with Release exactly once.
  struct Ticket {
    uint64_t key = 0;
    bool held = false;
    bool per_ip = false;  // counted against the per-address cap
  };

  /// Draws the per-process random hash seeds and allocates the 256 KiB sketch.
  explicit ConnectionLimiter(const Options& options);
  ConnectionLimiter(const ConnectionLimiter&) = delete;
  ConnectionLimiter& operator=(const ConnectionLimiter&) = delete;

  /// Counts a new connection from `peer` against both caps. On kAdmitted `*ticket` holds
  /// the claim; on a refusal nothing is counted. Any thread.
  Verdict TryAdmit(const sockaddr_storage& peer, Ticket* ticket);
  /// Gives back an admitted connection's claim (idempotent per ticket). Any thread.
  void Release(Ticket* ticket);

  /// Connections currently admitted on the node (any thread, relaxed).
  int64_t total() const { return total_.load(std::memory_order_relaxed); }
  /// The per-address estimate for `peer` (tests).
  uint32_t Estimate(const sockaddr_storage& peer) const;
  /// The caps this limiter enforces.
  const Options& options() const { return options_; }

  /// The address part that is counted: IPv4, or the /64 of IPv6 (exposed for tests).
  static uint64_t KeyOf(const sockaddr_storage& peer);

 private:
  size_t Cell(size_t row, uint64_t key) const;

  Options options_;
  uint64_t seeds_[kRows];
  std::unique_ptr<std::atomic<uint32_t>[]> counts_;  // kRows * kWidth
  std::atomic<int64_t> total_{0};
};

}  // namespace asobi
