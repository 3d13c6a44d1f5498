// Shared, read-only run plan (built once from the options before the worker threads start)
// and the small cross-thread control block the main thread uses to sequence the phases.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "base/result.h"
#include "bench_options.h"

namespace asobi::bench {

/// Immutable after BuildPlan; read by every worker thread without locks.
struct Plan {
  Options opts;
  sockaddr_storage addr{};
  socklen_t addr_len = 0;
  std::string upgrade_head;  // request line and headers, up to "Sec-WebSocket-Key: "
  std::string host_header;
  std::string msg_prefix;  // request text before the cid digits
  std::string msg_suffix;  // request text after them
  std::vector<std::string> tokens;
  uint32_t inflight_slots = 1;  // per-connection cid ring size (power of two)
};

/// Resolves the host, loads the token file and pre-builds request text. Errors: reason
/// "bad_host", "bad_token_file" or "bad_message" with a human-readable message.
Result<Plan> BuildPlan(const Options& opts);

/// Phase hand-offs between the main thread and the workers. Counters are guarded by `mu`;
/// the main thread publishes start_ns (release) after filling worker_rate.
struct RunControl {
  std::mutex mu;
  std::condition_variable cv;
  int connected_workers = 0;  // finished the connect phase
  int loaded_workers = 0;     // finished sending and draining
  int exited_workers = 0;     // returned from Run()
  std::vector<uint64_t> ready_per_worker;
  std::vector<double> worker_rate;   // open mode: msg/s for each worker
  std::atomic<int64_t> start_ns{0};  // 0 until the load may start (CLOCK_MONOTONIC ns)
  std::atomic<bool> abort{false};    // global deadline passed: wind down now

  void Bump(int* counter) {
    std::lock_guard<std::mutex> lock(mu);
    ++*counter;
    cv.notify_all();
  }
};

}  // namespace asobi::bench
