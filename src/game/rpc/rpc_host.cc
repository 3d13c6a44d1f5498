#include "game/rpc/rpc_host.h"

#include <chrono>

#include "protocol/frame.h"
#include "reactor/shard.h"

namespace asobi::rpc {

bool RpcHost::AllowLog() {
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now().time_since_epoch())
                          .count();
  if (now - log_window_ms_ >= 1000) {
    log_window_ms_ = now;
    log_count_ = 0;
  }
  if (log_count_ >= kRpcLogLinesPerSecond) return false;
  ++log_count_;
  return true;
}

void RpcHost::Send(std::string_view player_id, std::string_view message_json) {
  if (!hooks_.send_to_player) return;
  std::string payload = R"({"module":"lua","message":)";
  payload.append(message_json);
  payload.push_back('}');
  if (hooks_.legacy_game_frames) {
    hooks_.send_to_player(player_id, BuildFrame("game.message", payload, nullptr));
  }
  hooks_.send_to_player(player_id, BuildFrame("module.message", payload, nullptr));
}

bool RpcHost::CanSuspend(lua_State* L) {
  return L != nullptr && L == running_ && !pending_ && Shard::Current() != nullptr;
}

void RpcHost::BeginAsync(script::game_api::AsyncStart start) { pending_ = std::move(start); }

void RpcHost::RunAfterMs(int64_t delay_ms, std::function<void()> fn) {
  Shard* shard = Shard::Current();
  if (shard == nullptr) return;
  shard->reactor().AddTimer(delay_ms < 0 ? 0 : delay_ms, [fn = std::move(fn)] { fn(); });
}

}  // namespace asobi::rpc
