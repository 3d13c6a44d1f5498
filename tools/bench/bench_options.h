// Command-line options of asobi-bench (see tools/bench/README.md for the meaning of each).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"

namespace asobi::bench {

/// Load shape. kRtt: closed loop, `depth` requests in flight per connection, each reply
/// triggers the next send. kBlast: `count` requests per connection sent as fast as the
/// in-flight bound allows, then all replies drained. kOpen: a fixed total `rate` spread
/// evenly over all connections; latency counts from each message's scheduled send time.
enum class Mode { kRtt, kBlast, kOpen };

const char* ModeName(Mode m);

/// Everything the run is parameterised by. Times are in the units their names say.
struct Options {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  std::string path = "/ws";
  int connections = 100;
  int wave_size = 500;  // connects started per wave
  int wave_interval_ms = 100;
  std::string token_file;  // "token player_id" lines; empty = unauthenticated
  Mode mode = Mode::kRtt;
  int depth = 1;           // rtt: requests in flight per connection
  uint64_t count = 1000;   // blast: requests per connection
  double rate = 10000;     // open: total requests per second
  double duration_s = 10;  // rtt/open: measured window; blast: time limit
  double warmup_s = 0;     // rtt/open: load before the window, not measured
  std::string message;     // JSON object template; empty = session.heartbeat
  int inflight_max = 0;    // per-connection cid ring slots; 0 = mode default
  int tick_us = 100;       // open: scheduler tick
  std::vector<int> cpus;   // --cpu list; empty = no pinning
  int threads = 1;
  int server_pid = 0;  // 0 = no server CPU accounting
  bool json = false;
  int connect_timeout_ms = 30000;  // after the last wave started
  int drain_timeout_ms = 5000;     // wait for outstanding replies after the window
  int close_timeout_ms = 2000;     // wait for close handshakes
};

/// Parses argv ("--flag value" or "--flag=value"). Sets *help for --help/-h. Errors:
/// reason "bad_flag" with a message naming the flag.
Result<Options> ParseOptions(int argc, char** argv, bool* help);

/// The --help text.
std::string Usage();

}  // namespace asobi::bench
