// The tournaments' prepared statements (rest.md §3.8, §5). Rows leave PostgreSQL already
// encoded as JSON with the spec's column names, timestamps RFC 3339 UTC with milliseconds.
#pragma once

#include "db/statement.h"

namespace asobi::tournament::sql {

/// ($1 status or NULL, $2 limit) -> one row: JSON array of tournaments by start_at.
extern const db::Statement kList;
/// ($1 id) -> one row: the tournament as JSON; no rows when absent.
extern const db::Statement kGet;
/// ($1 id) -> (max_entries or NULL) of a joinable tournament (pending or active, not past
/// end_at), its row locked until the transaction ends; no rows otherwise.
extern const db::Statement kLockJoinable;
/// ($1 new row id, $2 tournament id, $3 player id) -> one row: (already joined, entry count
/// before, inserted). Inserts only when not joined and under the max_entries of kLockJoinable.
extern const db::Statement kJoin;
/// ($1 id) -> one row: the tournament's entry_fee as JSON text ('{}' when NULL); no rows when
/// absent.
extern const db::Statement kEntryFee;
/// ($1 new wallet id, $2 player id, $3 currency, $4 participant row id) creates the player's
/// (empty) wallet of `currency` when absent, only if participant row $4 exists (kJoin inserted
/// it earlier in the same transaction). No rows.
extern const db::Statement kEnsureFeeWallet;
/// ($1 new transaction id, $2 participant row id, $3 player id, $4 currency, $5 amount,
/// $6 tournament id as text) debits the entry fee, only if participant row $2 exists: the
/// balance and one `transactions` row (reason `tournament_entry`, reference tournament/<id>,
/// idempotency key `tournament_entry:<id>`) in one statement, as the ledger requires
/// (economy_service.h). A balance too low fails the statement with a CHECK violation
/// (wallets_balance_non_negative), which rolls the whole join back.
extern const db::Statement kChargeFee;
/// () -> one row: true once the migrations created every table the clock uses (it must not
/// prepare statements on them earlier: a failed prepare stays failed on that session).
extern const db::Statement kTablesReady;
/// Flips pending tournaments whose start_at passed (and end_at not) to active. No rows.
extern const db::Statement kActivate;
/// () -> rows (id, leaderboard_id, rewards JSON text) of unfinished tournaments past end_at.
extern const db::Statement kDue;
/// ($1 tournament id, $2 board id, $3 deepest rewarded rank) -> rows (player_id, rank): the
/// participants ranked on the board (score desc, player id asc), rank <= $3.
extern const db::Statement kStandings;
/// ($1 tournament id) marks it finished (only from pending/active). No rows.
extern const db::Statement kFinish;
/// ($1 tournament id, $2 JSON array of {"id": new notification id, "p": player id,
/// "content": object}) -> marks the tournament finished (from pending/active) and, in the same
/// statement, stores one `tournament_reward` notification per listed player that still exists
/// (content plus `tournament_name`); none when it was already finished. Rows: (player id,
/// notification row JSON as in notification_sql.cc).
extern const db::Statement kFinishAndNotify;

}  // namespace asobi::tournament::sql
