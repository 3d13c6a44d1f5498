// The cloud saves' prepared statements (rest.md §3.9, §5 cloud_saves). Rows leave PostgreSQL
// as JSON with the spec's column names, timestamps RFC 3339 UTC with milliseconds.
#pragma once

#include "db/statement.h"

namespace asobi::saves::sql {

/// ($1 player id) -> one row: JSON array of {slot, version, updated_at} by slot.
extern const db::Statement kList;
/// ($1 player id, $2 slot) -> one row: the save as JSON; no rows when absent.
extern const db::Statement kGet;
/// ($1 player id) serialises the player's save writes until the transaction ends.
extern const db::Statement kLockPlayer;
/// ($1 new id, $2 player id, $3 slot, $4 data, $5 expected version or NULL, $6 max slots) ->
/// one row: (stored version or NULL, slots used, written row JSON or NULL). Run after
/// kLockPlayer in the same transaction.
extern const db::Statement kPut;

}  // namespace asobi::saves::sql
