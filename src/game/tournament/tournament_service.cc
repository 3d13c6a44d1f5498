#include "game/tournament/tournament_service.h"

#include <utility>

#include "base/log.h"
#include "base/uuid.h"
#include "game/tournament/tournament_sql.h"

namespace asobi::tournament {
namespace {

Error Fail(std::string_view reason) { return MakeError(std::string(reason)); }

}  // namespace

std::string_view TournamentDbReason(const db::PgError& e) {
  if (e.reason == db::kDbUnavailable || e.reason == db::kDbOverloaded ||
      e.reason == db::kDbTimeout) {
    return "not_ready";
  }
  return "internal";
}

void TournamentService::FailLater(std::function<void(Error)> done, std::string reason) {
  reactor_.Post([done = std::move(done), reason = std::move(reason)] { done(Fail(reason)); });
}

void TournamentService::List(std::optional<std::string> status, int limit, JsonCallback done) {
  db_.Execute(sql::kList,
              {status ? db::Param::Text(*status) : db::Param::Null(), db::Param::Int32(limit)},
              [done = std::move(done)](db::DbResult<db::PgResult> r) {
                if (!r.ok()) return done(Fail(TournamentDbReason(r.error())));
                if (r->rows() != 1) return done(Fail("internal"));
                done(std::string(r->GetString(0, 0)));
              });
}

void TournamentService::Get(std::string id, JsonCallback done) {
  if (!IsCanonicalUuid(id)) {
    return FailLater([done](Error e) { done(std::move(e)); }, "not_found");
  }
  db_.Execute(sql::kGet, {db::Param::Uuid(id)},
              [done = std::move(done)](db::DbResult<db::PgResult> r) {
                if (!r.ok()) return done(Fail(TournamentDbReason(r.error())));
                if (r->rows() != 1) return done(Fail("not_found"));
                done(std::string(r->GetString(0, 0)));
              });
}

void TournamentService::Join(std::string id, std::string player_id,
                             std::function<void(Status)> done) {
  if (!IsCanonicalUuid(id)) {
    return FailLater([done](Error e) { done(std::move(e)); }, "not_found");
  }
  // The fee is read first, then charged inside the join's transaction (docs/decisions.md
  // "Tournament entry fees").
  db_.Execute(sql::kEntryFee, {db::Param::Uuid(id)},
              [this, id, player_id, done = std::move(done)](db::DbResult<db::PgResult> r) {
                if (!r.ok()) return done(Fail(TournamentDbReason(r.error())));
                if (r->rows() != 1) return done(Fail("not_found"));
                Result<std::vector<EntryFee>> fees = ParseEntryFee(r->GetString(0, 0));
                if (!fees.ok()) {
                  LOG_WARN("tournament entry_fee unreadable, join refused").KV("tournament", id);
                  return done(Fail("internal"));
                }
                JoinAndCharge(id, player_id, fees.value(), done);
              });
}

void TournamentService::JoinAndCharge(const std::string& id, const std::string& player_id,
                                      const std::vector<EntryFee>& fees,
                                      std::function<void(Status)> done) {
  const std::string participant = NewUuidV7();
  std::vector<db::StatementCall> calls;
  calls.push_back({&sql::kLockJoinable, {db::Param::Uuid(id)}});
  calls.push_back(
      {&sql::kJoin,
       {db::Param::Uuid(participant), db::Param::Uuid(id), db::Param::Uuid(player_id)}});
  for (const EntryFee& fee : fees) {
    calls.push_back({&sql::kEnsureFeeWallet,
                     {db::Param::Uuid(NewUuidV7()), db::Param::Uuid(player_id),
                      db::Param::Text(fee.currency), db::Param::Uuid(participant)}});
    calls.push_back(
        {&sql::kChargeFee,
         {db::Param::Uuid(NewUuidV7()), db::Param::Uuid(participant), db::Param::Uuid(player_id),
          db::Param::Text(fee.currency), db::Param::Int64(fee.amount), db::Param::Text(id)}});
  }
  db_.ExecuteTransaction(std::move(calls),
                         [done = std::move(done)](db::DbResult<std::vector<db::PgResult>> r) {
                           if (!r.ok()) {
                             if (r.error().sqlstate == db::kCheckViolation)
                               return done(Fail("insufficient_funds"));
                             return done(Fail(TournamentDbReason(r.error())));
                           }
                           if (r->size() < 2 || (*r)[1].rows() != 1) return done(Fail("internal"));
                           const db::PgResult& row = (*r)[1];
                           if (row.GetInt64(0, 3).value_or(0) == 0) return done(Fail("not_found"));
                           if (row.GetInt64(0, 0).value_or(0) != 0)
                             return done(Fail("already_joined"));
                           if (row.GetInt64(0, 2).value_or(0) != 1) return done(Fail("full"));
                           done(Ok{});
                         });
}

}  // namespace asobi::tournament
