#include "game/tournament/tournament_sql.h"

namespace asobi::tournament::sql {
namespace {

using db::PgType;

#define TRN_TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

#define TRN_JSON \
  "json_build_object('id', id, 'name', name, 'leaderboard_id', leaderboard_id, "             \
  "'max_entries', max_entries, 'entry_fee', coalesce(entry_fee, '{}'::jsonb), 'rewards', "   \
  "coalesce(rewards, '{}'::jsonb), 'status', status, 'start_at', " TRN_TS(                   \
      "start_at") ", 'end_at', " TRN_TS("end_at") ", 'metadata', coalesce(metadata, "        \
                                                  "'{}'::jsonb), 'inserted_at', " TRN_TS( \
                                                      "inserted_at") ")"

}  // namespace

const db::Statement kList("tournament_list",
                          "SELECT coalesce(json_agg(j ORDER BY s, i), '[]'::json)::text FROM ("
                          "SELECT " TRN_JSON
                          " AS j, start_at AS s, id AS i FROM tournaments "
                          "WHERE ($1::varchar IS NULL OR status = $1) "
                          "ORDER BY start_at, id LIMIT $2) t",
                          {PgType::kVarchar, PgType::kInt4});

const db::Statement kGet("tournament_get",
                         "SELECT " TRN_JSON "::text FROM tournaments WHERE id = $1",
                         {PgType::kUuid});

const db::Statement kLockJoinable(
    "tournament_lock_joinable",
    "SELECT max_entries FROM tournaments WHERE id = $1 AND status IN ('pending', 'active') "
    "AND end_at > now() FOR UPDATE",
    {PgType::kUuid});

// Runs after kLockJoinable in the same transaction, with a snapshot taken after the lock, so
// the count sees every earlier join of this tournament.
const db::Statement kJoin(
    "tournament_join",
    "WITH t AS (SELECT id, max_entries FROM tournaments WHERE id = $2 AND status IN "
    "('pending', 'active') AND end_at > now()), "
    "already AS (SELECT 1 FROM tournament_participants WHERE tournament_id = $2 AND "
    "player_id = $3), "
    "n AS (SELECT count(*) AS c FROM tournament_participants WHERE tournament_id = $2), "
    "ins AS (INSERT INTO tournament_participants (id, tournament_id, player_id, joined_at) "
    "SELECT $1, t.id, $3, now() FROM t, n WHERE NOT EXISTS (SELECT 1 FROM already) AND "
    "(t.max_entries IS NULL OR n.c < t.max_entries) ON CONFLICT DO NOTHING RETURNING id) "
    "SELECT (SELECT count(*) FROM already), (SELECT c FROM n), (SELECT count(*) FROM ins), "
    "(SELECT count(*) FROM t)",
    {PgType::kUuid, PgType::kUuid, PgType::kUuid});

const db::Statement kEntryFee(
    "tournament_entry_fee",
    "SELECT coalesce(entry_fee, '{}'::jsonb)::text FROM tournaments WHERE id = $1",
    {PgType::kUuid});

const db::Statement kEnsureFeeWallet(
    "tournament_ensure_fee_wallet",
    "INSERT INTO wallets (id, player_id, currency, balance, inserted_at, updated_at) "
    "SELECT $1, $2, $3, 0, now(), now() WHERE EXISTS (SELECT 1 FROM tournament_participants "
    "WHERE id = $4) ON CONFLICT (player_id, currency) DO NOTHING",
    {PgType::kUuid, PgType::kUuid, PgType::kVarchar, PgType::kUuid});

const db::Statement kChargeFee(
    "tournament_charge_fee",
    "WITH upd AS (UPDATE wallets SET balance = balance - $5, updated_at = now() "
    "WHERE player_id = $3 AND currency = $4 AND EXISTS (SELECT 1 FROM tournament_participants "
    "WHERE id = $2) RETURNING id, balance) "
    "INSERT INTO transactions (id, wallet_id, amount, balance_after, reason, reference_type, "
    "reference_id, metadata, idempotency_key, inserted_at) SELECT $1, id, -$5, balance, "
    "'tournament_entry', 'tournament', $6, '{}'::jsonb, 'tournament_entry:' || $6, now() "
    "FROM upd",
    {PgType::kUuid, PgType::kUuid, PgType::kUuid, PgType::kVarchar, PgType::kInt8,
     PgType::kVarchar});

const db::Statement kTablesReady(
    "tournament_tables_ready",
    "SELECT to_regclass('tournament_participants') IS NOT NULL AND "
    "to_regclass('leaderboard_entries') IS NOT NULL AND to_regclass('transactions') IS NOT NULL");

const db::Statement kActivate("tournament_activate",
                              "UPDATE tournaments SET status = 'active' WHERE status = 'pending' "
                              "AND start_at <= now() AND end_at > now()");

const db::Statement kDue("tournament_due",
                         "SELECT id::text, leaderboard_id, coalesce(rewards, '{}'::jsonb)::text "
                         "FROM tournaments WHERE status IN ('pending', 'active') AND end_at <= "
                         "now() ORDER BY end_at, id LIMIT 16");

const db::Statement kStandings(
    "tournament_standings",
    "SELECT player_id::text, rank FROM (SELECT e.player_id, row_number() OVER (ORDER BY "
    "e.score DESC, e.player_id) AS rank FROM leaderboard_entries e JOIN tournament_participants "
    "p ON p.player_id = e.player_id AND p.tournament_id = $1 WHERE e.leaderboard_id = $2) s "
    "WHERE rank <= $3 ORDER BY rank",
    {PgType::kUuid, PgType::kVarchar, PgType::kInt8});

const db::Statement kFinish("tournament_finish",
                            "UPDATE tournaments SET status = 'finished' WHERE id = $1 AND status "
                            "IN ('pending', 'active')",
                            {PgType::kUuid});

const db::Statement kFinishAndNotify(
    "tournament_finish_notify",
    "WITH f AS (UPDATE tournaments SET status = 'finished' WHERE id = $1 AND status IN "
    "('pending', 'active') RETURNING name), "
    "ins AS (INSERT INTO notifications (id, player_id, type, subject, content, read, sent_at) "
    "SELECT (e->>'id')::uuid, pl.id, 'tournament_reward', 'Tournament reward', "
    "jsonb_build_object('tournament_name', f.name) || (e->'content')::jsonb, false, now() "
    "FROM f, json_array_elements($2) e JOIN players pl ON pl.id = (e->>'p')::uuid "
    "RETURNING *) "
    "SELECT player_id::text, json_build_object('id', id, 'player_id', player_id, 'type', type, "
    "'subject', subject, 'content', coalesce(content, '{}'::jsonb), 'read', read, 'sent_at', "
    "to_char(sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'))::text FROM ins",
    {PgType::kUuid, PgType::kJson});

}  // namespace asobi::tournament::sql
