// Server: builds the shared tables, starts one shard per core, serves until SIGTERM/SIGINT,
// then drains (stop accepting, close frames to WebSockets, finish in-flight work) and returns.
#pragma once

#include <signal.h>

#include <atomic>
#include <functional>
#include <memory>

#include "base/result.h"
#include "server/config.h"
#include "server/server_shard.h"

namespace asobi {

/// The process's server: owns ServerShared and the ShardSet. Used from the main thread only
/// (except RequestStop).
class Server {
 public:
  /// Takes the parsed config; nothing starts before Start().
  explicit Server(Config config);
  ~Server();

  /// Registers routes and message handlers (call before Start).
  ServerShared& shared() { return *shared_; }

  /// Starts the shards and binds the port on each. Returns the bound port (useful with
  /// port 0). Errors: "listen_failed", "bad_flag".
  Result<uint16_t> Start();
  /// Blocks until SIGTERM/SIGINT (which the caller must have blocked in every thread) or
  /// RequestStop(), then drains and stops the shards. After a signal the node first stops
  /// taking new work (ServerShared::draining, drain_steps) and waits for its live matches to
  /// finish, up to config.drain_timeout_ms from the signal or a second signal; then it closes
  /// every socket (1001 server_shutdown), waiting for them until that deadline (at least
  /// kCloseGraceMs), and tears the shards down (docs/decisions.md "SIGTERM drain").
  void WaitAndDrain();
  /// The least time the sockets get to close after the match wait used up the deadline.
  static constexpr int64_t kCloseGraceMs = 2000;
  /// Makes WaitAndDrain return (thread-safe).
  void RequestStop();

 private:
  /// Refuses new work and waits for live matches (see WaitAndDrain); sets drain_deadline_ms_.
  void DrainMatches(const sigset_t& signals);
  void Drain();
  /// Stops blocking-work pools (before_stop), then runs every shard's teardown steps on its
  /// own thread and waits (bounded) for them. Once.
  void TearDownShards();

  std::unique_ptr<ServerShared> shared_;
  std::unique_ptr<ShardSet> shards_;
  std::atomic<bool> stop_requested_{false};
  bool torn_down_ = false;
  int64_t drain_deadline_ms_ = 0;  // monotonic; 0 = drain_timeout_ms from Drain()
  std::atomic<int> started_{0};
  std::atomic<int> listen_failed_{0};
  std::atomic<uint16_t> port_{0};
};

/// Registers /health, /ready, /live and /metrics (rest.md §3.13; /metrics is ours).
void RegisterBuiltinRoutes(ServerShared& shared);

}  // namespace asobi
