// StorageBackend: what `game.storage.*` (lua.md §9 Storage) needs from the storage domain.
// Implemented in game/saves (StorageLuaBackend) and installed per shard in
// ApiBackends::OnThisShard().storage. Every method runs on the calling shard and answers
// through `done` exactly once, on that shard, never inside the call itself.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "base/result.h"
#include "script/game_api/merge_ops.h"

namespace asobi::script::game_api {

/// Interface; one implementation per shard, reached through ApiBackends::OnThisShard().storage.
class StorageBackend {
 public:
  /// JSON text: the stored value (Get) or the written row (Set).
  using JsonDone = std::function<void(Result<std::string>)>;

  virtual ~StorageBackend() = default;

  /// The value of the global row (`player_id` nullopt) or of the player's row. Errors:
  /// not_found, player_not_found, not_ready, internal.
  virtual void Get(std::optional<std::string> player_id, std::string collection, std::string key,
                   JsonDone done) = 0;
  /// Creates or replaces the row's value (version + 1); answers the row without its internal
  /// `id`/`updated_at`. Errors: player_not_found, invalid_key, not_ready, internal.
  virtual void Set(std::optional<std::string> player_id, std::string collection, std::string key,
                   std::string value_json, JsonDone done) = 0;
  /// lua.md §18 update/player_update: reads the row (absent = `{}`), applies `ops`
  /// (merge_ops.h) and writes the result only if the row's version is still the one read;
  /// on a lost race re-reads and re-applies, at most 5 attempts. Answers the merged value.
  /// Errors: storage_conflict (5 lost races), invalid_ops: ..., not_an_object,
  /// value_too_large (merged over 262 144 bytes), player_not_found, invalid_key, not_ready,
  /// internal.
  virtual void Update(std::optional<std::string> player_id, std::string collection, std::string key,
                      MergeOps ops, JsonDone done) = 0;
};

}  // namespace asobi::script::game_api
