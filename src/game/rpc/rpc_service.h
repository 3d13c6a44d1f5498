// RpcService: the per-shard entry point of RPC calls (websocket.md §9.1, rest.md §3.12).
#pragma once

#include <string>
#include <string_view>

#include "game/modes/mode_registry.h"
#include "game/rpc/rpc_runtime.h"

namespace asobi::rpc {

/// Owns the shard's RpcRuntime and keeps it in step with the game directory. Lives on one
/// shard (created by RegisterRpc's shard step); exists only when a database is configured
/// (without one, calls answer `not_ready`).
class RpcService {
 public:
  /// `modes` (may be null: no methods) must outlive the service. `hooks` reach the player
  /// directory for `game.send`.
  explicit RpcService(modes::ModeRegistry* modes, RpcHost::Hooks hooks = {})
      : modes_(modes), runtime_(modes != nullptr ? &modes->sources() : nullptr, std::move(hooks)) {}

  /// The service of the calling shard, or null (no database).
  static RpcService* OnThisShard();
  /// Installs `s` (null to clear) as the calling shard's service.
  static void SetForThisShard(RpcService* s);

  /// Checks 8-9 of §9.1: reloads the RPC script if the game directory changed (two short
  /// mutex-protected snapshot reads), then runs the handler and answers through `done`
  /// (at once, or later when the handler waits for a *DB* `game.*` call). Owner shard.
  void Call(std::string_view method, const std::string& player_id, JsonValue params, RpcDone done);

 private:
  modes::ModeRegistry* modes_;
  RpcRuntime runtime_;
};

}  // namespace asobi::rpc
