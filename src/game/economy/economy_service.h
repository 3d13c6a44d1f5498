// EconomyService: wallets kept as a ledger, the store, and inventories (rest.md §3.5, §5;
// lua.md §9 Economy). One instance per shard on top of that shard's pipelined PostgreSQL
// connection; every method and every callback runs on the calling shard. There is no owner
// shard: PostgreSQL serialises changes to one wallet with its row lock, so a grant or a debit
// may be issued on any shard (docs/decisions.md "Wallet ledger").
//
// Ledger invariants (held by the SQL, not by this process):
//   - every balance change is one `transactions` row with `balance_after`, written by the same
//     statement (hence the same database transaction) as the balance;
//   - a balance is never negative (CHECK) and never passes INT's 2^31 - 1: a debit that would
//     go below zero is refused with `insufficient_funds`, a grant that would overflow with
//     `balance_overflow`, in both cases without writing anything;
//   - the amounts of a wallet's transactions sum to its balance.
//
// Idempotency (beyond upstream, docs/decisions.md "Idempotent grants and debits"): a grant or
// debit with an idempotency key is applied at most once per wallet (player, currency). A retry
// with the same key and the same signed amount and reason returns the original outcome (the
// balance right after the original change, `replayed = true`) and writes nothing; the same
// key with another amount or reason fails with `idempotency_conflict`. A call that failed
// wrote nothing, so its retry is a fresh attempt. Keys are stored in
// `transactions.idempotency_key` (unique per wallet).
//
// Error reasons (Error::reason) are the Lua reasons of lua.md §9: invalid_amount,
// invalid_currency, invalid_reason, invalid_idempotency_key, player_not_found,
// insufficient_funds, balance_overflow, idempotency_conflict, listing_not_found,
// listing_inactive, item_not_found, forbidden, insufficient_quantity, invalid_quantity,
// not_ready (database unreachable, overloaded or past its deadline: the outcome of a write
// that was in flight is unknown; retry it with the same idempotency key), internal.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "db/pg_connection.h"
#include "game/economy/write_queue.h"
#include "reactor/reactor.h"

namespace asobi::economy {

/// Amounts and quantities are PostgreSQL INTEGERs (rest.md §5).
inline constexpr int64_t kMaxAmount = 2147483647;
/// Currency, reason and idempotency key are VARCHAR(255) (rest.md §5).
inline constexpr size_t kMaxTextBytes = 255;
/// Inventory consume quantity bounds (rest.md §3.5).
inline constexpr int64_t kMaxConsumeQuantity = 1000000;

/// The outcome of a grant or debit.
struct WalletChange {
  std::string player_id;
  std::string currency;
  /// The balance right after this change (for a replay: right after the original change).
  int64_t balance = 0;
  /// The signed amount recorded (+ for grants, - for debits).
  int64_t amount = 0;
  /// The `transactions` row of the change (of the original change for a replay).
  std::string transaction_id;
  /// True when an earlier call with the same idempotency key had applied it already.
  bool replayed = false;
};

/// One wallet of a player.
struct WalletBalance {
  std::string currency;
  int64_t balance = 0;
};

/// A successful purchase: the new `player_items` row as JSON (rest.md §5 columns, timestamps
/// RFC 3339 with milliseconds) and the balance left.
struct PurchaseResult {
  std::string item_json;
  std::string currency;
  int64_t balance = 0;
};

/// Callbacks run on the calling shard, exactly once.
using WalletCallback = std::function<void(Result<WalletChange>)>;
using BalancesCallback = std::function<void(Result<std::vector<WalletBalance>>)>;
/// A JSON array of rows (rest.md §5 columns), e.g. `[{"id":...},...]`.
using RowsCallback = std::function<void(Result<std::string>)>;
using PurchaseCallback = std::function<void(Result<PurchaseResult>)>;
/// The quantity left (0: the row was deleted).
using ConsumeCallback = std::function<void(Result<int64_t>)>;

/// One per shard, created by RegisterEconomy's start-up step; shard-affine.
class EconomyService {
 public:
  /// Construct on the shard's own thread (it becomes that thread's OnThisShard()). `reactor`
  /// (the shard's) and `db` must outlive the service. Callbacks never run inside the call
  /// that was given them: input errors are posted to the next loop turn.
  /// Writes (grants, debits, purchases, consumes) go through a WriteQueue (group commit,
  /// write_queue.h) bounded by `write_queue.max_waiting`; past it they fail with not_ready.
  EconomyService(Reactor& reactor, db::PgConnection& db, WriteQueue::Options write_queue = {});
  ~EconomyService();
  EconomyService(const EconomyService&) = delete;
  EconomyService& operator=(const EconomyService&) = delete;

