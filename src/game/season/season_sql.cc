#include "game/season/season_sql.h"

namespace asobi::season::sql {
namespace {

using db::PgType;

#define SEASON_STATUS                                                                      \
  "CASE WHEN status = 'ended' THEN 'ended' WHEN $1 < starts_at THEN 'upcoming' WHEN $1 < " \
  "ends_at THEN 'active' ELSE 'ending' END"

#define SEASON_JSON                                                                        \
  "json_build_object('id', id, 'name', name, 'starts_at', starts_at, 'ends_at', ends_at, " \
  "'status', " SEASON_STATUS                                                               \
  ", 'leaderboards', coalesce(ranked, '[]'::jsonb), 'rewards', coalesce(rewards, "         \
  "'[]'::jsonb), 'config', coalesce(config, '{}'::jsonb))"

}  // namespace

const db::Statement kList("season_list",
                          "SELECT coalesce(json_agg(j ORDER BY s, i), '[]'::json)::text FROM ("
                          "SELECT " SEASON_JSON
                          " AS j, starts_at AS s, id AS i FROM seasons WHERE ($2::varchar IS "
                          "NULL OR (" SEASON_STATUS ") = $2) ORDER BY starts_at, id LIMIT $3) t",
                          {PgType::kInt8, PgType::kVarchar, PgType::kInt4});

const db::Statement kGet("season_get", "SELECT " SEASON_JSON "::text FROM seasons WHERE id = $2",
                         {PgType::kInt8, PgType::kVarchar});

const db::Statement kCurrent("season_current",
                             "SELECT " SEASON_JSON
                             "::text FROM seasons WHERE starts_at <= $1 AND $1 < ends_at AND "
                             "status <> 'ended' ORDER BY starts_at, id LIMIT 1",
                             {PgType::kInt8});

#define STANDING_JSON                                                                          \
  "json_build_object('leaderboard_id', leaderboard_id, 'player_id', player_id, 'score', "      \
  "score, 'sub_score', 0, 'rank', rank, 'updated_at', to_char(updated_at AT TIME ZONE 'UTC', " \
  "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'))"

const db::Statement kStandings(
    "season_standings",
    "SELECT EXISTS (SELECT 1 FROM seasons WHERE id = $1), coalesce((SELECT json_agg(" STANDING_JSON
    " ORDER BY rank) FROM (SELECT * FROM season_standings WHERE season_id = $1 "
    "AND leaderboard_id = $2 ORDER BY rank LIMIT $3) s), '[]'::json)::text",
    {PgType::kVarchar, PgType::kVarchar, PgType::kInt4});

const db::Statement kStandingsAround(
    "season_standings_around",
    "SELECT EXISTS (SELECT 1 FROM seasons WHERE id = $1), coalesce((SELECT json_agg(" STANDING_JSON
    " ORDER BY rank) FROM (SELECT s.* FROM season_standings s, (SELECT rank AS r FROM "
    "season_standings WHERE season_id = $1 AND leaderboard_id = $2 AND player_id = $3) me "
    "WHERE s.season_id = $1 AND s.leaderboard_id = $2 AND s.rank BETWEEN me.r - $4 AND me.r + "
    "$4) t), '[]'::json)::text",
    {PgType::kVarchar, PgType::kVarchar, PgType::kUuid, PgType::kInt4});

const db::Statement kTablesReady(
    "season_tables_ready",
    "SELECT to_regclass('season_standings') IS NOT NULL AND to_regclass('leaderboard_entries') "
    "IS NOT NULL AND to_regclass('transactions') IS NOT NULL");

const db::Statement kUpsert(
    "season_upsert",
    "INSERT INTO seasons (id, name, starts_at, ends_at, status, config, ranked, rewards, "
    "inserted_at) SELECT r.id, r.name, r.s, r.e, CASE WHEN r.e <= $2 THEN 'ended' ELSE "
    "'upcoming' END, r.c, r.b, r.w, now() FROM "
    "json_to_recordset($1) AS r(id varchar, name varchar, s bigint, e bigint, c jsonb, b jsonb, "
    "w jsonb) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, starts_at = "
    "EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at, config = EXCLUDED.config, ranked = "
    "EXCLUDED.ranked, rewards = EXCLUDED.rewards WHERE seasons.status <> 'ended'",
    {PgType::kJson, PgType::kInt8});

const db::Statement kActivate("season_activate",
                              "UPDATE seasons SET status = 'active' WHERE status = 'upcoming' "
                              "AND starts_at <= $1 AND $1 < ends_at",
                              {PgType::kInt8});

const db::Statement kDue("season_due",
                         "SELECT id, coalesce(ranked, '[]'::jsonb)::text, coalesce(rewards, "
                         "'[]'::jsonb)::text FROM seasons WHERE status IS DISTINCT FROM 'ended' "
                         "AND ends_at <= $1 ORDER BY ends_at, id LIMIT 16",
                         {PgType::kInt8});

const db::Statement kArchive(
    "season_archive",
    "WITH mark AS (INSERT INTO season_archives (season_id, leaderboard_id, entries, archived_at) "
    "SELECT $1, $2, (SELECT count(*) FROM leaderboard_entries WHERE leaderboard_id = $2), now() "
    "ON CONFLICT DO NOTHING RETURNING 1), "
    "moved AS (DELETE FROM leaderboard_entries WHERE leaderboard_id = $2 AND EXISTS (SELECT 1 "
    "FROM mark) RETURNING player_id, score, updated_at) "
    "INSERT INTO season_standings (season_id, leaderboard_id, player_id, rank, score, "
    "updated_at) SELECT $1, $2, player_id, row_number() OVER (ORDER BY score DESC, player_id), "
    "score, updated_at FROM moved",
    {PgType::kVarchar, PgType::kVarchar});

const db::Statement kRanks("season_ranks",
                           "SELECT player_id::text, rank FROM season_standings WHERE season_id "
                           "= $1 AND leaderboard_id = $2 AND rank <= $3 ORDER BY rank",
                           {PgType::kVarchar, PgType::kVarchar, PgType::kInt8});

const db::Statement kFinish("season_finish", "UPDATE seasons SET status = 'ended' WHERE id = $1",
                            {PgType::kVarchar});

}  // namespace asobi::season::sql
