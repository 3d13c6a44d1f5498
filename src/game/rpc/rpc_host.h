// RpcHost: the ApiHost (script/game_api/api_host.h) behind the `game.*` API of RPC handlers
// (docs/scripting.md "RPC methods", docs/decisions.md "RPC: game.* in handlers").
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "script/game_api/api_host.h"

namespace asobi::rpc {

/// Lines per second `game.log` may write from one shard's RPC state (like a match's 30/s).
inline constexpr int kRpcLogLinesPerSecond = 30;

/// One per RpcRuntime (so per shard), bound to every Lua state the runtime loads. Owner shard
/// only. A handler may suspend only while RpcRuntime runs it in its own coroutine (Enter) and
/// only on a shard thread (the reply and the 2000 ms timeout need the shard's reactor).
class RpcHost final : public script::game_api::ApiHost {
 public:
  /// What the host reaches outside the Lua state; both optional.
  struct Hooks {
    /// Delivers one text frame to every socket of a player, node-wide (GameShard).
    std::function<void(std::string_view player_id, std::string_view frame)> send_to_player;
    /// Also send the legacy `game.message` twin before `module.message` (lua.md §9).
    bool legacy_game_frames = true;
  };

  explicit RpcHost(Hooks hooks) : hooks_(std::move(hooks)) {}

  script::game_api::HostKind kind() const override { return script::game_api::HostKind::kRpc; }
  const std::string& instance_id() const override { return instance_id_; }
  const std::string& script_name() const override { return script_; }
  bool AllowLog() override;
  /// Never called: game.broadcast answers an error in RPC states (no roster).
  void Broadcast(std::string_view, std::string_view) override {}
  /// game.send: `module.message` (and its legacy twin) to every socket of the player.
  void Send(std::string_view player_id, std::string_view message_json) override;
  void SetJoinable(bool) override {}
  bool CanSuspend(lua_State* L) override;
  void BeginAsync(script::game_api::AsyncStart start) override;
  /// Runs `fn` after `delay_ms` on the calling shard's reactor (dropped off-shard).
  void RunAfterMs(int64_t delay_ms, std::function<void()> fn) override;

  /// The script the current state was loaded from (for game.log).
  void set_script_name(std::string name) { script_ = std::move(name); }
  /// Marks coroutine `co` as the running handler: it may suspend once.
  void Enter(lua_State* co) {
    running_ = co;
    pending_ = nullptr;
  }
  /// Ends the running segment and hands back the operation a suspending call registered
  /// (empty when none did).
  script::game_api::AsyncStart Leave() {
    running_ = nullptr;
    return std::move(pending_);
  }

 private:
  Hooks hooks_;
  std::string instance_id_ = "rpc";
  std::string script_;
  lua_State* running_ = nullptr;
  script::game_api::AsyncStart pending_;
  int64_t log_window_ms_ = 0;
  int log_count_ = 0;
};

}  // namespace asobi::rpc