  /// The calling shard thread's service, or null (no database, or not a shard thread).
  static EconomyService* OnThisShard();
  /// Counts every committed ledger row (a grant, debit or purchase that changed a balance;
  /// replays excluded) into `*counter` (node-wide, outlives the service; /metrics
  /// asobi_ledger_transactions_total). Call once after construction; null = not counted.
  void CountLedgerRowsInto(std::atomic<uint64_t>* counter) { ledger_rows_ = counter; }

  /// Credits `amount` (1 .. kMaxAmount) of `currency` to `player_id`'s wallet, creating the
  /// wallet on demand. `reason` is stored on the transaction (empty = "admin_grant").
  /// `idempotency_key` (1-255 bytes; nullopt = none) makes retries apply once (header
  /// comment). Errors: invalid_amount, invalid_currency, invalid_reason,
  /// invalid_idempotency_key, player_not_found (not a UUID, or no such player),
  /// balance_overflow, idempotency_conflict, not_ready, internal.
  void Grant(std::string player_id, std::string currency, int64_t amount, std::string reason,
             std::optional<std::string> idempotency_key, WalletCallback done);
  /// Debits `amount` (1 .. kMaxAmount); empty `reason` = "purchase". Errors: as Grant, plus
  /// insufficient_funds (nothing written) instead of balance_overflow.
  void Debit(std::string player_id, std::string currency, int64_t amount, std::string reason,
             std::optional<std::string> idempotency_key, WalletCallback done);

  /// Every wallet of `player_id`, by currency. A non-UUID id has no wallets (empty list).
  void Balances(std::string player_id, BalancesCallback done);
  /// The newest `limit` transactions of the (player, currency) wallet as a JSON array, newest
  /// first; creates the wallet (balance 0) when absent (rest.md §3.5, upstream side effect).
  void History(std::string player_id, std::string currency, int limit, RowsCallback done);

  /// Active store listings (optionally of one currency) as a JSON array (rest.md §3.5).
  void Listings(std::optional<std::string> currency, RowsCallback done);
  /// Buys `listing_id` for `player_id` in one statement: debit (reason `purchase`,
  /// reference store_listing/<id>) and a new player_items row (quantity 1) commit together or
  /// not at all. Errors: listing_not_found (unknown or not a UUID), listing_inactive,
  /// insufficient_funds, player_not_found, not_ready, internal.
  void Purchase(std::string player_id, std::string listing_id, PurchaseCallback done);

  /// The player's items as a JSON array, newest `acquired_at` first, at most `limit`.
  void Inventory(std::string player_id, int limit, RowsCallback done);
  /// Consumes `quantity` (1 .. kMaxConsumeQuantity) of item row `item_id`; the row is deleted
  /// when it reaches 0. Errors: invalid_quantity, item_not_found (unknown or not a UUID),
  /// forbidden (another player's item), insufficient_quantity, not_ready, internal.
  void Consume(std::string player_id, std::string item_id, int64_t quantity, ConsumeCallback done);

  /// This shard's connection and the economy's group-commit queue (tests, metrics).
  db::PgConnection& db() { return db_; }
  const WriteQueue& writes() const { return writes_; }

 private:
  template <typename T>
  void FailLater(std::function<void(Result<T>)> done, std::string_view reason);
  void Change(std::string player_id, std::string currency, int64_t signed_amount,
              std::string reason, std::optional<std::string> idempotency_key, WalletCallback done);

  Reactor& reactor_;
  db::PgConnection& db_;
  WriteQueue writes_;
  std::atomic<uint64_t>* ledger_rows_ = nullptr;
};

/// Maps a database error to the service's reason: not_ready when the database is
/// unreachable, overloaded or timed out; internal otherwise.
std::string_view EconomyDbReason(const db::PgError& e);

}  // namespace asobi::economy
