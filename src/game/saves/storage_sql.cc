#include "game/saves/storage_sql.h"

namespace asobi::saves::sql {
namespace {

using db::PgType;

#define STO_TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
#define STO_JSON(t)                                                             \
  "json_build_object('id', " t ".id, 'collection', " t ".collection, 'key', " t \
  ".key, 'player_id', " t ".player_id, 'value', coalesce(" t                    \
  ".value, '{}'::jsonb), "                                                      \
  "'version', " t ".version, 'read_perm', " t ".read_perm, 'write_perm', " t    \
  ".write_perm, 'updated_at', " STO_TS(t ".updated_at") ")"

// The player rows of ($2, $3): a key belongs to its first HTTP writer, so there is one unless
// scripts wrote rows of other players under the same key.
#define STO_ROWS                                                                            \
  "rows AS (SELECT id, player_id, write_perm FROM storage WHERE collection = $2 AND key = " \
  "$3 AND player_id IS NOT NULL), cnt AS (SELECT count(*) AS c FROM rows)"

}  // namespace

const db::Statement kStorageList(
    "storage_list",
    "SELECT coalesce(json_agg(j ORDER BY k, i), '[]'::json)::text FROM (SELECT " STO_JSON("s")
    " AS j, s.key AS k, s.id AS i FROM storage s WHERE s.collection = $1 AND (s.read_perm = "
    "'public' OR s.player_id = $2) ORDER BY s.key, s.id LIMIT $3) t",
    {PgType::kVarchar, PgType::kUuid, PgType::kInt4});

const db::Statement kStorageGet("storage_get",
                                "SELECT " STO_JSON("s")
                                "::text, s.player_id::text, s.read_perm FROM storage s WHERE "
                                "s.collection = $1 AND s.key = $2 AND s.player_id IS NOT NULL "
                                "LIMIT 2",
                                {PgType::kVarchar, PgType::kVarchar});

const db::Statement kStorageLock("storage_lock",
                                 "SELECT pg_advisory_xact_lock(hashtext($1::text), "
                                 "hashtext($2::text))",
                                 {PgType::kVarchar, PgType::kVarchar});

// The owner may change the value and both perms; anyone else only the value of a
// write_perm = public row. A new key gets the caller as owner (perms default to owner).
const db::Statement kStoragePut(
    "storage_put",
    "WITH " STO_ROWS
    ", upd AS (UPDATE storage s SET value = $5, version = s.version + 1, updated_at = now(), "
    "read_perm = CASE WHEN s.player_id = $4 THEN coalesce($6, s.read_perm) ELSE s.read_perm END, "
    "write_perm = CASE WHEN s.player_id = $4 THEN coalesce($7, s.write_perm) ELSE s.write_perm "
    "END FROM rows r WHERE s.id = r.id AND (SELECT c FROM cnt) = 1 AND (r.player_id = $4 OR "
    "r.write_perm = 'public') RETURNING " STO_JSON("s")
    " AS j), "
    "ins AS (INSERT INTO storage (id, collection, key, player_id, value, version, read_perm, "
    "write_perm, updated_at) SELECT $1, $2, $3, $4, $5, 1, coalesce($6, 'owner'), coalesce($7, "
    "'owner'), now() WHERE (SELECT c FROM cnt) = 0 RETURNING " STO_JSON("storage")
    " AS j) "
    "SELECT (SELECT c FROM cnt), coalesce((SELECT j::text FROM upd), (SELECT j::text FROM ins))",
    {PgType::kUuid, PgType::kVarchar, PgType::kVarchar, PgType::kUuid, PgType::kJsonb,
     PgType::kVarchar, PgType::kVarchar});

const db::Statement kStorageDelete(
    "storage_delete",
    "WITH rows AS (SELECT id, player_id, write_perm FROM storage WHERE collection = $1 AND key "
    "= $2 AND player_id IS NOT NULL), cnt AS (SELECT count(*) AS c FROM rows), "
    "del AS (DELETE FROM storage s USING rows r WHERE s.id = r.id AND (SELECT c FROM cnt) = 1 "
    "AND (r.player_id = $3 OR r.write_perm = 'public') RETURNING s.id) "
    "SELECT (SELECT c FROM cnt), (SELECT count(*) FROM del)",
    {PgType::kVarchar, PgType::kVarchar, PgType::kUuid});

#define STO_SCRIPT_JSON                                                                       \
  "json_build_object('collection', collection, 'key', key, 'player_id', player_id, 'value', " \
  "value, 'version', version, 'read_perm', read_perm, 'write_perm', write_perm)::text"

const db::Statement kScriptGetGlobal("storage_script_get_global",
                                     "SELECT value::text FROM storage WHERE collection = $1 AND "
                                     "key = $2 AND player_id IS NULL",
                                     {PgType::kVarchar, PgType::kVarchar});

const db::Statement kScriptGetPlayer("storage_script_get_player",
                                     "SELECT value::text FROM storage WHERE collection = $1 AND "
                                     "key = $2 AND player_id = $3",
                                     {PgType::kVarchar, PgType::kVarchar, PgType::kUuid});

const db::Statement kScriptSetGlobal(
    "storage_script_set_global",
    "INSERT INTO storage (id, collection, key, player_id, value, version, read_perm, "
    "write_perm, updated_at) VALUES ($1, $2, $3, NULL, $4, 1, 'owner', 'owner', now()) "
    "ON CONFLICT (collection, key) WHERE player_id IS NULL DO UPDATE SET value = "
    "EXCLUDED.value, version = storage.version + 1, updated_at = now() RETURNING " STO_SCRIPT_JSON,
    {PgType::kUuid, PgType::kVarchar, PgType::kVarchar, PgType::kJsonb});

const db::Statement kScriptSetPlayer(
    "storage_script_set_player",
    "INSERT INTO storage (id, collection, key, player_id, value, version, read_perm, "
    "write_perm, updated_at) VALUES ($1, $2, $3, $5, $4, 1, 'owner', 'owner', now()) "
    "ON CONFLICT (collection, key, player_id) WHERE player_id IS NOT NULL DO UPDATE SET value = "
    "EXCLUDED.value, version = storage.version + 1, updated_at = now() RETURNING " STO_SCRIPT_JSON,
    {PgType::kUuid, PgType::kVarchar, PgType::kVarchar, PgType::kJsonb, PgType::kUuid});

}  // namespace asobi::saves::sql

