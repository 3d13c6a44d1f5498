// SavesService: cloud saves (rest.md §3.9): up to kMaxSlots slots per player, each a JSON
// object of at most kMaxDataBytes, with optimistic versions. One per shard on that shard's
// PostgreSQL connection; no owner shard: a per-player advisory lock serialises the writes of
// one player, so versions and the slot limit hold across shards. Every method and callback
// runs on the calling shard, never inside the call.
//
// Error reasons: not_found, version_conflict (with the stored version),
// slot_limit_reached, not_ready (database unreachable or overloaded), internal.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "base/result.h"
#include "db/pg_connection.h"

namespace asobi::saves {

inline constexpr int kMaxSlots = 10;             // rest.md §3.9
inline constexpr size_t kMaxDataBytes = 262144;  // encoded `data` (rest.md §3.9, §4.3)
inline constexpr size_t kMaxSlotBytes = 255;     // cloud_saves.slot VARCHAR(255)

/// The outcome of a write: the written row as JSON, or an error; on version_conflict the
/// second argument is the stored version (0 otherwise).
using PutCallback = std::function<void(Result<std::string>, int64_t current_version)>;

/// One per shard, borrowing that shard's PgConnection; shard-affine.
class SavesService {
 public:
  /// `db` (the shard's connection) must outlive the service.
  explicit SavesService(db::PgConnection& db) : db_(db) {}

  /// `[{"slot","version","updated_at"}, ...]` of the player's saves, by slot.
  void List(std::string player_id, std::function<void(Result<std::string>)> done);
  /// The save row as JSON. Errors: not_found.
  void Get(std::string player_id, std::string slot, std::function<void(Result<std::string>)> done);
  /// Writes `data_json` (an encoded JSON object, size checked by the caller) to `slot`: a new
  /// slot gets version 1, an existing one version + 1. With `expected_version`, a stored
  /// version that differs fails with version_conflict (a new slot ignores it). An 11th slot
  /// fails with slot_limit_reached.
  void Put(std::string player_id, std::string slot, std::string data_json,
           std::optional<int64_t> expected_version, PutCallback done);

 private:
  db::PgConnection& db_;
};

}  // namespace asobi::saves
