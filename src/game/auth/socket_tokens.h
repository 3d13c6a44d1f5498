// SocketTokens: which access token each authenticated WebSocket of this shard presented in
// session.connect, so that burning a token (logout, refresh-token reuse) closes exactly the
// sockets that rely on it (DECISIONS.md wire 5; docs/decisions.md "Revocation").
// Shard-affine; one entry per authenticated socket of the shard.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "game/client.h"

namespace asobi {

/// One per shard, owned by AccountService; maps authenticated sockets to their token hash
/// and back.
class SocketTokens {
 public:
  /// `ref` authenticated with the access token whose storage hash is `token_hash`; replaces
  /// an earlier binding of `ref` (a second session.connect, DECISIONS.md wire 3).
  void Bind(const ClientRef& ref, std::string token_hash);
  /// `ref` closed (or unbound).
  void Forget(const ClientRef& ref);
  /// The sockets bound to `token_hash` (empty when none).
  std::vector<ClientRef> Find(const std::string& token_hash) const;
  /// Bound sockets.
  size_t size() const { return by_ref_.size(); }

 private:
  static uint64_t Key(const ClientRef& ref) { return (uint64_t(ref.index) << 32) | ref.gen; }
  std::unordered_map<std::string, std::vector<ClientRef>> by_token_;
  std::unordered_map<uint64_t, std::string> by_ref_;
};

}  // namespace asobi
