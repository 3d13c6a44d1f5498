// WorldStore: one shard's persistence of worlds (lua.md §8, §18; issue 14 item 5;
// docs/decisions.md "World persistence") on that shard's pipelined PostgreSQL connection.
// Zone snapshots are coalesced per zone (the newest wins) and written in batches: at most one
// batch in flight per shard, everything saved meanwhile goes out together as the next one
// (one json_to_recordset upsert, up to kMaxBatchRows zones). Tables: zone_snapshots (rest.md
// §5) and persistent_worlds (ours). Shard-affine; callbacks run on the shard.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "db/pg_connection.h"
#include "game/world/runtime/zone_snapshot.h"

namespace asobi::world {

class WorldStore {
 public:
  /// Zones per upsert batch.
  static constexpr size_t kMaxBatchRows = 256;

  /// `db` (the shard's connection) must outlive the store.
  explicit WorldStore(db::PgConnection& db);
  ~WorldStore();
  WorldStore(const WorldStore&) = delete;
  WorldStore& operator=(const WorldStore&) = delete;

  /// Queues `snapshot` of a zone of persistent world `world_id` (replacing a queued older one
  /// of that zone) and sends a batch unless one is in flight. A failed batch's rows go back to
  /// the queue (unless a newer snapshot of the zone arrived) and are sent with the next batch.
  /// Rows of a world no longer in persistent_worlds are not written.
  void Save(const std::string& world_id, ZoneSnapshot snapshot);
  /// Records `world_id` of mode `mode` as persistent (re-created at the next start).
  void RegisterWorld(const std::string& world_id, const std::string& mode);
  /// Forgets a finished persistent world: its persistent_worlds row and zone snapshots.
  void ForgetWorld(const std::string& world_id);
  /// Every persistent world as (world_id, mode); an empty list on a database error (logged).
  void LoadWorlds(std::function<void(std::vector<std::pair<std::string, std::string>>)> done);
  /// The zone snapshots of `world_id`; `ok` false on a database error.
  void LoadZones(const std::string& world_id,
                 std::function<void(bool ok, std::vector<ZoneSnapshot>)> done);
  /// Runs `done` once nothing waits or is in flight (at once when idle).
  void Flush(std::function<void()> done);

  size_t waiting() const { return pending_.size(); }

 private:
  using Key = std::tuple<std::string, int, int>;
  void SendBatch();
  void BatchDone(std::map<Key, ZoneSnapshot> sent, bool ok);

  db::PgConnection& db_;
  std::map<Key, ZoneSnapshot> pending_;
  bool in_flight_ = false;
  std::vector<std::function<void()>> flush_waiters_;
  std::shared_ptr<WorldStore*> self_;  // callbacks after destruction see null
  int64_t failure_log_ms_ = 0;
};

}  // namespace asobi::world
