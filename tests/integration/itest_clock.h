// NowMs: the monotonic clock in milliseconds, for the poll-with-a-deadline loops of the
// integration tests.
#pragma once

#include <time.h>

#include <cstdint>

namespace asobi::itest {

/// CLOCK_MONOTONIC in milliseconds.
inline int64_t NowMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

}  // namespace asobi::itest
