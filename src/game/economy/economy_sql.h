// The economy's prepared statements (rest.md §3.5, §5). Rows leave PostgreSQL already encoded
// as JSON objects with the spec's column names, timestamps as RFC 3339 UTC with milliseconds
// (DECISIONS.md REST 1), NULLs as null.
#pragma once

#include "db/statement.h"

namespace asobi::economy::sql {

/// Get-or-create a wallet: ($1 new wallet id, $2 player id, $3 currency). No rows.
extern const db::Statement kEnsureWallet;
/// Locks the (player $1, currency $2) wallet row until the transaction ends.
extern const db::Statement kLockWallet;
/// One balance change with its ledger row: ($1 transaction id, $2 player id, $3 currency,
/// $4 signed amount, $5 reason, $6 idempotency key or NULL). One row:
/// (applied transaction id, balance after | prior transaction id, prior amount,
///  prior balance_after, prior reason) — all NULL when the change was refused.
extern const db::Statement kApplyChange;
/// ($1 player id) -> rows (currency, balance).
extern const db::Statement kBalances;
/// ($1 player id, $2 currency, $3 limit) -> one row: JSON array of transactions, newest first.
extern const db::Statement kHistory;
/// ($1 currency or NULL) -> one row: JSON array of active listings.
extern const db::Statement kListings;
/// Get-or-create the wallet of a listing's currency: ($1 new wallet id, $2 player id,
/// $3 listing id). No rows.
extern const db::Statement kEnsureListingWallet;
/// ($1 transaction id, $2 player id, $3 listing id, $4 item id) -> one row: (listing found
/// count, listing active, item JSON or NULL, balance after or NULL, listing currency).
extern const db::Statement kPurchase;
/// ($1 player id, $2 limit) -> one row: JSON array of player_items, newest first.
extern const db::Statement kInventory;
/// ($1 item id) -> (player id, quantity) of the row, locked until the transaction ends.
extern const db::Statement kLockItem;
/// ($1 item id, $2 player id, $3 quantity) -> one row: (quantity left after an update or
/// NULL, rows deleted).
extern const db::Statement kConsume;

}  // namespace asobi::economy::sql
