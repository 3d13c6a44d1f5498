// Match: phases (lua.md §5) — reading `phases(config)`, running on_phase_started /
// on_phase_ended for the PhaseClock's events, tick step 7 and 8 (phases_complete), and
// game.match.ready for "all_ready" phases.
#include <algorithm>

#include "base/log.h"
#include "game/match/failure_log.h"
#include "game/match/match.h"
#include "game/match/match_service.h"

namespace asobi::match {
namespace {

// While a phase with a duration runs, the listing's remaining_ms is refreshed every this many
// ticks (listings may be 500 ms stale, websocket.md §5.1).
constexpr int kPhasePublishTicks = 5;

}  // namespace

void Match::LoadPhases() {
  std::vector<PhaseDef> defs;
  std::string warning;
  script_->ReadPhases(&defs, &warning);
  if (!warning.empty()) {
    LOG_WARN("lua phases ignored: the match has no phases")
        .KV("match_id", id_)
        .KV("script", script_base_)
        .KV("reason", CleanDetail(warning));
    defs.clear();
  }
  phases_.Reset(std::move(defs));
  std::vector<PhaseEvent> events;
  phases_.Begin(&events);
  if (NotePhaseEvents(events)) {
    RunPhaseEvents(std::make_shared<std::vector<PhaseEvent>>(std::move(events)), 0, [] {});
  }
}

bool Match::NotePhaseEvents(const std::vector<PhaseEvent>& events) {
  for (const PhaseEvent& e : events) {
    if (e.started && e.start == PhaseStart::kAllReady) ready_.clear();
  }
  return !events.empty();
}

void Match::RunPhaseEvents(std::shared_ptr<std::vector<PhaseEvent>> events, size_t i,
                           std::function<void()> done) {
  if (destroying_ || broken_ || status_ == MatchStatus::kFinished) return;
  if (i >= events->size()) {
    done();
    return;
  }
  const PhaseEvent& e = (*events)[i];
  MatchScript::Call call{
      e.started ? MatchScript::Kind::kPhaseStarted : MatchScript::Kind::kPhaseEnded, e.name, {}};
  const char* name = e.started ? "on_phase_started" : "on_phase_ended";
  RunCallback(call, [this, events, i, name, done = std::move(done)](const MatchScript::Outcome& o) {
    if (CheckUnrecoverable(o)) return;
    if (!o.ok && LogFailure(name, o)) return;
    RunPhaseEvents(events, i + 1, done);
  });
}

bool Match::AllReady() const {
  if (roster_.empty()) return false;
  for (const Member& m : roster_) {
    if (m.player_id.compare(0, 4, "bot_") == 0) continue;  // bots cannot signal: count as ready
    if (std::find(ready_.begin(), ready_.end(), m.player_id) == ready_.end()) return false;
  }
  return true;
}

bool Match::MarkReady(std::string_view player_id) {
  if (FindMember(player_id) == nullptr) return false;
  if (std::find(ready_.begin(), ready_.end(), player_id) == ready_.end()) {
    ready_.emplace_back(player_id);
  }
  return true;
}

void Match::TickPhases() {
  std::vector<PhaseEvent> events;
  phases_.Advance(service_.node().options().tick_ms, int(roster_.size()), AllReady(), &events);
  if (!NotePhaseEvents(events)) {
    if (!phases_.empty() && ++phase_publish_ticks_ >= kPhasePublishTicks) {
      phase_publish_ticks_ = 0;
      Publish();
    }
    FinishTick();
    return;
  }
  phase_publish_ticks_ = 0;
  Publish();
  RunPhaseEvents(std::make_shared<std::vector<PhaseEvent>>(std::move(events)), 0,
                 [this] { FinishTick(); });
}

}  // namespace asobi::match
