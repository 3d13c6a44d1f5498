// OauthService: sign-in with an OpenID provider, linking and unlinking identities (rest.md
// §2.8, §3.1). One per shard; every method and callback runs on that shard. ID token checks
// (JWKS fetch over HTTPS, signature, claims) run on the node's OAuth worker pool, never on a
// shard; the identity rows are then read and written with the shard's connection.
//
// Error reasons given to callbacks are rest.md §1.3 codes: auth.unsupported_provider,
// auth.provider_rejected (detail in Error::message), auth.registration_closed,
// auth.already_registering, auth.provider_already_linked, auth.link_failed,
// auth.identity_not_found, auth.last_auth_method, not_ready (database down, worker pool
// saturated), internal.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "base/result.h"
#include "db/pg_connection.h"
#include "game/auth/account_service.h"
#include "game/auth/auth_posture.h"
#include "game/oauth/identity_verifier.h"
#include "reactor/shard.h"
#include "reactor/worker_pool.h"

namespace asobi::oauth {

/// Node-wide providers by name (OpenID ones and steam) and their worker pool, shared by every
/// shard's service.
struct OauthProviders {
  /// Verification outcomes of one provider, for /metrics (worker threads write, any reads).
  struct Counters {
    std::atomic<uint64_t> accepted{0};
    std::atomic<uint64_t> rejected{0};
  };
  std::unordered_map<std::string, std::unique_ptr<IdentityVerifier>> verifiers;
  /// One entry per verifier, made at registration (never changes afterwards).
  std::unordered_map<std::string, std::unique_ptr<Counters>> counters;
  /// Verifications answered not_ready (pool queue full or waited too long).
  std::atomic<uint64_t> busy{0};
  std::unique_ptr<WorkerPool> workers;
};

/// A sign-in's tokens; `created` on the first sign-in (the player was made).
struct OauthSignIn {
  IssuedTokens tokens;
  bool created = false;
};

class OauthService {
 public:
  /// Construct on the shard's thread (it becomes that thread's OnThisShard()). Everything
  /// given must outlive the service; the pool must be shut down before it is destroyed.
  OauthService(Shard& shard, db::PgConnection& db, AccountService& accounts,
               const AuthPosture* posture, std::shared_ptr<OauthProviders> providers);
  ~OauthService();
  OauthService(const OauthService&) = delete;
  OauthService& operator=(const OauthService&) = delete;
  /// The calling shard thread's service, or null (no database).
  static OauthService* OnThisShard();

  /// Whether `provider` is configured on this node.
  bool Supports(const std::string& provider) const;

  /// POST /auth/oauth: verifies `token`, then resumes the identity's player or creates one
  /// (registration posture permitting). `gone` skips a job whose client left.
  void SignIn(std::string provider, std::string token, WorkerPool::CancelFlag gone,
              std::function<void(Result<OauthSignIn>)> done);
  /// POST /auth/link: verifies `token` and attaches its identity to `player_id`; done gets
  /// the provider uid. Linking the same identity again succeeds.
  void Link(std::string player_id, std::string provider, std::string token,
            WorkerPool::CancelFlag gone, std::function<void(Result<std::string>)> done);
  /// DELETE /auth/unlink: removes the player's `provider` identity unless it is the last
  /// way to sign in (no password and no other identity).
  void Unlink(std::string player_id, std::string provider, std::function<void(Status)> done);

 private:
  // Verifies on the pool; `done` runs on this shard.
  void VerifyOnPool(const std::string& provider, std::string token, WorkerPool::CancelFlag gone,
                    std::function<void(Result<IdClaims>)> done);
  void Resume(std::string provider, IdClaims claims, std::function<void(Result<OauthSignIn>)> done);
  void Create(std::string provider, IdClaims claims, std::function<void(Result<OauthSignIn>)> done,
              int attempt);

  Shard& shard_;
  db::PgConnection& db_;
  AccountService& accounts_;
  const AuthPosture* posture_;
  std::shared_ptr<OauthProviders> providers_;
};

}  // namespace asobi::oauth
