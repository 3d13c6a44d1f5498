// Console sessions in PostgreSQL (table console_sessions, rest.md §3.14 `/console/session`;
// docs/decisions.md "Ops API credentials", "Console sessions"): used instead of OpsAuth's
// in-memory table whenever the node has a database, so that every node behind the load
// balancer knows every session and a restart signs nobody out. Rows hold SHA-256 hashes of
// the cookie and of the csrf token, never the values. No cache: every cookie-carrying ops
// request looks its row up (primary key), so a DELETE on one node holds on all at once.
// Every function runs on the shard that owns `db`; callbacks run there too.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "db/pg_connection.h"
#include "game/ops/ops_auth.h"

namespace asobi::ops {

/// Called with null on success, else the database error.
using ConsoleSessionDone = std::function<void(const db::PgError* err)>;
/// Called with the session's actor (nullopt: unknown, expired or csrf mismatch) or an error.
using ConsoleLookupDone = std::function<void(const db::PgError* err, std::optional<OpsActor>)>;

/// Stores session `s` for `label` (already SessionLabel'ed), expiring kConsoleSessionTtlS from
/// the database's now(). In the same transaction: deletes every expired row, keeps at most
/// kConsoleSessionsMax rows by deleting those that expire first, and runs `audit` (the
/// sign-in's ops_audit_entries row, ops_guard.h AuditCall).
void InsertConsoleSession(db::PgConnection& db, const OpsAuth::NewSession& s,
                          const std::string& label, db::StatementCall audit,
                          ConsoleSessionDone done);

/// Deletes the session of cookie value `session_id` (no error when there is none) and runs
/// `audit` (the sign-out's row) in the same transaction.
void DeleteConsoleSession(db::PgConnection& db, std::string_view session_id,
                          db::StatementCall audit, ConsoleSessionDone done);

/// The actor of the live session of cookie `session_id` when `csrf` matches its token
/// (constant-time compare of the hashes); expired rows are refused (and deleted by the next
/// InsertConsoleSession on any node).
void LookupConsoleSession(db::PgConnection& db, std::string_view session_id, std::string_view csrf,
                          ConsoleLookupDone done);

}  // namespace asobi::ops
