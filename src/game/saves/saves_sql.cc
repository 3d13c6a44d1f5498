#include "game/saves/saves_sql.h"

namespace asobi::saves::sql {
namespace {

using db::PgType;

#define SAVE_TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
#define SAVE_JSON                                                                             \
  "json_build_object('id', id, 'player_id', player_id, 'slot', slot, 'data', coalesce(data, " \
  "'{}'::jsonb), 'version', version, 'updated_at', " SAVE_TS("updated_at") ")"

}  // namespace

const db::Statement kList("saves_list",
                          "SELECT coalesce(json_agg(json_build_object('slot', slot, 'version', "
                          "version, 'updated_at', " SAVE_TS(
                              "updated_at") ") ORDER BY slot), '[]'::json)::text FROM "
                                            "cloud_saves WHERE player_id = $1",
                          {PgType::kUuid});

const db::Statement kGet("saves_get",
                         "SELECT " SAVE_JSON
                         "::text FROM cloud_saves WHERE player_id = $1 AND slot = $2",
                         {PgType::kUuid, PgType::kVarchar});

const db::Statement kLockPlayer("saves_lock_player",
                                "SELECT pg_advisory_xact_lock(hashtext('cloud_saves'), "
                                "hashtext($1::text))",
                                {PgType::kUuid});

// Its snapshot is taken after kLockPlayer returned, so it sees every earlier write of the
// player: the version check and the slot count are exact.
const db::Statement kPut(
    "saves_put",
    "WITH cur AS (SELECT version FROM cloud_saves WHERE player_id = $2 AND slot = $3), "
    "n AS (SELECT count(*) AS c FROM cloud_saves WHERE player_id = $2), "
    "upd AS (UPDATE cloud_saves SET data = $4, version = version + 1, updated_at = now() "
    "WHERE player_id = $2 AND slot = $3 AND ($5::int IS NULL OR version = $5) RETURNING " SAVE_JSON
    " AS j), "
    "ins AS (INSERT INTO cloud_saves (id, player_id, slot, data, version, updated_at) "
    "SELECT $1, $2, $3, $4, 1, now() WHERE NOT EXISTS (SELECT 1 FROM cur) AND "
    "(SELECT c FROM n) < $6 RETURNING " SAVE_JSON
    " AS j) "
    "SELECT (SELECT version FROM cur), (SELECT c FROM n), "
    "coalesce((SELECT j::text FROM upd), (SELECT j::text FROM ins))",
    {PgType::kUuid, PgType::kUuid, PgType::kVarchar, PgType::kJsonb, PgType::kInt4, PgType::kInt4});

}  // namespace asobi::saves::sql
