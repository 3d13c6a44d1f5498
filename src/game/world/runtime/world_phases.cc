// World: phases (lua.md §5 and §8, websocket.md §10.10, §10.11) on the world's owner shard —
// phases(config) after init, the tick-counted PhaseClock advanced by each world tick
// (tick_rate ms), on_phase_started / on_phase_ended (200 ms), world.phase_changed pushes (with
// world_id on transitions, without it every kPhaseResendMs and to a joining player), and the
// phases_complete finish.
#include <lua.hpp>

#include "base/json_escape.h"
#include "base/log.h"
#include "game/match/phase_entries.h"
#include "game/world/runtime/world.h"
#include "game/world/runtime/world_service.h"
#include "protocol/frame.h"
#include "ws/ws_codec.h"

namespace asobi::world {

void World::LoadPhases() {
  if (!lua_->Has("phases")) return;
  std::vector<match::PhaseDef> defs;
  std::string warning;
  const std::string& id = listing_.world_id;
  std::string failure = lua_->Call(
      "phases", kWorldPhasesBudgetMs,
      [&](lua_State* s) { return PushConfigTable(s); },  // what init got (lua.md §5 [C++])
      [&](lua_State* s, int n) {
        if (n < 1) {
          warning = "phases returned nothing";
          return;
        }
        if (!match::ReadPhaseArray(s, lua_gettop(s) - n + 1, &defs, &warning)) defs.clear();
      });
  if (!failure.empty()) warning = "phases failed: " + failure;
  if (!warning.empty()) {
    LOG_WARN("lua phases ignored: the world has no phases").KV("world", id).KV("reason", warning);
    defs.clear();
  }
  phases_.Reset(std::move(defs));
  std::vector<match::PhaseEvent> events;
  phases_.Begin(&events);
  RunPhaseEvents(events);  // before anyone joined: nobody to push to
  PublishPhase();
}

void World::PublishPhase() {
  if (phases_.empty()) return;
  listing_.phase_json = phases_.InfoJson();
  service_.node().UpdatePhase(listing_.world_id, listing_.phase_json);
}

bool World::RunPhaseEvents(const std::vector<match::PhaseEvent>& events) {
  if (events.empty()) return false;
  for (const match::PhaseEvent& e : events) {
    const char* name = e.started ? "on_phase_started" : "on_phase_ended";
    // lua.md §15: a failing on_phase_* keeps the state; the transition still happens.
    RunStateCallback(name, kWorldPhaseCallbackBudgetMs, e.name, nullptr);
  }
  phase_resend_ms_ = 0;
  PublishPhase();
  BroadcastEvent("phase_changed", PhaseChangedJson(/*with_world_id=*/true));
  return phases_.complete();
}

bool World::TickPhases() {
  if (phases_.empty()) return false;
  std::vector<match::PhaseEvent> events;
  phases_.Advance(settings_->tick_ms, int(members_.size()), /*all_ready=*/false, &events);
  if (RunPhaseEvents(events)) {
    Finish(R"({"status":"phases_complete"})");  // websocket.md §10.11
    return true;
  }
  if (events.empty()) {
    phase_resend_ms_ += settings_->tick_ms;
    if (phase_resend_ms_ >= kPhaseResendMs) {
      phase_resend_ms_ = 0;
      PublishPhase();  // the listing's remaining_ms, refreshed at the same period
      BroadcastEvent("phase_changed", PhaseChangedJson(/*with_world_id=*/false));
    }
  }
  return false;
}

void World::PhasesOnRoster() {
  if (phases_.empty() || finished_) return;
  std::vector<match::PhaseEvent> events;
  phases_.OnRoster(int(members_.size()), &events);
  RunPhaseEvents(events);  // a phase only starts here: never completes the phases
}

std::string World::PhaseChangedJson(bool with_world_id) const {
  std::string info = phases_.InfoJson();
  if (info.empty()) return info;
  info.pop_back();  // the closing brace
  if (!phases_.complete() && !phases_.waiting()) info += R"(,"timers":{})";
  if (with_world_id) {
    info += R"(,"world_id":)";
    AppendJsonString(&info, listing_.world_id);
  }
  info.push_back('}');
  return info;
}

void World::SendPhaseTo(const ClientRef& client) {
  if (phases_.empty()) return;
  SharedBuffer frame = WsCodec::EncodeTextFrameShared(
      BuildFrame("world.phase_changed", PhaseChangedJson(/*with_world_id=*/false), nullptr));
  service_.DeliverTo(frame, {client});
}

}  // namespace asobi::world
