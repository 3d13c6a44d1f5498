#include "game/iap/iap_service.h"

#include <chrono>

#include "base/uuid.h"
#include "protocol/json_writer.h"

namespace asobi::iap {
namespace {

using db::Param;
using db::PgType;

// The claim, or nothing when (provider, transaction_id) is taken; then the owner, read with
// a fresh snapshot (a claim committed concurrently is seen).
const db::Statement kInsertClaim(
    "iap_insert_claim",
    "INSERT INTO iap_transactions (id, player_id, provider, transaction_id, "
    "original_transaction_id, product_id, inserted_at) VALUES ($1, $2, $3, $4, $5, $6, now()) "
    "ON CONFLICT (provider, transaction_id) DO NOTHING RETURNING id",
    {PgType::kUuid, PgType::kUuid, PgType::kVarchar, PgType::kVarchar, PgType::kVarchar,
     PgType::kVarchar});
const db::Statement kClaimOwner(
    "iap_claim_owner",
    "SELECT coalesce(player_id::text, '') FROM iap_transactions WHERE provider = $1 AND "
    "transaction_id = $2",
    {PgType::kVarchar, PgType::kVarchar});

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Error NotReady() { return MakeError("not_ready", "purchase verification is busy"); }

std::string AppleJson(const AppleTransaction& t, bool duplicate) {
  JsonWriter w;
  w.BeginObject();
  w.Key("product_id");
  w.String(t.product_id);
  w.Key("transaction_id");
  w.String(t.transaction_id);
  w.Key("original_transaction_id");
  if (t.original_transaction_id.empty()) {
    w.Null();
  } else {
    w.String(t.original_transaction_id);
  }
  w.Key("purchase_date");
  w.Int(t.purchase_date_ms);
  w.Key("expires_date");
  if (t.expires_date_ms) {
    w.Int(*t.expires_date_ms);
  } else {
    w.Null();
  }
  w.Key("quantity");
  w.Int(t.quantity);
  w.Key("type");
  w.String(t.type);
  w.Key("valid");  // false only when expires_date has passed (rest.md §3.6)
  w.Bool(!(t.expires_date_ms && *t.expires_date_ms < WallMs()));
  w.Key("duplicate");
  w.Bool(duplicate);
  w.EndObject();
  return w.Take();
}

std::string GoogleJson(const std::string& product_id, const GooglePurchase& p, bool duplicate) {
  JsonWriter w;
  w.BeginObject();
  w.Key("product_id");
  w.String(product_id);
  w.Key("order_id");
  w.String(p.order_id);
  w.Key("purchase_time");
  w.String(p.purchase_time_ms);
  w.Key("consumption_state");
  w.Int(p.consumption_state);
  w.Key("acknowledged");
  w.Bool(p.acknowledged);
  w.Key("valid");
  w.Bool(true);
  w.Key("duplicate");
  w.Bool(duplicate);
  w.EndObject();
  return w.Take();
}

thread_local IapService* t_service = nullptr;

}  // namespace

IapService::IapService(Shard& shard, db::PgConnection& db, std::shared_ptr<IapProviders> providers)
    : shard_(shard), db_(db), providers_(std::move(providers)) {
  t_service = this;
}

IapService::~IapService() {
  if (t_service == this) t_service = nullptr;
}

IapService* IapService::OnThisShard() { return t_service; }

void IapService::VerifyApple(std::string player_id, std::string jws, WorkerPool::CancelFlag gone,
                             JsonDone done) {
  auto shared_done = std::make_shared<JsonDone>(std::move(done));
  if (!providers_->apple) {
    shard_.reactor().Post(
        [shared_done] { (*shared_done)(MakeError(kVerificationFailed, "not_configured")); });
    return;
  }
  const AppleVerifier* apple = providers_->apple.get();
  bool queued = providers_->workers->Run<Result<AppleTransaction>>(
      shard_, [apple, jws = std::move(jws)] { return apple->Verify(jws); },
      [this, player_id, shared_done](Result<AppleTransaction> r) {
        if (!r.ok()) return (*shared_done)(r.error());
        Claim claim{"apple", player_id, r->transaction_id, r->original_transaction_id,
                    r->product_id};
        Record(std::move(claim), [t = std::move(r.value()), shared_done](Result<bool> dup) {
          if (!dup.ok()) return (*shared_done)(dup.error());
          (*shared_done)(AppleJson(t, dup.value()));
        });
      },
      [shared_done] { (*shared_done)(NotReady()); }, std::move(gone));
  if (!queued) shard_.reactor().Post([shared_done] { (*shared_done)(NotReady()); });
}

void IapService::VerifyGoogle(std::string player_id, std::string product_id, std::string token,
                              WorkerPool::CancelFlag gone, JsonDone done) {
  auto shared_done = std::make_shared<JsonDone>(std::move(done));
  if (!providers_->google) {
    shard_.reactor().Post(
        [shared_done] { (*shared_done)(MakeError(kVerificationFailed, "not_configured")); });
    return;
  }
  GooglePlayVerifier* google = providers_->google.get();
  bool queued = providers_->workers->Run<Result<GooglePurchase>>(
      shard_,
      [google, product_id, token = std::move(token)] { return google->Verify(product_id, token); },
      [this, player_id, product_id, shared_done](Result<GooglePurchase> r) {
        if (!r.ok()) return (*shared_done)(r.error());
        Claim claim{"google", player_id, r->order_id, "", product_id};
        Record(std::move(claim),
               [p = std::move(r.value()), product_id, shared_done](Result<bool> dup) {
                 if (!dup.ok()) return (*shared_done)(dup.error());
                 (*shared_done)(GoogleJson(product_id, p, dup.value()));
               });
      },
      [shared_done] { (*shared_done)(NotReady()); }, std::move(gone));
  if (!queued) shard_.reactor().Post([shared_done] { (*shared_done)(NotReady()); });
}

void IapService::Record(Claim claim, std::function<void(Result<bool>)> done) {
  std::vector<db::StatementCall> calls;
  calls.push_back(
      {&kInsertClaim,
       {Param::Uuid(NewUuidV7()), Param::Uuid(claim.player_id), Param::Text(claim.provider),
        Param::Text(claim.transaction_id),
        claim.original_transaction_id.empty() ? Param::Null()
                                              : Param::Text(claim.original_transaction_id),
        Param::Text(claim.product_id)}});
  calls.push_back({&kClaimOwner, {Param::Text(claim.provider), Param::Text(claim.transaction_id)}});
  db_.ExecuteTransaction(std::move(calls), [player = claim.player_id, done = std::move(done)](
                                               db::DbResult<std::vector<db::PgResult>> r) {
    if (!r.ok()) return done(MakeError("iap.record_failed", r.error().reason));
    if ((*r)[0].rows() == 1) return done(false);
    if ((*r)[1].rows() == 1 && (*r)[1].GetString(0, 0) == player) return done(true);
    done(MakeError("iap.transaction_already_claimed", "another player claimed this transaction"));
  });
}

}  // namespace asobi::iap
