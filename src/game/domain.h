// DomainContext: what a domain's one registration function receives (ARCHITECTURE.md "Adding a
// domain"). `Register<Domain>(DomainContext&, const <Domain>Options&)` adds the domain's REST
// routes and WebSocket handlers to the node-wide tables and its per-shard start-up step; the
// server calls every domain's register function from one table (src/server/domains.cc) before
// the shards start.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "game/game_shard.h"
#include "game/http_api.h"
#include "protocol/message_registry.h"

namespace asobi {

/// Owned by ServerShared (node-wide, outlives the shards); filled on the main thread before
/// Server::Start, then read-only.
class DomainContext {
 public:
  /// A step run once on every shard's own thread at start-up, after the database services
  /// exist (GameShard::db is null when no database is configured) and after the steps of the
  /// domains registered earlier. It creates the domain's per-shard service, stores a pointer
  /// in GameShard, and registers the service's teardown with GameShard::AddTeardown.
  using ShardStep = std::function<void(GameShard&)>;
  /// Appends Prometheus text lines (`# HELP`/`# TYPE` included) to /metrics' body.
  using MetricsWriter = std::function<void(std::string*)>;

  /// Borrows the node's route and message tables and its list of /metrics writers (all must
  /// outlive the context); AddMetricsWriter appends to that list.
  DomainContext(HttpApi& http_api, MessageRegistry<WsContext>& ws_registry,
                std::vector<MetricsWriter>& metrics_writers)
      : http_api_(http_api), ws_registry_(ws_registry), metrics_writers_(metrics_writers) {}

  /// The REST route table (rest.md §3), shared read-only by every shard once started.
  HttpApi& http_api() { return http_api_; }
  /// The WebSocket message table (websocket.md §1.3).
  MessageRegistry<WsContext>& ws_registry() { return ws_registry_; }
  /// Adds a per-shard start-up step (see ShardStep). Call from the register function only.
  void OnShardStart(ShardStep step) { steps_.push_back(std::move(step)); }

  /// Adds a writer of Prometheus text lines to /metrics, called in registration order on the
  /// shard answering the scrape (any shard's thread; read atomics only). Call from the
  /// register function only.
  void AddMetricsWriter(MetricsWriter writer) { metrics_writers_.push_back(std::move(writer)); }

  /// Runs every registered step on the calling shard (the server, on each shard's thread).
  void RunShardSteps(GameShard& game) const {
    for (const ShardStep& step : steps_) step(game);
  }

 private:
  HttpApi& http_api_;
  MessageRegistry<WsContext>& ws_registry_;
  std::vector<ShardStep> steps_;
  std::vector<MetricsWriter>& metrics_writers_;
};

}  // namespace asobi
