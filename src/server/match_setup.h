// MatchSetup: wires the Lua match runtime into the server: derives the game modes from the
// game directory (lua.md §1-§2), creates the node-wide MatchNode, one MatchService per shard,
// the match WebSocket handlers and REST routes, the disconnect hook, and the mode watcher for
// hot reload (§16).
#pragma once

#include <memory>
#include <vector>

#include "game/match/match_node.h"
#include "game/match/match_service.h"
#include "game/match/shard_match_host.h"
#include "game/modes/mode_registry.h"
#include "game/modes/mode_watcher.h"
#include "server/server.h"

namespace asobi {

/// A local of main() for the server's lifetime; destroyed after the shards stopped.
class MatchSetup {
 public:
  /// Loads the modes (a failure is logged and leaves no modes registered, §1), registers
  /// handlers/routes and chains an init_shard hook. Call before Server::Start, after the hooks
  /// it must run after (the database's).
  explicit MatchSetup(ServerShared& shared);
  /// Stops the watcher and destroys the per-shard services (after the shards stopped).
  ~MatchSetup();

  /// Starts the mode watcher (after Server::Start, so every shard can be posted to).
  void StartWatcher();

  /// The node-wide match directory and the loaded modes (for MatchmakerSetup and domains).
  match::MatchNode& node() { return *node_; }
  modes::ModeRegistry& modes() { return registry_; }

 private:
  ServerShared& shared_;
  std::string game_dir_;
  modes::ModeRegistry registry_;
  std::unique_ptr<match::MatchNode> node_;
  std::unique_ptr<modes::ModeWatcher> watcher_;
  std::vector<std::unique_ptr<match::ShardMatchHost>> hosts_;
  std::vector<std::unique_ptr<match::MatchService>> services_;
};

}  // namespace asobi
