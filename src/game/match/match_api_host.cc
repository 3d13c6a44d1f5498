// Match: the ApiHost side of `game.*` (lua.md §9) — log limits, broadcasts, sends, joinability
// and suspension of the callback coroutine.
#include "game/match/match.h"
#include "game/match/match_service.h"
#include "protocol/frame.h"

namespace asobi::match {
namespace {

constexpr int kLogLinesPerSecond = 30;

}  // namespace

bool Match::AllowLog() {
  const int64_t now = service_.host().NowMs();
  if (now - log_window_ms_ >= 1000) {
    log_window_ms_ = now;
    log_count_ = 0;
  }
  if (log_count_ >= kLogLinesPerSecond) return false;
  if (!service_.node().AllowNodeLog(now)) return false;
  ++log_count_;
  return true;
}

void Match::Broadcast(std::string_view event, std::string_view payload_json) {
  std::string type = "match.";
  type.append(event);
  outbox_.Add(EncodePush(type, payload_json), AllClients());
}

void Match::Send(std::string_view player_id, std::string_view message_json) {
  // The player's sockets in this match get it through the match's outbox (ordered with its
  // state); any other online player through the player directory (lua.md §9: any connected
  // player). Offline players get nothing.
  std::string payload = R"({"module":"lua","message":)";
  payload.append(message_json);
  payload.push_back('}');
  const bool legacy = service_.node().options().legacy_game_frames;
  Member* m = FindMember(player_id);
  if (m == nullptr || m->clients.empty()) {
    if (legacy)
      service_.host().SendToPlayer(player_id, BuildFrame("game.message", payload, nullptr));
    service_.host().SendToPlayer(player_id, BuildFrame("module.message", payload, nullptr));
    return;
  }
  if (legacy) outbox_.Add(EncodePush("game.message", payload), m->clients);
  outbox_.Add(EncodePush("module.message", payload), m->clients);
}

void Match::SetJoinable(bool open) {
  if (joinable_ == open) return;
  joinable_ = open;
  Publish();
}

bool Match::CanSuspend(lua_State* L) {
  return script_ && script_->IsCallbackThread(L) && !pending_start_ && !broken_;
}

void Match::BeginAsync(script::game_api::AsyncStart start) { pending_start_ = std::move(start); }

void Match::RunAfterMs(int64_t delay_ms, std::function<void()> fn) {
  service_.host().AddTimer(delay_ms, [fn = std::move(fn)] { fn(); });
}

}  // namespace asobi::match
