// SlidingWindowLimiter: an exact per-key sliding-window rate limit with a bounded key table.
// Socket-free and clock-free: callers pass the time in milliseconds from one monotonic clock
// (e.g. MonoMs()). Not thread-safe: one instance per owner (a shard, or a mutex around it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace asobi {

/// Sliding-window limit per key (websocket.md §2.1 step 1: 60 connects / 1 s per client IP;
/// §3 joins: 10 / 60 s per player; REST rate limits, DECISIONS.md REST 3). A request at time
/// t is allowed when fewer than `limit` allowed requests of the same key lie in
/// (t - window_ms, t]; denied requests are not recorded. Exact: each key keeps the times of
/// its allowed requests still inside the window (at most `limit`).
///
/// Memory is bounded by max_keys * (~100 bytes + limit * 8 bytes). Keys whose window has
/// emptied are evicted lazily: each Allow() also inspects a couple of hash buckets, and
/// EvictExpired() sweeps everything (call it from a periodic timer if traffic is sparse).
/// When max_keys keys are tracked and a new key arrives, expired keys are swept first (at
/// most once per window_ms/8, to bound the work under a flood); if the table is still full,
/// the new key is treated per `overflow`.
class SlidingWindowLimiter {
 public:
  /// What Allow() does for a new key while the key table is full.
  enum class Overflow {
    kDeny,   // new keys are denied while the table is full (fail closed; the default)
    kAllow,  // new keys are allowed without being tracked (fail open)
  };
  /// `limit` requests per `window_ms` (ms) per key; at most `max_keys` keys tracked.
  struct Config {
    int32_t limit = 60;
    int64_t window_ms = 1000;
    size_t max_keys = 100000;
    Overflow overflow = Overflow::kDeny;
  };

  /// Empty table; memory grows with the keys seen (bounded by max_keys).
  explicit SlidingWindowLimiter(Config config);

  /// Records a request of `key` at `now_ms` if allowed. On denial, `*retry_after_ms` (if
  /// given) is the time until the oldest counted request leaves the window (>= 1), or
  /// window_ms when denied because the key table is full. `now_ms` should not go backwards;
  /// if it does it is treated as the latest time seen for that key.
  bool Allow(std::string_view key, int64_t now_ms, int64_t* retry_after_ms = nullptr);

  /// Drops every key with no request inside the window at `now_ms`. O(keys).
  void EvictExpired(int64_t now_ms);

  /// Number of keys currently tracked (including not yet evicted expired ones).
  size_t tracked_keys() const { return keys_.size(); }
  /// The limits this limiter enforces.
  const Config& config() const { return config_; }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  // Times of allowed requests, oldest first; never more than config_.limit entries.
  using Stamps = std::vector<int64_t>;
  using Map = std::unordered_map<std::string, Stamps, Hash, std::equal_to<>>;

  void DropExpired(Stamps* stamps, int64_t now_ms) const;
  void SweepSomeBuckets(int64_t now_ms);
  bool MakeRoom(int64_t now_ms);

  Config config_;
  Map keys_;
  size_t sweep_bucket_ = 0;
  int64_t next_full_sweep_ms_ = INT64_MIN;
};

}  // namespace asobi
