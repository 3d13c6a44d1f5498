// Cluster-wide token eviction and session revocation (issue 16 item 2): when a node evicts a
// player's cached tokens, burns access tokens (logout, refresh reuse, erase) or revokes a
// player's sessions, it publishes one event on `<prefix>.all.auth`; every other node applies
// the node-local half at once, closing Asobi's window of up to 60 s during which a revoked token
// kept working on other nodes. Only on clustered nodes (cluster::ThisNode() non-null).
//
// Wire shape (JSON): {"from":"<node id>","op":"evict"|"revoke"|"burn","player":"<id>",
// "tokens":["<storage hash>",...]}; "player" for evict/revoke, "tokens" (1..1024) for burn.
// Events whose shape is wrong or whose sender is not a live node are refused and counted
// (asobi_cluster_refused_total).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "game/auth/account_service.h"

namespace asobi {
struct GameShard;
}

namespace asobi::cluster_auth {

/// One decoded event.
struct AuthEvent {
  std::string from;
  AccountService::ClusterEvent kind = AccountService::ClusterEvent::kEvictPlayer;
  std::string player;
  std::vector<std::string> tokens;
};

constexpr size_t kMaxTokensPerEvent = 1024;

/// Encodes an event from node `from`.
std::string EncodeAuthEvent(std::string_view from, AccountService::ClusterEvent kind,
                            const std::string& player, const std::vector<std::string>& tokens);
/// Decodes and validates a payload; false on any shape error (fuzzed: fuzz_cluster_messages).
bool ParseAuthEvent(std::string_view payload, AuthEvent* out);

/// Per shard, on its thread, after the shard's AccountService exists (no-op without cluster or
/// accounts): sets the AccountService's cluster publisher; on shard 0 also subscribes to the
/// events of the other nodes and applies them to this node. Registers its teardown.
void WireClusterAuth(GameShard& game);

}  // namespace asobi::cluster_auth
