// Player erasure hooks: in-memory state other domains hold about a player (live leaderboards)
// that must go when the player's account is erased (rest.md §3.2 erase). Header-only so any
// domain may register without depending on the rest of game/auth.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace asobi {

/// Runs on the shard that erased the player, after the erasure committed. Must not block;
/// reach other shards through Shard::SubmitReplyTo.
using PlayerErasedHook = std::function<void(const std::string& player_id)>;

/// Every registered hook. Appended to only while domains register (before shards start);
/// read-only afterwards, so shard threads read it without a lock.
inline std::vector<PlayerErasedHook>& PlayerErasedHooks() {
  static std::vector<PlayerErasedHook> hooks;
  return hooks;
}

/// Registration time only (RegisterDomains, single-threaded).
inline void AddPlayerErasedHook(PlayerErasedHook hook) {
  PlayerErasedHooks().push_back(std::move(hook));
}

/// Called by ErasePlayer on success.
inline void RunPlayerErasedHooks(const std::string& player_id) {
  for (const PlayerErasedHook& h : PlayerErasedHooks()) h(player_id);
}

}  // namespace asobi
