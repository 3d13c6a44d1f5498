// The helpers every ops route uses (rest.md §3.14): the credential check with a permission
// class, the audit row of a mutating call (ops_audit_entries, rest.md §5) and the ops paging
// (rest.md §1.4). Other files that add ops routes (the console's mutations) use only this
// header: `WithOps(call, kConfig, ...)` then `RespondAudited(...)` or `AuditCall(...)` in the
// same transaction as the change.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/pg_connection.h"
#include "game/http_api.h"
#include "game/ops/ops_auth.h"
#include "game/ops/ops_token.h"

namespace asobi::ops {

/// Checks the `api` rate limit (by client IP), then the credential (OpsAuth::Resolve) and
/// that it holds class `cls` (an OpsClass bit); then runs `next(actor)` on this shard.
/// Answers 429 `rate_limited` or 403 `forbidden` itself (the same body for every refusal).
/// A console cookie on a node with a database is looked up in PostgreSQL first
/// (ops_console_sessions.h): `next` then runs later, from the lookup's callback, and a
/// database failure answers like RespondDbError.
/// `next` must answer the call.
void WithOps(HttpCall& call, uint32_t cls, std::function<void(const OpsActor&)> next);

/// As WithOps, and also answers 503 `not_ready` when this shard has no database; `next`
/// gets the shard's connection.
void WithOpsDb(HttpCall& call, uint32_t cls,
               std::function<void(const OpsActor&, db::PgConnection&)> next);

/// One ops_audit_entries row (rest.md §5). Empty target_type/target_id are stored as NULL.
struct AuditEntry {
  std::string action;  // dotted verb, e.g. "players.erase", "chat.messages.delete"
  std::string target_type;
  std::string target_id;
  std::string outcome = "ok";  // ok | partial | error
  int succeeded_count = 1;
  int failed_count = 0;
  std::string details_json = "{}";  // one JSON object
};

/// The INSERT of `e` by `actor`, to run in the same transaction as the change it records
/// (PgConnection::ExecuteTransaction), so that a change never lands without its row.
db::StatementCall AuditCall(const OpsActor& actor, const AuditEntry& e);

/// Writes `e` alone, then answers 200 with `body` (one JSON value, usually {"data":{…}}); a
/// failed insert answers 500 `ops.query_failed`. For changes made outside PostgreSQL (live
/// state) or already committed. Shard-affine.
void RespondAudited(HttpCall& call, db::PgConnection& db, const OpsActor& actor, AuditEntry e,
                    std::string body);

/// Answers 500 `ops.query_failed` (or 503 `not_ready` when the database is unavailable).
void RespondDbError(HttpCall& call, const db::PgError& e);

/// Ops list paging (rest.md §1.4): `limit` (50, 1-200), `page` (1-based, ≤10000, wins over
/// offset), `offset` (0-100000, snapped down to a multiple of limit), `sort`, `order`
/// (asc|desc, any case), `q` (turned into an ILIKE pattern with `%`, `_` and `\` escaped).
struct Page {
  int limit = 50;
  int offset = 0;
  std::string sort;
  std::string order;                     // "asc" | "desc"
  std::optional<std::string> q_pattern;  // "%<escaped q>%", nullopt when q is absent/empty
};
/// Parses the paging of `call`'s query; `sorts` lists the accepted sort fields (the first is
/// the default). Answers 400 `ops.unknown_sort_field` (+ top-level `field`) or
/// `ops.unknown_sort_order` (+ `order`) itself and returns nullopt.
std::optional<Page> ParsePage(HttpCall& call, const std::vector<std::string>& sorts,
                              std::string_view default_order = "desc");
/// `{"data":<data_array>,"page":{"limit","offset","total"}}`.
std::string PageBody(std::string_view data_array, const Page& page, int64_t total);

/// Unix seconds now (wall clock), for credential expiry.
int64_t NowS();

}  // namespace asobi::ops
