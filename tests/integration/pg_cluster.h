// PrivateCluster: a PostgreSQL cluster of the test's own (tools/dev-db.sh <cmd> <dir> under a
// fresh /tmp directory), for tests that stop, start or restart the database under a running
// server. Removed with its directory on destruction.
#pragma once

#include <string>
#include <vector>

namespace asobi::itest {

class PrivateCluster {
 public:
  /// Creates the directory; nothing runs yet. ok() is false when ASOBI_SOURCE_ROOT is unset.
  PrivateCluster();
  /// Stops the cluster and removes its directory.
  ~PrivateCluster();
  PrivateCluster(const PrivateCluster&) = delete;
  PrivateCluster& operator=(const PrivateCluster&) = delete;

  bool ok() const { return !script_.empty(); }
  /// initdb (first time) and start; false (see output()) on failure. The port stays the same
  /// across Stop/Start while it is free.
  bool Start();
  bool Stop();
  /// `pg_ctl restart -m fast`: every session is terminated, the server comes back.
  bool Restart();
  /// Server flags pointing at database `asobi` of this cluster (after the first Start).
  std::vector<std::string> ServerFlags() const;
  /// A libpq conninfo for the same database.
  std::string Conninfo() const;
  /// What the last dev-db.sh call printed.
  const std::string& output() const { return output_; }

 private:
  bool Run(const std::string& cmd);
  std::string EnvValue(const std::string& key) const;

  std::string root_;    // the mkdtemp directory
  std::string script_;  // tools/dev-db.sh
  std::string env_;     // the cluster's env file as printed by `start`
  std::string output_;
};

}  // namespace asobi::itest
