// DatabaseSetup: wires PostgreSQL into the server when a database is configured: migrations
// (retried in the background until they succeed, /ready stays false meanwhile), one pipelined
// connection per shard, the password-hashing worker pool, and the accounts services.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "reactor/worker_pool.h"
#include "server/server.h"

namespace asobi {

/// One shard's connection figures, copied from its PgConnectionStats every 100 ms by the
/// shard (the stats themselves are shard-affine) and read by /metrics on any shard.
struct DbShardGauges {
  std::atomic<uint64_t> pending_statements{0};  // queued + in flight (pipeline depth)
  std::atomic<uint64_t> statements_sent{0};
  std::atomic<uint64_t> batches_sent{0};
  std::atomic<uint64_t> timeouts{0};
  std::atomic<uint64_t> overloaded{0};
  std::atomic<uint64_t> connection_losses{0};
};

/// Owned by main() for the server's lifetime; runs the migrator thread and owns the worker
/// pool. Destroy after the shards stopped.
class DatabaseSetup {
 public:
  /// Installs shard init hooks and the /ready probe on `shared`. Call before Server::Start.
  explicit DatabaseSetup(ServerShared& shared);
  ~DatabaseSetup();

  /// True once migrations are applied and every shard's connection is up. Any thread.
  bool Ready() const;

 private:
  void MigrateLoop();
  /// Migrator thread: posts MarkSchemaReady to every waiting shard.
  void AnnounceSchema();
  void WriteMetrics(std::string* out) const;

  ServerShared& shared_;
  std::string conninfo_;
  std::string migrations_dir_;
  std::unique_ptr<WorkerPool> workers_;
  std::atomic<bool> migrated_{false};
  /// Shards started before the migrations finished (each removed by its teardown), shared
  /// with the shards' init and teardown steps (which may outlive this on a failed start).
  struct SchemaWatch {
    std::mutex mu;
    bool migrated = false;              // guarded by mu
    std::vector<ServerShard*> waiting;  // guarded by mu
  };
  std::shared_ptr<SchemaWatch> schema_ = std::make_shared<SchemaWatch>();
  std::atomic<bool> stop_{false};
  std::thread migrator_;
  std::unique_ptr<std::atomic<bool>[]> shard_up_;
  std::unique_ptr<DbShardGauges[]> gauges_;
  int shard_count_ = 0;
};

}  // namespace asobi
