// DatabaseSetup: wires PostgreSQL into the server when a database is configured: migrations
// (retried in the background until they succeed, /ready stays false meanwhile), one pipelined
// connection per shard, the password-hashing worker pool, and the accounts services.
#pragma once

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "reactor/worker_pool.h"
#include "server/server.h"

namespace asobi {

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

  ServerShared& shared_;
  std::string conninfo_;
  std::string migrations_dir_;
  std::unique_ptr<WorkerPool> workers_;
  std::atomic<bool> migrated_{false};
  std::atomic<bool> stop_{false};
  std::thread migrator_;
  std::unique_ptr<std::atomic<bool>[]> shard_up_;
  int shard_count_ = 0;
};

}  // namespace asobi
