#include "game/economy/economy_service.h"

#include <memory>
#include <utility>

#include "base/utf8.h"
#include "base/uuid.h"
#include "game/economy/economy_sql.h"
#include "simdjson.h"

namespace asobi::economy {
namespace {

using db::Param;

thread_local EconomyService* t_service = nullptr;

Error Fail(std::string_view reason) { return MakeError(std::string(reason)); }

// Error reason of a failed unit: a foreign-key violation on a player reference means the
// player does not exist (rest.md §5: wallets/player_items reference players).
std::string_view UnitReason(const db::PgError& e) {
  if (e.sqlstate == db::kForeignKeyViolation) return "player_not_found";
  return EconomyDbReason(e);
}

// 1-255 bytes of UTF-8 without NUL (a VARCHAR(255) PostgreSQL accepts as is).
bool ValidText(std::string_view s) {
  return !s.empty() && s.size() <= kMaxTextBytes && s.find('\0') == std::string_view::npos &&
         IsValidUtf8(s);
}

// Validates the inputs of a grant or debit; "" when they are fine.
std::string_view CheckChange(std::string_view player_id, std::string_view currency, int64_t amount,
                             std::string_view reason, const std::optional<std::string>& key) {
  if (amount < 1 || amount > kMaxAmount) return "invalid_amount";
  if (!ValidText(currency)) return "invalid_currency";
  if (!ValidText(reason)) return "invalid_reason";
  if (key && !ValidText(*key)) return "invalid_idempotency_key";
  if (!IsCanonicalUuid(player_id)) return "player_not_found";
  return "";
}

// Interprets kApplyChange's row.
Result<WalletChange> ChangeOutcome(const db::PgResult& r, WalletChange change,
                                   std::string_view reason) {
  if (r.rows() != 1) return Fail("internal");
  if (!r.IsNull(0, 0)) {
    change.transaction_id = std::string(r.GetString(0, 0));
    change.balance = r.GetInt64(0, 1).value_or(0);
    return change;
  }
  if (!r.IsNull(0, 2)) {
    // The key was used before: the same operation is a replay, anything else a conflict.
    if (r.GetInt64(0, 3) != change.amount || r.GetString(0, 5) != reason) {
      return Fail("idempotency_conflict");
    }
    change.transaction_id = std::string(r.GetString(0, 2));
    change.balance = r.GetInt64(0, 4).value_or(0);
    change.replayed = true;
    return change;
  }
  return Fail(change.amount < 0 ? "insufficient_funds" : "balance_overflow");
}

}  // namespace

std::string_view EconomyDbReason(const db::PgError& e) {
  if (e.reason == db::kDbUnavailable || e.reason == db::kDbOverloaded ||
      e.reason == db::kDbTimeout) {
    return "not_ready";
  }
  return "internal";
}

EconomyService::EconomyService(Reactor& reactor, db::PgConnection& db,
                               WriteQueue::Options write_queue)
    : reactor_(reactor), db_(db), writes_(reactor, db, write_queue) {
  t_service = this;
}

EconomyService::~EconomyService() {
  if (t_service == this) t_service = nullptr;
}

EconomyService* EconomyService::OnThisShard() { return t_service; }

template <typename T>
void EconomyService::FailLater(std::function<void(Result<T>)> done, std::string_view reason) {
  reactor_.Post([done = std::move(done), r = std::string(reason)]() mutable { done(Fail(r)); });
}

void EconomyService::Grant(std::string player_id, std::string currency, int64_t amount,
                           std::string reason, std::optional<std::string> idempotency_key,
                           WalletCallback done) {
  if (reason.empty()) reason = "admin_grant";
  if (amount < 1 || amount > kMaxAmount) return FailLater(std::move(done), "invalid_amount");
  Change(std::move(player_id), std::move(currency), amount, std::move(reason),
         std::move(idempotency_key), std::move(done));
}

void EconomyService::Debit(std::string player_id, std::string currency, int64_t amount,
                           std::string reason, std::optional<std::string> idempotency_key,
                           WalletCallback done) {
  if (reason.empty()) reason = "purchase";
  if (amount < 1 || amount > kMaxAmount) return FailLater(std::move(done), "invalid_amount");
  Change(std::move(player_id), std::move(currency), -amount, std::move(reason),
         std::move(idempotency_key), std::move(done));
}

void EconomyService::Change(std::string player_id, std::string currency, int64_t signed_amount,
                            std::string reason, std::optional<std::string> idempotency_key,
                            WalletCallback done) {
  std::string_view bad =
      CheckChange(player_id, currency, signed_amount < 0 ? -signed_amount : signed_amount, reason,
                  idempotency_key);
  if (!bad.empty()) return FailLater(std::move(done), bad);
  std::vector<db::StatementCall> calls;
  calls.push_back({&sql::kEnsureWallet,
                   {Param::Uuid(NewUuidV7()), Param::Uuid(player_id), Param::Text(currency)}});
  if (idempotency_key) {
    calls.push_back({&sql::kLockWallet, {Param::Uuid(player_id), Param::Text(currency)}});
  }
  calls.push_back({&sql::kApplyChange,
                   {Param::Uuid(NewUuidV7()), Param::Uuid(player_id), Param::Text(currency),
                    Param::Int64(signed_amount), Param::Text(reason),
                    idempotency_key ? Param::Text(*idempotency_key) : Param::Null()}});
  WalletChange change;
  change.player_id = std::move(player_id);
  change.currency = std::move(currency);
  change.amount = signed_amount;
  std::string key = "w/" + change.player_id + "/" + change.currency;
  writes_.Submit(std::move(key), std::move(calls),
                 [change = std::move(change), reason = std::move(reason), rows = ledger_rows_,
                  done = std::move(done)](db::DbResult<std::vector<db::PgResult>> r) {
                   if (!r.ok()) return done(Fail(UnitReason(r.error())));
                   Result<WalletChange> out = ChangeOutcome(r->back(), std::move(change), reason);
                   if (out.ok() && !out.value().replayed && rows != nullptr) {
                     rows->fetch_add(1, std::memory_order_relaxed);
                   }
                   done(std::move(out));
                 });
}

void EconomyService::Balances(std::string player_id, BalancesCallback done) {
  if (!IsCanonicalUuid(player_id)) {
    reactor_.Post([done = std::move(done)] { done(std::vector<WalletBalance>{}); });
    return;
  }
  db_.Execute(sql::kBalances, {Param::Uuid(player_id)},
              [done = std::move(done)](db::DbResult<db::PgResult> r) {
                if (!r.ok()) return done(Fail(EconomyDbReason(r.error())));
                std::vector<WalletBalance> out;
                out.reserve(size_t(r->rows()));
                for (int i = 0; i < r->rows(); ++i) {
                  out.push_back({std::string(r->GetString(i, 0)), r->GetInt64(i, 1).value_or(0)});
                }
                done(std::move(out));
              });
}

void EconomyService::History(std::string player_id, std::string currency, int limit,
                             RowsCallback done) {
  if (!IsCanonicalUuid(player_id) || !ValidText(currency)) {
    reactor_.Post([done = std::move(done)] { done(std::string("[]")); });
    return;
  }
  std::vector<db::StatementCall> calls;
  calls.push_back({&sql::kEnsureWallet,
                   {Param::Uuid(NewUuidV7()), Param::Uuid(player_id), Param::Text(currency)}});
  calls.push_back(
      {&sql::kHistory, {Param::Uuid(player_id), Param::Text(currency), Param::Int32(limit)}});
  db_.ExecuteTransaction(std::move(calls),
                         [done = std::move(done)](db::DbResult<std::vector<db::PgResult>> r) {
                           if (!r.ok()) return done(Fail(UnitReason(r.error())));
                           done(std::string(r->back().GetString(0, 0)));
                         });
}

void EconomyService::Listings(std::optional<std::string> currency, RowsCallback done) {
  db_.Execute(sql::kListings, {currency ? Param::Text(*currency) : Param::Null()},
              [done = std::move(done)](db::DbResult<db::PgResult> r) {
                if (!r.ok()) return done(Fail(EconomyDbReason(r.error())));
                done(std::string(r->GetString(0, 0)));
              });
}

void EconomyService::Purchase(std::string player_id, std::string listing_id,
                              PurchaseCallback done) {
  if (!IsCanonicalUuid(player_id)) return FailLater(std::move(done), "player_not_found");
  if (!IsCanonicalUuid(listing_id)) return FailLater(std::move(done), "listing_not_found");
  std::vector<db::StatementCall> calls;
  calls.push_back({&sql::kEnsureListingWallet,
                   {Param::Uuid(NewUuidV7()), Param::Uuid(player_id), Param::Uuid(listing_id)}});
  calls.push_back({&sql::kPurchase,
                   {Param::Uuid(NewUuidV7()), Param::Uuid(player_id), Param::Uuid(listing_id),
                    Param::Uuid(NewUuidV7())}});
  writes_.Submit(
      "w/" + player_id + "/" + listing_id, std::move(calls),
      [rows = ledger_rows_, done = std::move(done)](db::DbResult<std::vector<db::PgResult>> r) {
        if (!r.ok()) return done(Fail(UnitReason(r.error())));
        const db::PgResult& row = r->back();
        if (row.rows() != 1) return done(Fail("internal"));
        if (row.GetInt64(0, 0).value_or(0) == 0) return done(Fail("listing_not_found"));
        if (!row.GetBool(0, 1).value_or(false)) return done(Fail("listing_inactive"));
        if (row.IsNull(0, 2)) return done(Fail("insufficient_funds"));
        if (rows != nullptr) rows->fetch_add(1, std::memory_order_relaxed);
        done(PurchaseResult{std::string(row.GetString(0, 2)), std::string(row.GetString(0, 4)),
                            row.GetInt64(0, 3).value_or(0)});
      });
}

void EconomyService::Inventory(std::string player_id, int limit, RowsCallback done) {
  if (!IsCanonicalUuid(player_id)) {
    reactor_.Post([done = std::move(done)] { done(std::string("[]")); });
    return;
  }
  db_.Execute(sql::kInventory, {Param::Uuid(player_id), Param::Int32(limit)},
              [done = std::move(done)](db::DbResult<db::PgResult> r) {
                if (!r.ok()) return done(Fail(EconomyDbReason(r.error())));
                done(std::string(r->GetString(0, 0)));
              });
}

void EconomyService::Consume(std::string player_id, std::string item_id, int64_t quantity,
                             ConsumeCallback done) {
  if (quantity < 1 || quantity > kMaxConsumeQuantity) {
    return FailLater(std::move(done), "invalid_quantity");
  }
  if (!IsCanonicalUuid(item_id) || !IsCanonicalUuid(player_id)) {
    return FailLater(std::move(done), "item_not_found");
  }
  std::vector<db::StatementCall> calls;
  calls.push_back({&sql::kLockItem, {Param::Uuid(item_id)}});
  calls.push_back(
      {&sql::kConsume,
       {Param::Uuid(item_id), Param::Uuid(player_id), Param::Int32(int32_t(quantity))}});
  writes_.Submit("i/" + item_id, std::move(calls),
                 [player_id, done = std::move(done)](db::DbResult<std::vector<db::PgResult>> r) {
                   if (!r.ok()) return done(Fail(EconomyDbReason(r.error())));
                   const db::PgResult& lock = (*r)[0];
                   const db::PgResult& applied = (*r)[1];
                   if (lock.rows() == 0) return done(Fail("item_not_found"));
                   if (lock.GetString(0, 0) != player_id) return done(Fail("forbidden"));
                   if (!applied.IsNull(0, 0)) return done(applied.GetInt64(0, 0).value_or(0));
                   if (applied.GetInt64(0, 1).value_or(0) == 1) return done(int64_t{0});
                   done(Fail("insufficient_quantity"));
                 });
}

}  // namespace asobi::economy
