// The per-connection inbound frame limiter and the origin check used at the WebSocket edge
// (websocket.md §2.1, §3). The per-key sliding-window limiter (connects per IP, joins, REST) is
// base/sliding_window_limiter.h. Socket-free and clock-free: callers pass the time in
// milliseconds from one monotonic clock (e.g. MonoMs()). Not thread-safe: one instance per
// owner (a connection).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace asobi {

/// Per-connection inbound message limit (websocket.md §3 "Inbound messages"): at most `limit`
/// frames per fixed window of `window_ms`. The first window opens at `open_ms` (socket open);
/// a frame arriving when >= window_ms have passed since the window start opens a new window
/// at that frame's time, counting it as 1. Denied frames are not counted. 16 bytes.
class FixedWindowLimiter {
 public:
  static constexpr int32_t kDefaultLimit = 60;
  static constexpr int32_t kDefaultWindowMs = 1000;

  /// `open_ms`: the socket's open time (monotonic ms); `limit` frames per `window_ms` window.
  explicit FixedWindowLimiter(int64_t open_ms, int32_t limit = kDefaultLimit,
                              int32_t window_ms = kDefaultWindowMs)
      : window_start_ms_(open_ms), count_(0), limit_(limit), window_ms_(window_ms) {}

  /// Counts one frame at `now_ms`; false when it exceeds the limit (answer `rate_limited`,
  /// keep the connection).
  bool Allow(int64_t now_ms) {
    if (now_ms - window_start_ms_ >= window_ms_) {
      window_start_ms_ = now_ms;
      count_ = 1;
      return true;
    }
    if (count_ >= limit_) return false;
    ++count_;
    return true;
  }

 private:
  int64_t window_start_ms_;
  int32_t count_;
  int32_t limit_;
  int32_t window_ms_;
};

/// Origin allowlist check (websocket.md §2.1 step 2): an empty `origin` (no Origin header,
/// native clients) is allowed; an empty `allowlist` allows every origin; otherwise `origin`
/// must equal one entry byte for byte. A rejected origin is closed with 1008
/// `origin_rejected` after the upgrade. Pure; any thread.
bool OriginAllowed(std::string_view origin, const std::vector<std::string>& allowlist);

}  // namespace asobi
