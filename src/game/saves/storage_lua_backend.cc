#include "game/saves/storage_lua_backend.h"

#include <utility>

#include "base/uuid.h"
#include "game/saves/storage_service.h"
#include "game/saves/storage_sql.h"
#include "reactor/shard.h"
#include "simdjson.h"

namespace asobi::saves {
namespace {

Error Fail(std::string_view reason) { return MakeError(std::string(reason)); }

std::string_view Reason(const db::PgError& e) {
  if (e.sqlstate == db::kForeignKeyViolation) return "player_not_found";
  if (e.reason == db::kDbUnavailable || e.reason == db::kDbOverloaded ||
      e.reason == db::kDbTimeout) {
    return "not_ready";
  }
  return "internal";
}

// 1-255 bytes of UTF-8 without NUL (the VARCHAR(255) columns).
bool ValidName(std::string_view s) {
  return !s.empty() && s.size() <= kMaxStorageNameBytes && s.find('\0') == std::string::npos &&
         simdjson::validate_utf8(s.data(), s.size());
}

// Checks the inputs; "" when fine. Answered later by the caller when not.
std::string_view Check(const std::optional<std::string>& player_id, std::string_view collection,
                       std::string_view key) {
  if (player_id && !IsCanonicalUuid(*player_id)) return "player_not_found";
  if (!ValidName(collection) || !ValidName(key)) return "invalid_key";
  return "";
}

db::ResultCallback Answer(std::shared_ptr<bool> alive,
                          script::game_api::StorageBackend::JsonDone done,
                          std::string_view missing) {
  return [alive = std::move(alive), done = std::move(done),
          missing = std::string(missing)](db::DbResult<db::PgResult> r) {
    if (!*alive) return;
    if (!r.ok()) return done(Fail(Reason(r.error())));
    if (r->rows() != 1) return done(Fail(missing));
    done(std::string(r->GetString(0, 0)));
  };
}

// Answers `reason` on the next loop turn of this shard (never inside the call).
void FailLater(std::shared_ptr<bool> alive, script::game_api::StorageBackend::JsonDone done,
               std::string_view reason) {
  Shard::Current()->reactor().Post(
      [alive = std::move(alive), done = std::move(done), reason = std::string(reason)] {
        if (*alive) done(Fail(reason));
      });
}

}  // namespace

void StorageLuaBackend::Get(std::optional<std::string> player_id, std::string collection,
                            std::string key, JsonDone done) {
  std::string_view bad = Check(player_id, collection, key);
  if (bad == "invalid_key") bad = "not_found";
  if (!bad.empty()) {
    return FailLater(alive_, std::move(done), bad);
  }
  if (player_id) {
    db_.Execute(sql::kScriptGetPlayer,
                {db::Param::Text(collection), db::Param::Text(key), db::Param::Uuid(*player_id)},
                Answer(alive_, std::move(done), "not_found"));
  } else {
    db_.Execute(sql::kScriptGetGlobal, {db::Param::Text(collection), db::Param::Text(key)},
                Answer(alive_, std::move(done), "not_found"));
  }
}

void StorageLuaBackend::Set(std::optional<std::string> player_id, std::string collection,
                            std::string key, std::string value_json, JsonDone done) {
  std::string_view bad = Check(player_id, collection, key);
  if (!bad.empty()) {
    return FailLater(alive_, std::move(done), bad);
  }
  db::Params params = {db::Param::Uuid(NewUuidV7()), db::Param::Text(collection),
                       db::Param::Text(key), db::Param::Jsonb(value_json)};
  if (player_id) {
    params.push_back(db::Param::Uuid(*player_id));
    db_.Execute(sql::kScriptSetPlayer, std::move(params),
                Answer(alive_, std::move(done), "internal"));
  } else {
    db_.Execute(sql::kScriptSetGlobal, std::move(params),
                Answer(alive_, std::move(done), "internal"));
  }
}

}  // namespace asobi::saves

namespace asobi::saves {
namespace {

constexpr int kMaxUpdateAttempts = 5;  // lua.md §18

// One game.storage.update: read, merge, conditional write; again on a lost race.
struct UpdateRun : std::enable_shared_from_this<UpdateRun> {
  db::PgConnection* db = nullptr;
  std::shared_ptr<bool> alive;
  std::optional<std::string> player_id;
  std::string collection;
  std::string key;
  script::game_api::MergeOps ops;
  script::game_api::StorageBackend::JsonDone done;
  int attempt = 0;

  void Finish(Result<std::string> r) {
    if (!*alive) return;
    auto d = std::move(done);
    d(std::move(r));
  }

  void Read() {
    if (++attempt > kMaxUpdateAttempts) return Finish(Fail("storage_conflict"));
    auto self = shared_from_this();
    auto on_read = [self](db::DbResult<db::PgResult> r) {
      if (!*self->alive) return;
      if (!r.ok()) return self->Finish(Fail(Reason(r.error())));
      if (r->rows() == 0) return self->Write(std::nullopt, 0, "");
      self->Write(std::string(r->GetString(0, 0)), r->GetInt64(0, 2).value_or(0),
                  r->GetString(0, 1));
    };
    if (player_id) {
      db->Execute(sql::kScriptReadPlayerVersioned,
                  {db::Param::Text(collection), db::Param::Text(key), db::Param::Uuid(*player_id)},
                  std::move(on_read));
    } else {
      db->Execute(sql::kScriptReadGlobalVersioned,
                  {db::Param::Text(collection), db::Param::Text(key)}, std::move(on_read));
    }
  }

  // `id` nullopt: no row yet (insert if still absent).
  void Write(std::optional<std::string> id, int64_t version, std::string_view current) {
    Result<std::string> merged = script::game_api::ApplyMergeOps(current, ops);
    if (!merged.ok()) return Finish(merged.error());
    if (merged->size() > kMaxStorageValueBytes) return Finish(Fail("value_too_large"));
    auto self = shared_from_this();
    auto on_write = [self](db::DbResult<db::PgResult> r) {
      if (!*self->alive) return;
      if (!r.ok()) return self->Finish(Fail(Reason(r.error())));
      if (r->rows() == 0) return self->Read();  // lost the race: re-read and re-apply
      self->Finish(std::string(r->GetString(0, 0)));
    };
    if (id) {
      db->Execute(
          sql::kScriptUpdateIfVersion,
          {db::Param::Uuid(*id), db::Param::Int32(int32_t(version)), db::Param::Jsonb(*merged)},
          std::move(on_write));
      return;
    }
    db::Params params = {db::Param::Uuid(NewUuidV7()), db::Param::Text(collection),
                         db::Param::Text(key), db::Param::Jsonb(*merged)};
    if (player_id) {
      params.push_back(db::Param::Uuid(*player_id));
      db->Execute(sql::kScriptInsertPlayerIfAbsent, std::move(params), std::move(on_write));
    } else {
      db->Execute(sql::kScriptInsertGlobalIfAbsent, std::move(params), std::move(on_write));
    }
  }
};

}  // namespace

void StorageLuaBackend::Update(std::optional<std::string> player_id, std::string collection,
                               std::string key, script::game_api::MergeOps ops, JsonDone done) {
  std::string_view bad = Check(player_id, collection, key);
  if (!bad.empty()) return FailLater(alive_, std::move(done), bad);
  auto run = std::make_shared<UpdateRun>();
  run->db = &db_;
  run->alive = alive_;
  run->player_id = std::move(player_id);
  run->collection = std::move(collection);
  run->key = std::move(key);
  run->ops = std::move(ops);
  run->done = std::move(done);
  run->Read();
}

}  // namespace asobi::saves
