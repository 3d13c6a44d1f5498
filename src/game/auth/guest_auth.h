// Guest / device sign-in and guest upgrade (rest.md §2.7). Device secrets are never stored:
// the identity keeps a salt and an HMAC-SHA256(pepper, salt || secret) verifier. Shard-affine
// like AccountService, whose token issuing and cache eviction it uses.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "base/result.h"
#include "game/auth/account_service.h"
#include "game/auth/auth_posture.h"

namespace asobi {

/// Operator settings (rest.md §2.7): guest sign-in needs both the game's declaration
/// (`posture->GuestAuthDeclared()`) and a pepper of at least 32 bytes. New devices are also
/// subject to the registration posture (§2.6: `closed` refuses them).
struct GuestConfig {
  std::shared_ptr<const AuthPosture> posture;  // null: guest sign-in is not declared
  std::string pepper;                          // secret key for the verifier HMAC
  std::string key_id = "v1";                   // guest_verifier_key_id
  int64_t unlinked_cap = 100000;               // guest_unlinked_cap
};

/// Node-wide guest creation limiter (100 / 1 s, one global key). Thread-safe.
class GuestCreateLimiter {
 public:
  /// Counts one guest creation in the current fixed 1 s window (monotonic ms); false past 100.
  bool Allow(int64_t now_ms);

 private:
  std::mutex mu_;
  int64_t window_start_ms_ = 0;
  int count_ = 0;
};

/// Outcome of a guest sign-in: the issued tokens and whether a new player was created
/// (201 vs 200, rest.md §2.7).
struct GuestResult {
  IssuedTokens tokens;
  bool created = false;
};

/// One per shard, beside that shard's AccountService; every call and callback on that shard.
class GuestAuth {
 public:
  /// Borrows this shard's `accounts` and `db` (both must outlive it); `config` and the
  /// node-wide `limiter` are shared by every shard.
  GuestAuth(AccountService& accounts, db::PgConnection& db, std::shared_ptr<GuestConfig> config,
            std::shared_ptr<GuestCreateLimiter> limiter);

  /// Whether guest sign-in is on now (declared by the game and peppered by the operator).
  bool enabled() const {
    return config_->posture != nullptr && config_->posture->GuestAuthDeclared() &&
           config_->pepper.size() >= 32;
  }

  /// Signs a device in (creating the player on first use). Errors: guest.* codes of §2.7,
  /// auth.registration_closed (a new device under the `closed` posture), not_ready, internal.
  /// Inputs are validated by the caller (ValidateGuestInput).
  void SignIn(std::string device_id, std::string device_secret,
              std::function<void(Result<GuestResult>)> done);
  /// Turns the calling guest into a password account; revokes all of its tokens.
  /// `gone` as for AccountService::Register.
  void Upgrade(std::string player_id, std::string username, std::string password,
               std::function<void(Result<IssuedTokens>)> done,
               WorkerPool::CancelFlag gone = nullptr);

 private:
  void Create(std::string device_id, std::string secret,
              std::function<void(Result<GuestResult>)> done, int attempt);

  AccountService& accounts_;
  db::PgConnection& db_;
  std::shared_ptr<GuestConfig> config_;
  std::shared_ptr<GuestCreateLimiter> limiter_;
};

/// Input checks of §2.7: "" when fine, else the error code (guest.invalid_device_id,
/// guest.weak_device_secret).
std::string_view ValidateGuestInput(std::string_view device_id, std::string_view device_secret);

}  // namespace asobi
