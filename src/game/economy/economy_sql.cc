#include "game/economy/economy_sql.h"

namespace asobi::economy::sql {
namespace {

using db::PgType;

// RFC 3339 UTC with milliseconds (DECISIONS.md REST 1).
#define ECON_TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

#define ECON_TRANSACTION_JSON                                                           \
  "json_build_object('id', t.id, 'wallet_id', t.wallet_id, 'amount', t.amount, "        \
  "'balance_after', t.balance_after, 'reason', t.reason, 'reference_type', "            \
  "t.reference_type, 'reference_id', t.reference_id, 'metadata', coalesce(t.metadata, " \
  "'{}'::jsonb), 'inserted_at', " ECON_TS("t.inserted_at") ")"

#define ECON_LISTING_JSON                                                                      \
  "json_build_object('id', id, 'item_def_id', item_def_id, 'currency', currency, 'price', "    \
  "price, 'active', active, 'valid_from', " ECON_TS("valid_from") ", 'valid_until', " ECON_TS( \
      "valid_until") ", 'metadata', coalesce(metadata, '{}'::jsonb))"

#define ECON_ITEM_JSON                                                                          \
  "json_build_object('id', id, 'item_def_id', item_def_id, 'player_id', player_id, "            \
  "'quantity', quantity, 'metadata', coalesce(metadata, '{}'::jsonb), 'acquired_at', " ECON_TS( \
      "acquired_at") ", 'updated_at', " ECON_TS("updated_at") ")"

}  // namespace

const db::Statement kEnsureWallet(
    "economy_ensure_wallet",
    "INSERT INTO wallets (id, player_id, currency, balance, inserted_at, updated_at) "
    "VALUES ($1, $2, $3, 0, now(), now()) ON CONFLICT (player_id, currency) DO NOTHING",
    {PgType::kUuid, PgType::kUuid, PgType::kVarchar});

const db::Statement kLockWallet(
    "economy_lock_wallet",
    "SELECT id FROM wallets WHERE player_id = $1 AND currency = $2 FOR UPDATE",
    {PgType::kUuid, PgType::kVarchar});

// The UPDATE re-checks its WHERE against the newest row version when it waited for another
// writer's lock (READ COMMITTED), so concurrent debits never take a balance below zero. The
// `prior` lookup is exact because a keyed change locks the wallet row first (kLockWallet, a
// separate statement with its own snapshot); the unique index on (wallet_id,
// idempotency_key) backs it up.
const db::Statement kApplyChange(
    "economy_apply_change",
    "WITH w AS (SELECT id FROM wallets WHERE player_id = $2 AND currency = $3), "
    "prior AS (SELECT t.id, t.amount, t.balance_after, t.reason FROM transactions t "
    "JOIN w ON t.wallet_id = w.id WHERE t.idempotency_key = $6), "
    "upd AS (UPDATE wallets SET balance = balance + $4, updated_at = now() "
    "WHERE player_id = $2 AND currency = $3 AND NOT EXISTS (SELECT 1 FROM prior) "
    "AND balance + $4 BETWEEN 0 AND 2147483647 RETURNING id, balance), "
    "ins AS (INSERT INTO transactions (id, wallet_id, amount, balance_after, reason, metadata, "
    "idempotency_key, inserted_at) SELECT $1, id, $4, balance, $5, '{}'::jsonb, $6, now() "
    "FROM upd RETURNING id) "
    "SELECT (SELECT id::text FROM ins), (SELECT balance FROM upd), (SELECT id::text FROM prior), "
    "(SELECT amount FROM prior), (SELECT balance_after FROM prior), (SELECT reason FROM prior)",
    {PgType::kUuid, PgType::kUuid, PgType::kVarchar, PgType::kInt8, PgType::kVarchar,
     PgType::kVarchar});

const db::Statement kBalances(
    "economy_balances",
    "SELECT currency, balance FROM wallets WHERE player_id = $1 ORDER BY currency",
    {PgType::kUuid});

const db::Statement kHistory(
    "economy_history",
    "SELECT coalesce(json_agg(j ORDER BY ins DESC, id DESC), '[]'::json)::text FROM ("
    "SELECT " ECON_TRANSACTION_JSON
    " AS j, t.inserted_at AS ins, t.id FROM transactions t "
    "JOIN wallets w ON t.wallet_id = w.id WHERE w.player_id = $1 AND w.currency = $2 "
    "ORDER BY t.inserted_at DESC, t.id DESC LIMIT $3) s",
    {PgType::kUuid, PgType::kVarchar, PgType::kInt4});

const db::Statement kListings(
    "economy_listings",
    "SELECT coalesce(json_agg(" ECON_LISTING_JSON
    " ORDER BY id), '[]'::json)::text "
    "FROM store_listings WHERE active AND ($1::varchar IS NULL OR currency = $1)",
    {PgType::kVarchar});

const db::Statement kEnsureListingWallet(
    "economy_ensure_listing_wallet",
    "INSERT INTO wallets (id, player_id, currency, balance, inserted_at, updated_at) "
    "SELECT $1, $2, currency, 0, now(), now() FROM store_listings WHERE id = $3 "
    "ON CONFLICT (player_id, currency) DO NOTHING",
    {PgType::kUuid, PgType::kUuid, PgType::kUuid});

// Debit and item in ONE statement: both data-modifying CTEs run exactly once, fed by the same
// `upd` row, and commit or roll back together.
const db::Statement kPurchase(
    "economy_purchase",
    "WITH l AS (SELECT id, item_def_id, currency, price, active FROM store_listings "
    "WHERE id = $3), "
    "upd AS (UPDATE wallets w SET balance = w.balance - l.price, updated_at = now() FROM l "
    "WHERE w.player_id = $2 AND w.currency = l.currency AND l.active AND w.balance >= l.price "
    "RETURNING w.id AS wallet_id, w.balance, l.price, l.item_def_id), "
    "tx AS (INSERT INTO transactions (id, wallet_id, amount, balance_after, reason, "
    "reference_type, reference_id, metadata, inserted_at) SELECT $1, wallet_id, -price, "
    "balance, 'purchase', 'store_listing', $3::text, '{}'::jsonb, now() FROM upd), "
    "item AS (INSERT INTO player_items (id, item_def_id, player_id, quantity, metadata, "
    "acquired_at, updated_at) SELECT $4, item_def_id, $2, 1, '{}'::jsonb, now(), now() "
    "FROM upd RETURNING " ECON_ITEM_JSON
    " AS j) "
    "SELECT (SELECT count(*) FROM l), (SELECT active FROM l), (SELECT j::text FROM item), "
    "(SELECT balance FROM upd), (SELECT currency FROM l)",
    {PgType::kUuid, PgType::kUuid, PgType::kUuid, PgType::kUuid});

const db::Statement kInventory(
    "economy_inventory",
    "SELECT coalesce(json_agg(j ORDER BY acq DESC, id DESC), '[]'::json)::text FROM ("
    "SELECT " ECON_ITEM_JSON
    " AS j, acquired_at AS acq, id FROM player_items "
    "WHERE player_id = $1 ORDER BY acquired_at DESC, id DESC LIMIT $2) s",
    {PgType::kUuid, PgType::kInt4});

const db::Statement kLockItem(
    "economy_lock_item",
    "SELECT player_id::text, quantity FROM player_items WHERE id = $1 FOR UPDATE", {PgType::kUuid});

const db::Statement kConsume(
    "economy_consume",
    "WITH upd AS (UPDATE player_items SET quantity = quantity - $3, updated_at = now() "
    "WHERE id = $1 AND player_id = $2 AND quantity > $3 RETURNING quantity), "
    "del AS (DELETE FROM player_items WHERE id = $1 AND player_id = $2 AND quantity = $3 "
    "RETURNING id) "
    "SELECT (SELECT quantity FROM upd), (SELECT count(*) FROM del)",
    {PgType::kUuid, PgType::kUuid, PgType::kInt4});

}  // namespace asobi::economy::sql
