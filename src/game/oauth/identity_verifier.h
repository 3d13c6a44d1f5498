// IdentityVerifier: what POST /auth/oauth and /auth/link need from a provider (rest.md §2.8):
// a client's proof (an OpenID ID token, a Steam session ticket) turned into a verified
// identity, or a refusal. Implementations block (HTTPS): call Verify on the OAuth worker pool
// only, never on a shard. Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace asobi::oauth {

/// The verified identity.
struct IdClaims {
  std::string sub;    // provider_uid
  std::string email;  // "" when absent
  std::string name;   // "" when absent
};

class IdentityVerifier {
 public:
  virtual ~IdentityVerifier() = default;
  /// Verifies `proof` at `now_ms` (Unix ms). Errors: reason auth.provider_rejected with the
  /// detail (rest.md §2.8 `details.reason`) in the message.
  virtual Result<IdClaims> Verify(std::string_view proof, int64_t now_ms) = 0;
  /// Outside fetches of key material so far (JWKS documents); 0 for providers without any.
  /// Any thread.
  virtual uint64_t KeyFetches() const { return 0; }
};

}  // namespace asobi::oauth
