// DbTokenVerifier: session.connect's verifier backed by the accounts store and the shard's
// session cache (rest.md §2.3 "Resolve access", §2.4). Shard-affine.
#pragma once

#include "game/auth/account_service.h"
#include "game/session/token_verifier.h"

namespace asobi {

class DbTokenVerifier final : public TokenVerifier {
 public:
  explicit DbTokenVerifier(AccountService& accounts) : accounts_(accounts) {}
  /// invalid_token for unknown/expired/banned tokens; not_ready when the database is down.
  void Verify(std::string_view token, Callback done) override {
    accounts_.ResolveAccess(token, [done = std::move(done)](Result<std::string> r) {
      if (!r.ok()) {
        done(MakeError(r.error().reason == "not_ready" ? "not_ready" : "invalid_token"));
      } else {
        done(VerifiedPlayer{r.value()});
      }
    });
  }

 private:
  AccountService& accounts_;
};

}  // namespace asobi
