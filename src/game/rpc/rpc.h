// RPC: game-defined methods in Lua, called over `rpc.call` (websocket.md §9.1) and
// `POST /api/v1/rpc/:method` (rest.md §3.12). See README.md and docs/scripting.md.
#pragma once

#include "game/domain.h"
#include "game/modes/mode_registry.h"

namespace asobi::rpc {

/// Options of RegisterRpc.
struct RpcOptions {
  /// Where the config.lua `rpc` global and the script text come from; null = no methods.
  /// Must outlive the server.
  modes::ModeRegistry* modes = nullptr;
  /// `game.send` from a handler also sends the legacy `game.message` twin (config
  /// `ws_legacy_game_frames`, lua.md §9).
  bool legacy_game_frames = true;
};

/// Registers `rpc.call`, the REST route and a per-shard RpcService (only when the shard has a
/// database; without one every call answers `not_ready`). Call before the shards start.
void RegisterRpc(DomainContext& ctx, const RpcOptions& options);

}  // namespace asobi::rpc
