// Counters and histograms one worker thread keeps while it runs (plain fields: only that
// thread writes them; the main thread reads them after joining it) and their merge.
#pragma once

#include <cstdint>
#include <string>

#include "reactor/histogram.h"

namespace asobi::bench {

/// Why a connection never became ready.
struct FailCounts {
  uint64_t connect = 0;  // TCP connect failed
  uint64_t upgrade = 0;  // no 101, bad Sec-WebSocket-Accept, or bad bytes before ready
  uint64_t auth = 0;     // session.connect answered with an error
  uint64_t closed = 0;   // server closed the socket (e.g. close 1008 rate_limited) first
  uint64_t timeout = 0;  // not ready within --connect-timeout-ms
  uint64_t total() const { return connect + upgrade + auth + closed + timeout; }
};

/// Message counters. "Window" counters concern messages sent (open mode: scheduled) inside
/// the measured window; "total" ones include warm-up.
struct Counters {
  uint64_t connected = 0;
  FailCounts failed;
  uint64_t disconnected = 0;  // ready connections the server closed during the run
  uint16_t last_close_code = 0;
  uint64_t scheduled = 0;          // open: due inside the window
  uint64_t sent = 0;               // window requests written
  uint64_t replies = 0;            // non-error replies to window requests (latency samples)
  uint64_t errors = 0;             // error frames answering window requests
  uint64_t replies_in_window = 0;  // replies of any kind received inside the window
  uint64_t total_sent = 0;
  uint64_t total_replies = 0;  // including errors
  uint64_t total_errors = 0;
  uint64_t pushes = 0;  // frames without a cid that are not errors
  uint64_t strays = 0;  // replies whose cid matched nothing outstanding
  int64_t last_reply_ns = 0;

  void Add(const Counters& o);
};

/// Everything a worker measured.
struct WorkerStats {
  Counters c;
  Histogram latency_us;     // reply time minus send (open: scheduled) time
  Histogram send_lag_us;    // open: actual send minus scheduled time (client lateness)
  std::string first_error;  // text of the first error frame (cut to 300 bytes), for diagnosis
};

}  // namespace asobi::bench
