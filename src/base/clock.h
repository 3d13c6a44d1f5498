// Clocks. All functions are thread-safe and never block.
#pragma once

#include <cstdint>
#include <ctime>

namespace asobi {

/// Wall clock, Unix epoch milliseconds (what the wire calls "ms").
inline int64_t UnixMs() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

/// Monotonic clock in nanoseconds, for durations and deadlines.
inline int64_t MonoNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

/// Monotonic clock in milliseconds.
inline int64_t MonoMs() { return MonoNs() / 1000000; }

}  // namespace asobi
