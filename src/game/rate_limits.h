// RouteRateLimits: node-wide sliding-window limits per route group (rest.md §4.2), keyed by
// player id on authenticated routes and by client IP elsewhere (DECISIONS.md REST 3). Shared
// by all shards; each group has its own mutex (REST requests are not the WebSocket hot path).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/sliding_window_limiter.h"

namespace asobi {

/// Created once at startup (Create); every shard's GameShard::rate_limits points at it.
class RouteRateLimits {
 public:
  /// `count` requests per `window_ms` (ms) per key.
  struct Limit {
    int32_t count;
    int64_t window_ms;
  };
  /// Defaults of rest.md §4.2: register 3/1 s, auth 5/1 s, erase 3/60 s, iap 10/1 s,
  /// api 300/1 s. `spec` overrides them: "group=count/window_ms,..." (e.g. "api=1000/1000").
  /// Errors: reason "bad_flag" for a malformed spec.
  static Result<std::shared_ptr<RouteRateLimits>> Create(std::string_view spec);

  /// Counts one request of `key` in `group` at `now_ms`. False when over the limit, with
  /// `*retry_after_ms` set. Unknown groups are unlimited. Thread-safe.
  bool Allow(std::string_view group, std::string_view key, int64_t now_ms, int64_t* retry_after_ms);

 private:
  struct Group {
    std::mutex mu;
    std::unique_ptr<SlidingWindowLimiter> limiter;
  };
  std::map<std::string, std::unique_ptr<Group>, std::less<>> groups_;
};

/// The rate-limit group of a path (rest.md §4.2 table).
std::string_view RateGroupForPath(std::string_view path);

}  // namespace asobi