namespace asobi::saves::sql {

using db::PgType;

const db::Statement kScriptReadGlobalVersioned(
    "storage_script_read_global_v",
    "SELECT id, coalesce(value, '{}'::jsonb)::text, version FROM storage WHERE collection = $1 "
    "AND key = $2 AND player_id IS NULL",
    {PgType::kVarchar, PgType::kVarchar});

const db::Statement kScriptReadPlayerVersioned(
    "storage_script_read_player_v",
    "SELECT id, coalesce(value, '{}'::jsonb)::text, version FROM storage WHERE collection = $1 "
    "AND key = $2 AND player_id = $3",
    {PgType::kVarchar, PgType::kVarchar, PgType::kUuid});

const db::Statement kScriptUpdateIfVersion(
    "storage_script_update_if_version",
    "UPDATE storage SET value = $3, version = version + 1, updated_at = now() WHERE id = $1 AND "
    "version = $2 RETURNING value::text",
    {PgType::kUuid, PgType::kInt4, PgType::kJsonb});

const db::Statement kScriptInsertGlobalIfAbsent(
    "storage_script_insert_global_if_absent",
    "INSERT INTO storage (id, collection, key, player_id, value, version, read_perm, "
    "write_perm, updated_at) VALUES ($1, $2, $3, NULL, $4, 1, 'owner', 'owner', now()) "
    "ON CONFLICT (collection, key) WHERE player_id IS NULL DO NOTHING RETURNING value::text",
    {PgType::kUuid, PgType::kVarchar, PgType::kVarchar, PgType::kJsonb});

const db::Statement kScriptInsertPlayerIfAbsent(
    "storage_script_insert_player_if_absent",
    "INSERT INTO storage (id, collection, key, player_id, value, version, read_perm, "
    "write_perm, updated_at) VALUES ($1, $2, $3, $5, $4, 1, 'owner', 'owner', now()) "
    "ON CONFLICT (collection, key, player_id) WHERE player_id IS NOT NULL DO NOTHING "
    "RETURNING value::text",
    {PgType::kUuid, PgType::kVarchar, PgType::kVarchar, PgType::kJsonb, PgType::kUuid});

}  // namespace asobi::saves::sql
