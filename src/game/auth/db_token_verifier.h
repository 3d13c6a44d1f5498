// DbTokenVerifier: session.connect's verifier backed by the accounts store and the shard's
// session cache (rest.md §2.3 "Resolve access", §2.4). Shard-affine.
#pragma once

#include <optional>
#include <string>

#include "game/auth/account_service.h"
#include "game/auth/tokens.h"
#include "game/session/token_verifier.h"

namespace asobi {

/// Installed as GameShard::verifier when a database is configured; one per shard.
class DbTokenVerifier final : public TokenVerifier {
 public:
  /// `accounts` is this shard's service and must outlive the verifier.
  explicit DbTokenVerifier(AccountService& accounts) : accounts_(accounts) {}
  /// invalid_token for unknown/expired/banned tokens; not_ready when the database is down.
  /// A verified socket is remembered with its token hash (AccountService::BindSocket), so
  /// that burning the token revokes it.
  void Verify(std::string_view token, Callback done) override {
    std::optional<std::string> hash = TokenStorageHash(token);
    accounts_.ResolveAccess(token, [done = std::move(done), hash](Result<std::string> r) {
      if (!r.ok()) {
        done(MakeError(r.error().reason == "not_ready" ? "not_ready" : "invalid_token"));
        return;
      }
      VerifiedPlayer v{r.value(), nullptr};
      if (hash) {
        v.bind = [h = *hash](const ClientRef& ref) {
          if (AccountService* a = AccountService::OnThisShard()) a->BindSocket(ref, h);
        };
      }
      done(std::move(v));
    });
  }

 private:
  AccountService& accounts_;
};

}  // namespace asobi
