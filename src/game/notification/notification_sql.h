// The notification domain's prepared statements (rest.md §3.10, §5). Rows leave PostgreSQL
// already encoded as JSON objects with the spec's column names, timestamps RFC 3339 UTC with
// milliseconds (DECISIONS.md REST 1).
#pragma once

#include "db/statement.h"

namespace asobi::notification::sql {

/// ($1 player id, $2 read or NULL, $3 limit) -> one row: JSON array of the player's
/// notifications, newest `sent_at` first.
extern const db::Statement kList;
/// ($1 notification id, $2 player id) -> one row: (owner id or NULL when the row does not
/// exist, updated row JSON or NULL when it is another player's).
extern const db::Statement kMarkRead;
/// ($1 notification id, $2 player id) -> one row: (owner id or NULL, rows deleted).
extern const db::Statement kDelete;
/// ($1 JSON array of {"id": new id, "p": player id}, $2 type, $3 subject, $4 content) ->
/// one row per stored notification (players that do not exist are skipped):
/// (player id, row JSON).
extern const db::Statement kInsert;

}  // namespace asobi::notification::sql
