#include "game/saves/storage_service.h"

#include <utility>
#include <vector>

#include "base/uuid.h"
#include "game/saves/storage_sql.h"

namespace asobi::saves {
namespace {

Error Fail(std::string_view reason) { return MakeError(std::string(reason)); }

std::string_view DbReason(const db::PgError& e) {
  if (e.reason == db::kDbUnavailable || e.reason == db::kDbOverloaded ||
      e.reason == db::kDbTimeout) {
    return "not_ready";
  }
  return "query_failed";
}

}  // namespace

void StorageService::List(std::string collection, std::string caller, int limit,
                          StorageCallback done) {
  db_.Execute(sql::kStorageList,
              {db::Param::Text(collection), db::Param::Uuid(caller), db::Param::Int32(limit)},
              [done = std::move(done)](db::DbResult<db::PgResult> r) {
                if (!r.ok()) return done(Fail(DbReason(r.error())));
                if (r->rows() != 1) return done(Fail("query_failed"));
                done(std::string(r->GetString(0, 0)));
              });
}

void StorageService::Get(std::string collection, std::string key, std::string caller,
                         StorageCallback done) {
  db_.Execute(sql::kStorageGet, {db::Param::Text(collection), db::Param::Text(key)},
              [done = std::move(done), caller](db::DbResult<db::PgResult> r) {
                if (!r.ok()) return done(Fail(DbReason(r.error())));
                if (r->rows() == 0) return done(Fail("not_found"));
                if (r->rows() > 1) return done(Fail("conflict"));
                if (r->GetString(0, 2) != "public" && r->GetString(0, 1) != caller) {
                  return done(Fail("forbidden"));
                }
                done(std::string(r->GetString(0, 0)));
              });
}

void StorageService::Put(std::string collection, std::string key, std::string caller,
                         std::string value_json, std::optional<std::string> read_perm,
                         std::optional<std::string> write_perm, StorageCallback done) {
  std::vector<db::StatementCall> calls;
  calls.push_back({&sql::kStorageLock, {db::Param::Text(collection), db::Param::Text(key)}});
  calls.push_back({&sql::kStoragePut,
                   {db::Param::Uuid(NewUuidV7()), db::Param::Text(collection), db::Param::Text(key),
                    db::Param::Uuid(caller), db::Param::Jsonb(value_json),
                    read_perm ? db::Param::Text(*read_perm) : db::Param::Null(),
                    write_perm ? db::Param::Text(*write_perm) : db::Param::Null()}});
  db_.ExecuteTransaction(std::move(calls),
                         [done = std::move(done)](db::DbResult<std::vector<db::PgResult>> r) {
                           if (!r.ok()) return done(Fail(DbReason(r.error())));
                           if (r->size() != 2 || (*r)[1].rows() != 1)
                             return done(Fail("query_failed"));
                           const db::PgResult& row = (*r)[1];
                           if (row.GetInt64(0, 0).value_or(0) > 1) return done(Fail("conflict"));
                           if (row.IsNull(0, 1)) return done(Fail("forbidden"));
                           done(std::string(row.GetString(0, 1)));
                         });
}

void StorageService::Delete(std::string collection, std::string key, std::string caller,
                            std::function<void(Status)> done) {
  std::vector<db::StatementCall> calls;
  calls.push_back({&sql::kStorageLock, {db::Param::Text(collection), db::Param::Text(key)}});
  calls.push_back({&sql::kStorageDelete,
                   {db::Param::Text(collection), db::Param::Text(key), db::Param::Uuid(caller)}});
  db_.ExecuteTransaction(std::move(calls),
                         [done = std::move(done)](db::DbResult<std::vector<db::PgResult>> r) {
                           if (!r.ok()) return done(Fail(DbReason(r.error())));
                           if (r->size() != 2 || (*r)[1].rows() != 1)
                             return done(Fail("query_failed"));
                           const db::PgResult& row = (*r)[1];
                           int64_t count = row.GetInt64(0, 0).value_or(0);
                           if (count == 0) return done(Fail("not_found"));
                           if (count > 1) return done(Fail("conflict"));
                           if (row.GetInt64(0, 1).value_or(0) != 1) return done(Fail("forbidden"));
                           done(Ok{});
                         });
}

}  // namespace asobi::saves
