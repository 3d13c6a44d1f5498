// The storage collections' prepared statements (rest.md §3.9 storage, §5). Rows leave
// PostgreSQL as JSON with the spec's column names, timestamps RFC 3339 UTC with milliseconds.
#pragma once

#include "db/statement.h"

namespace asobi::saves::sql {

/// ($1 collection, $2 caller, $3 limit) -> one row: JSON array of readable rows (public, or
/// owned by the caller; global public rows too, as upstream) by key.
extern const db::Statement kStorageList;
/// ($1 collection, $2 key) -> up to 2 rows (row JSON, owner, read_perm) of player rows.
extern const db::Statement kStorageGet;
/// ($1 collection, $2 key) serialises writes of one (collection, key) until the transaction
/// ends.
extern const db::Statement kStorageLock;
/// ($1 new id, $2 collection, $3 key, $4 caller, $5 value, $6 read_perm or NULL, $7
/// write_perm or NULL) -> one row: (player rows of the key, written row JSON or NULL).
extern const db::Statement kStoragePut;
/// ($1 collection, $2 key, $3 caller) -> one row: (player rows of the key, rows deleted).
extern const db::Statement kStorageDelete;

/// Scripts (lua.md §9): ($1 collection, $2 key) -> the global row's value as JSON text.
extern const db::Statement kScriptGetGlobal;
/// ($1 collection, $2 key, $3 player id) -> the player row's value as JSON text.
extern const db::Statement kScriptGetPlayer;
/// ($1 new id, $2 collection, $3 key, $4 value) -> the upserted global row as JSON (no id,
/// updated_at).
extern const db::Statement kScriptSetGlobal;
/// ($1 new id, $2 collection, $3 key, $4 value, $5 player id) -> the upserted player row.
extern const db::Statement kScriptSetPlayer;

}  // namespace asobi::saves::sql

namespace asobi::saves::sql {

/// game.storage.update (lua.md §18): ($1 collection, $2 key) -> (id, value JSON text, version)
/// of the global row.
extern const db::Statement kScriptReadGlobalVersioned;
/// ($1 collection, $2 key, $3 player id) -> (id, value, version) of the player row.
extern const db::Statement kScriptReadPlayerVersioned;
/// ($1 id, $2 version read, $3 new value) -> the new value as JSON text; no row when the row's
/// version moved on (a lost race).
extern const db::Statement kScriptUpdateIfVersion;
/// ($1 new id, $2 collection, $3 key, $4 value) -> the value; no row when another writer
/// created the global row first.
extern const db::Statement kScriptInsertGlobalIfAbsent;
/// ($1 new id, $2 collection, $3 key, $4 value, $5 player id) -> as above, the player row.
extern const db::Statement kScriptInsertPlayerIfAbsent;

}  // namespace asobi::saves::sql
