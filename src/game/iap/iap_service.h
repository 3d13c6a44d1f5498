// IapService: in-app purchase verification and claims (rest.md §3.6). One per shard; every
// method and callback runs on that shard. Provider checks (Apple's x5c chain and signature,
// Google's token exchange and purchase read over HTTPS) run on the node's IAP worker pool,
// never on a shard; the claim is then recorded in `iap_transactions` (unique per provider and
// transaction id): the same player again is a duplicate (200, duplicate:true), another player
// (or an erased one) gets iap.transaction_already_claimed. Nothing is credited: the game
// grants (lua.md §9 game.economy.grant).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "base/result.h"
#include "db/pg_connection.h"
#include "game/iap/apple_jws.h"
#include "game/iap/google_play.h"
#include "reactor/shard.h"
#include "reactor/worker_pool.h"

namespace asobi::iap {

/// Node-wide providers and their worker pool, shared by every shard's IapService. A null
/// verifier means that provider is not configured (its route answers
/// iap.verification_failed with details.reason "not_configured").
struct IapProviders {
  std::unique_ptr<AppleVerifier> apple;
  std::unique_ptr<GooglePlayVerifier> google;
  std::unique_ptr<WorkerPool> workers;
};

/// One per shard, created (shared_ptr) by RegisterIap's start-up step; borrows the node's
/// IapProviders and the shard's PgConnection. Shard-affine.
class IapService {
 public:
  /// The JSON object of a successful verification (rest.md §3.6 response fields), or an
  /// Error whose reason is the rest.md §1.3 code (iap.verification_failed with the detail in
  /// message, iap.missing_transaction_id, iap.transaction_already_claimed, iap.record_failed,
  /// not_ready when the worker pool is saturated).
  using JsonDone = std::function<void(Result<std::string>)>;

  /// `db`, `shard` and `providers` must outlive the service; the worker pool must be shut
  /// down before the service is destroyed (its results call back into it).
  /// Construct on the shard's thread: it becomes that thread's OnThisShard().
  IapService(Shard& shard, db::PgConnection& db, std::shared_ptr<IapProviders> providers);
  ~IapService();
  IapService(const IapService&) = delete;
  IapService& operator=(const IapService&) = delete;
  /// The calling shard thread's service, or null (no database).
  static IapService* OnThisShard();

  /// POST /iap/apple: verifies the StoreKit 2 JWS, then records the claim. `gone` skips a
  /// job whose client left before a worker picked it up.
  void VerifyApple(std::string player_id, std::string jws, WorkerPool::CancelFlag gone,
                   JsonDone done);
  /// POST /iap/google: verifies the purchase with the Android Publisher API, then records
  /// the claim under its order id.
  void VerifyGoogle(std::string player_id, std::string product_id, std::string token,
                    WorkerPool::CancelFlag gone, JsonDone done);

 private:
  struct Claim {
    const char* provider;
    std::string player_id;
    std::string transaction_id;
    std::string original_transaction_id;  // empty = NULL
    std::string product_id;
  };
  // Records `claim`; `done(duplicate)` or the error.
  void Record(Claim claim, std::function<void(Result<bool>)> done);

  Shard& shard_;
  db::PgConnection& db_;
  std::shared_ptr<IapProviders> providers_;
};

}  // namespace asobi::iap
