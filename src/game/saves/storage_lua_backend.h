// StorageLuaBackend: the game.storage.* backend (script/game_api/storage_backend.h) on the
// shard's PostgreSQL connection. One per shard, installed by RegisterSaves' start-up step in
// ApiBackends::OnThisShard().storage; shard-affine.
#pragma once

#include <memory>

#include "db/pg_connection.h"
#include "script/game_api/storage_backend.h"

namespace asobi::saves {

/// Owned by the saves domain's per-shard state; shard-affine.
class StorageLuaBackend final : public script::game_api::StorageBackend {
 public:
  /// `db` must outlive the backend. Replies arriving after it is destroyed are dropped.
  explicit StorageLuaBackend(db::PgConnection& db) : db_(db) {}
  ~StorageLuaBackend() override { *alive_ = false; }

  /// script::game_api::StorageBackend: game.storage.get / game.storage.set (lua.md §9 Storage);
  /// `done` runs on this shard, and not at all once the backend is destroyed.
  void Get(std::optional<std::string> player_id, std::string collection, std::string key,
           JsonDone done) override;
  void Set(std::optional<std::string> player_id, std::string collection, std::string key,
           std::string value_json, JsonDone done) override;
  void Update(std::optional<std::string> player_id, std::string collection, std::string key,
              script::game_api::MergeOps ops, JsonDone done) override;

 private:
  db::PgConnection& db_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace asobi::saves
