// The run's results, derived figures, and their two renderings (human-readable text and one
// JSON object for scripts).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "bench_options.h"
#include "bench_stats.h"
#include "reactor/histogram.h"

namespace asobi::bench {

/// Raw results gathered by main(); the printers derive rates and per-message costs.
struct Report {
  const Options* opts = nullptr;
  Counters c;
  const Histogram* latency_us = nullptr;
  const Histogram* send_lag_us = nullptr;
  std::string first_error;  // first error frame seen, if any
  double connect_s = 0;     // first connect to all connections settled
  double window_s = 0;      // measured window (blast: start to last reply)
  double cpu_wall_s = 0;    // wall time between the CPU snapshots
  bool server_cpu_ok = false;
  int64_t server_cpu_us = 0;  // server CPU over the snapshots
  bool server_wait_ok = false;
  int64_t server_wait_us = 0;  // server threads runnable but not running, over the window
  int64_t client_wait_us = 0;  // same for this process
  int64_t client_user_us = 0;
  int64_t client_sys_us = 0;
  double loadavg_before = -1;  // 1-minute load average at the window start / end
  double loadavg_after = -1;
  bool aborted = false;  // the global deadline fired
};

/// Figures derived from a Report.
struct Derived {
  uint64_t measured = 0;  // messages the throughput and per-message costs refer to
  double msg_per_s = 0;
  uint64_t unanswered = 0;
  double server_cpu_pct = 0;
  double server_us_per_msg = 0;
  double client_cpu_pct = 0;
  double client_us_per_msg = 0;
  bool client_saturated = false;  // client CPU >= 90% of the cores its threads may use
  int client_cores = 1;           // cores the client threads may use
};

Derived Derive(const Report& r);
void PrintHuman(const Report& r, std::FILE* out);
void PrintJson(const Report& r, std::FILE* out);

}  // namespace asobi::bench
