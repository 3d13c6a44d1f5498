#include "game/saves/saves_service.h"

#include <utility>
#include <vector>

#include "base/uuid.h"
#include "game/saves/saves_sql.h"

namespace asobi::saves {
namespace {

Error Fail(std::string_view reason) { return MakeError(std::string(reason)); }

std::string_view DbReason(const db::PgError& e) {
  if (e.reason == db::kDbUnavailable || e.reason == db::kDbOverloaded ||
      e.reason == db::kDbTimeout) {
    return "not_ready";
  }
  return "internal";
}

}  // namespace

void SavesService::List(std::string player_id, std::function<void(Result<std::string>)> done) {
  db_.Execute(sql::kList, {db::Param::Uuid(player_id)},
              [done = std::move(done)](db::DbResult<db::PgResult> r) {
                if (!r.ok()) return done(Fail(DbReason(r.error())));
                if (r->rows() != 1) return done(Fail("internal"));
                done(std::string(r->GetString(0, 0)));
              });
}

void SavesService::Get(std::string player_id, std::string slot,
                       std::function<void(Result<std::string>)> done) {
  db_.Execute(sql::kGet, {db::Param::Uuid(player_id), db::Param::Text(slot)},
              [done = std::move(done)](db::DbResult<db::PgResult> r) {
                if (!r.ok()) return done(Fail(DbReason(r.error())));
                if (r->rows() != 1) return done(Fail("not_found"));
                done(std::string(r->GetString(0, 0)));
              });
}

void SavesService::Put(std::string player_id, std::string slot, std::string data_json,
                       std::optional<int64_t> expected_version, PutCallback done) {
  std::vector<db::StatementCall> calls;
  calls.push_back({&sql::kLockPlayer, {db::Param::Uuid(player_id)}});
  calls.push_back(
      {&sql::kPut,
       {db::Param::Uuid(NewUuidV7()), db::Param::Uuid(player_id), db::Param::Text(slot),
        db::Param::Jsonb(data_json),
        expected_version ? db::Param::Int32(int32_t(*expected_version)) : db::Param::Null(),
        db::Param::Int32(kMaxSlots)}});
  db_.ExecuteTransaction(std::move(calls),
                         [done = std::move(done)](db::DbResult<std::vector<db::PgResult>> r) {
                           if (!r.ok()) return done(Fail(DbReason(r.error())), 0);
                           if (r->size() != 2 || (*r)[1].rows() != 1)
                             return done(Fail("internal"), 0);
                           const db::PgResult& row = (*r)[1];
                           if (!row.IsNull(0, 2)) return done(std::string(row.GetString(0, 2)), 0);
                           if (!row.IsNull(0, 0))
                             return done(Fail("version_conflict"), row.GetInt64(0, 0).value_or(0));
                           done(Fail("slot_limit_reached"), 0);
                         });
}

}  // namespace asobi::saves
