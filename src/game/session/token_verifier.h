// TokenVerifier: resolves a session.connect access token to a player (websocket.md §2.2).
// Pluggable: the accounts layer supplies the database-backed one; StaticTokenVerifier serves
// tests and benchmarks.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "game/client.h"

namespace asobi {

/// A successful verification: the player and an optional hook run when the socket is bound.
struct VerifiedPlayer {
  std::string player_id;
  /// Optional: called with the socket once it is bound to the player, so the verifier can
  /// remember which socket relies on which token (revocation). Runs on the socket's shard.
  std::function<void(const ClientRef&)> bind = nullptr;
};

/// Shard-affine: each shard owns its own verifier (and its cache).
class TokenVerifier {
 public:
  /// Completion of Verify (see there).
  using Callback = std::function<void(Result<VerifiedPlayer>)>;
  virtual ~TokenVerifier() = default;
  /// Calls `done` exactly once, on this shard, possibly before returning (cache hit). Errors:
  /// reason `invalid_token` (unknown, expired, revoked, banned), or `not_ready` when the
  /// store is unreachable.
  virtual void Verify(std::string_view token, Callback done) = 0;
};

}  // namespace asobi
