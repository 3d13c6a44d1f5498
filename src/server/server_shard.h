// ServerShard: everything one shard owns at the server level: its buffer ring, connection
// table, listener, envelope parser and game services. Created and used on its shard only.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/sliding_window_limiter.h"
#include "cluster/node.h"
#include "game/domain.h"
#include "game/game_shard.h"
#include "game/http_api.h"
#include "net/listener.h"
#include "net/tcp_connection.h"
#include "protocol/envelope.h"
#include "protocol/message_registry.h"
#include "reactor/buffer_ring.h"
#include "server/config.h"

namespace asobi {
namespace modes {
class ModeRegistry;
}

class ServerShared;

/// One per shard, in ServerShared::shard_state (deleted by Server after the shards stopped);
/// created by the shard's init on its own thread.
struct ServerShard {
  /// Creates the shard's receive buffer ring and connection table (send queue bound from the
  /// config); the listener and domains are added by the server's shard init.
  ServerShard(Shard& shard, ServerShared& shared);
  ~ServerShard();

  Shard& shard;
  ServerShared& shared;
  /// Requests whose client disconnected while a handler was still working on them, kept alive
  /// (request, route match, call) until the handler responds. Keyed by the call. Declared
  /// before `connections` so that it outlives them: a busy HttpSession destroyed with the
  /// table moves its request here.
  std::unordered_map<const void*, std::shared_ptr<void>> orphan_calls;
  BufferRing buffers;
  ConnectionTable connections;
  std::unique_ptr<Listener> listener;
  EnvelopeParser envelope_parser;
  GameShard game;
  bool draining = false;
  /// Teardown steps registered by init hooks (close DB connections, free domain services).
  /// Run in reverse order on this shard's thread during drain, while the reactor still runs.
  std::vector<std::function<void()>> teardown;
  /// Runs and clears the teardown steps, last registered first. Shard thread.
  void RunTeardown() {
    for (auto it = teardown.rbegin(); it != teardown.rend(); ++it) (*it)();
    teardown.clear();
  }
  /// IMF-fixdate for the `date` header, refreshed once per second.
  std::string http_date;
  int64_t http_date_sec = 0;
  /// The current IMF-fixdate (wall clock), reformatted at most once per second.
  const std::string& HttpDate();
};

/// Read-only state shared by all shards, built before they start (config, route and message
/// tables), plus the few node-wide mutable structures that are not on hot paths.
class ServerShared {
 public:
  /// Holds the config; tables are filled by RegisterDomains and setups before Server::Start.
  explicit ServerShared(Config config) : config(std::move(config)) {}
  Config config;
  HttpApi http_api;
  MessageRegistry<WsContext> ws_registry;
  /// The game domains' registrations (RegisterDomains); outlives the shards.
  std::unique_ptr<DomainContext> domains;
  /// Node-wide upgrade limiter per IP (websocket.md §3: 60 connects / 1 s); mutex-guarded,
  /// upgrades are not a hot path.
  bool AllowUpgrade(const std::string& ip, int64_t now_ms);
  /// Every shard, for /metrics (read-only atomics) and routing.
  ShardSet* shards = nullptr;
  /// The game's modes (set by MatchSetup before the domains register; node-wide, its
  /// Current() is safe from any thread). Null when no MatchSetup exists.
  modes::ModeRegistry* modes = nullptr;
  std::vector<ServerShard*> shard_state;  // index = shard id; filled as shards start
  /// The cluster bus and membership (SetupCluster; null when clustering is off). Its bus is
  /// started by Server::Start before the shards and stopped after they joined.
  std::unique_ptr<cluster::ClusterNode> cluster;
  /// True while no database is configured or the database is reachable (for /ready).
  std::function<bool()> ready;
  /// Set (once, by Server on the first SIGTERM/SIGINT) when the node starts draining: /ready
  /// answers 503 `draining`, new WebSocket upgrades and new match/world joins and matchmaker
  /// tickets are refused with `not_ready` (docs/decisions.md "SIGTERM drain"). Any thread.
  std::atomic<bool> draining{false};
  /// Run on each shard's thread when the drain starts (the matchmaker drops its queued tickets
  /// with their removal push here). Filled before Server::Start.
  std::vector<std::function<void(ServerShard&)>> drain_steps;
  /// Matches still running on this node (any thread); the drain waits for it to reach 0.
  /// Null = nothing to wait for.
  std::function<int64_t()> live_matches;
  /// Runs on each shard's thread after its ServerShard exists, before it accepts (domains
  /// create their per-shard services here: verifier, database connection...).
  std::function<void(ServerShard&)> init_shard;
  /// Runs on the main thread after connections drained, before the shards' teardown steps
  /// (stop worker pools here: their results must not reach torn-down services).
  std::function<void()> before_stop;
  /// The one list of writers of /metrics lines (Prometheus text, `# HELP`/`# TYPE` included):
  /// the match runtime's and matchmaker's, then the domains' (DomainContext::AddMetricsWriter
  /// appends here). Called in order on the shard answering the request while the server runs:
  /// read atomics only.
  std::vector<DomainContext::MetricsWriter> metrics_writers;

 private:
  std::mutex upgrade_mu_;
  std::unique_ptr<SlidingWindowLimiter> upgrade_limiter_;
};

}  // namespace asobi
