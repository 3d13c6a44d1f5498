#include "game/leaderboard/leaderboard_sql.h"

namespace asobi::leaderboard::sql {
namespace {

using db::PgType;

#define LB_MS(col) "(extract(epoch FROM " col ") * 1000)::bigint"

}  // namespace

const db::Statement kUpsert(
    "leaderboard_upsert",
    "INSERT INTO leaderboard_entries (id, leaderboard_id, player_id, score, sub_score, metadata, "
    "updated_at) SELECT r.id, r.b, r.p, r.s, 0, '{}'::jsonb, to_timestamp(r.t / 1000.0) "
    "FROM json_to_recordset($1) AS r(id uuid, b varchar, p uuid, s bigint, t bigint) "
    "WHERE EXISTS (SELECT 1 FROM players pl WHERE pl.id = r.p) "
    "ON CONFLICT (leaderboard_id, player_id) DO UPDATE SET score = EXCLUDED.score, "
    "updated_at = EXCLUDED.updated_at "
    "WHERE leaderboard_entries.updated_at <= EXCLUDED.updated_at",
    {PgType::kJson});

// Rank order (score descending, then the player_id column, not the text output of that name),
// walking the index (leaderboard_id, score DESC, player_id) from the last key read.
const db::Statement kHydrateFirst(
    "leaderboard_hydrate_first",
    "SELECT player_id::text, score, " LB_MS("updated_at") " FROM leaderboard_entries "
    "WHERE leaderboard_id = $1 ORDER BY score DESC, leaderboard_entries.player_id LIMIT $2",
    {PgType::kVarchar, PgType::kInt4});

const db::Statement kHydrateAfter(
    "leaderboard_hydrate_after",
    "SELECT player_id::text, score, " LB_MS("updated_at") " FROM leaderboard_entries "
    "WHERE leaderboard_id = $1 AND score <= $2 AND (score < $2 OR player_id > $3) "
    "ORDER BY score DESC, leaderboard_entries.player_id LIMIT $4",
    {PgType::kVarchar, PgType::kInt8, PgType::kUuid, PgType::kInt4});

const db::Statement kTop("leaderboard_top",
                         "SELECT player_id::text, score, " LB_MS(
                             "updated_at") ", row_number() OVER (ORDER BY score DESC, player_id) "
                                           "FROM leaderboard_entries WHERE leaderboard_id = $1 "
                                           "ORDER BY score DESC, leaderboard_entries.player_id LIMIT $2",
                         {PgType::kVarchar, PgType::kInt4});

const db::Statement kAround(
    "leaderboard_around",
    "WITH r AS (SELECT player_id, score, updated_at, row_number() OVER (ORDER BY score DESC, "
    "player_id) AS rank FROM leaderboard_entries WHERE leaderboard_id = $1), "
    "me AS (SELECT rank FROM r WHERE player_id = $2) "
    "SELECT r.player_id::text, r.score, " LB_MS(
        "r.updated_at") ", r.rank FROM r, me WHERE r.rank BETWEEN me.rank - $3 AND me.rank + $3 "
                        "ORDER BY r.rank",
    {PgType::kVarchar, PgType::kUuid, PgType::kInt4});

}  // namespace asobi::leaderboard::sql
