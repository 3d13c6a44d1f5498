#include "game/ops/ops_console_sessions.h"

#include <utility>
#include <vector>

#include "game/ops/ops_token.h"

namespace asobi::ops {
namespace {

using db::Param;
using db::PgType;

const db::Statement kDropExpired("console_sessions_drop_expired",
                                 "DELETE FROM console_sessions WHERE expires_at <= now()");

// Keeps the $1 rows that expire last, so the insert that follows makes at most $1 + 1.
const db::Statement kDropOverflow(
    "console_sessions_drop_overflow",
    "DELETE FROM console_sessions WHERE id_hash IN (SELECT id_hash FROM console_sessions "
    "ORDER BY expires_at DESC, id_hash OFFSET $1)",
    {PgType::kInt8});

const db::Statement kInsert("console_sessions_insert",
                            "INSERT INTO console_sessions (id_hash, csrf_hash, label, expires_at) "
                            "VALUES ($1, $2, $3, now() + make_interval(secs => $4::float8))",
                            {PgType::kText, PgType::kText, PgType::kText, PgType::kInt8});

const db::Statement kDelete("console_sessions_delete",
                            "DELETE FROM console_sessions WHERE id_hash = $1", {PgType::kText});

const db::Statement kLookup(
    "console_sessions_lookup",
    "SELECT csrf_hash, label FROM console_sessions WHERE id_hash = $1 AND expires_at > now()",
    {PgType::kText});

}  // namespace

void InsertConsoleSession(db::PgConnection& db, const OpsAuth::NewSession& s,
                          const std::string& label, db::StatementCall audit,
                          ConsoleSessionDone done) {
  std::vector<db::StatementCall> calls;
  calls.push_back({&kDropExpired, {}});
  calls.push_back({&kDropOverflow, {Param::Int64(static_cast<int64_t>(kConsoleSessionsMax) - 1)}});
  calls.push_back({&kInsert,
                   {Param::Text(OpsAuth::HashHex(s.id)), Param::Text(OpsAuth::HashHex(s.csrf)),
                    Param::Text(label), Param::Int64(kConsoleSessionTtlS)}});
  calls.push_back(std::move(audit));
  db.ExecuteTransaction(std::move(calls),
                        [done = std::move(done)](db::DbResult<std::vector<db::PgResult>> r) {
                          done(r.ok() ? nullptr : &r.error());
                        });
}

void DeleteConsoleSession(db::PgConnection& db, std::string_view session_id,
                          db::StatementCall audit, ConsoleSessionDone done) {
  std::vector<db::StatementCall> calls;
  calls.push_back({&kDelete, {Param::Text(OpsAuth::HashHex(session_id))}});
  calls.push_back(std::move(audit));
  db.ExecuteTransaction(std::move(calls),
                        [done = std::move(done)](db::DbResult<std::vector<db::PgResult>> r) {
                          done(r.ok() ? nullptr : &r.error());
                        });
}

void LookupConsoleSession(db::PgConnection& db, std::string_view session_id, std::string_view csrf,
                          ConsoleLookupDone done) {
  db.Execute(kLookup, {Param::Text(OpsAuth::HashHex(session_id))},
             [done = std::move(done), csrf = std::string(csrf)](db::DbResult<db::PgResult> r) {
               if (!r.ok()) return done(&r.error(), std::nullopt);
               const db::PgResult& rows = r.value();
               if (rows.rows() != 1 || !OpsAuth::HashMatches(rows.GetString(0, 0), csrf)) {
                 return done(nullptr, std::nullopt);
               }
               std::string label(rows.GetString(0, 1));
               done(nullptr, OpsActor{"console:" + label, label, "console", kAllClasses});
             });
}

}  // namespace asobi::ops
