#include "game/match/match_phases.h"

#include "protocol/json_writer.h"

namespace asobi::match {

void PhaseClock::Reset(std::vector<PhaseDef> defs) {
  defs_ = std::move(defs);
  index_ = 0;
  active_ = false;
  elapsed_ms_ = 0;
  waited_ms_ = 0;
}

void PhaseClock::StartCurrent(std::vector<PhaseEvent>* out) {
  active_ = true;
  elapsed_ms_ = 0;
  waited_ms_ = 0;
  const PhaseDef& d = defs_[index_];
  out->push_back(PhaseEvent{true, d.name, d.start});
}

void PhaseClock::Begin(std::vector<PhaseEvent>* out) {
  if (!empty() && !active_ && index_ == 0 && defs_[0].start == PhaseStart::kPrevEnded) {
    StartCurrent(out);
  }
}

bool PhaseClock::ConditionHolds(int roster, bool all_ready) const {
  const PhaseDef& d = defs_[index_];
  switch (d.start) {
    case PhaseStart::kPrevEnded:
      return true;
    case PhaseStart::kPlayers:
      return roster >= d.start_value;
    case PhaseStart::kTimer:
      return waited_ms_ >= d.start_value;
    case PhaseStart::kAllReady:
      return all_ready;
  }
  return true;
}

void PhaseClock::OnRoster(int roster, std::vector<PhaseEvent>* out) {
  if (waiting() && defs_[index_].start == PhaseStart::kPlayers && ConditionHolds(roster, false)) {
    StartCurrent(out);
  }
}

void PhaseClock::Advance(int64_t tick_ms, int roster, bool all_ready,
                         std::vector<PhaseEvent>* out) {
  if (empty() || complete()) return;
  if (active_) {
    elapsed_ms_ += tick_ms;
    const PhaseDef& d = defs_[index_];
    if (!d.has_duration || elapsed_ms_ < d.duration_ms) return;
    out->push_back(PhaseEvent{false, d.name, d.start});
    active_ = false;
    ++index_;
    waited_ms_ = 0;
    if (complete()) return;
    if (defs_[index_].start == PhaseStart::kPrevEnded) StartCurrent(out);
    return;
  }
  waited_ms_ += tick_ms;
  if (ConditionHolds(roster, all_ready)) StartCurrent(out);
}

std::string PhaseClock::InfoJson() const {
  if (empty()) return {};
  JsonWriter w;
  w.BeginObject();
  w.Key("status");
  if (complete()) {
    w.String("complete");
    w.Key("phase");
    w.Null();
    w.Key("remaining_ms");
    w.Null();
    w.Key("start_condition");
    w.Null();
    w.EndObject();
    return w.Take();
  }
  const PhaseDef& d = defs_[index_];
  w.String(active_ ? "active" : "waiting");
  w.Key("phase");
  w.String(d.name);
  w.Key("remaining_ms");
  if (active_ && d.has_duration) {
    const int64_t left = d.duration_ms - elapsed_ms_;
    w.Int(left > 0 ? left : 0);
  } else {
    w.Null();
  }
  w.Key("start_condition");
  switch (d.start) {
    case PhaseStart::kPrevEnded:
      w.String("prev_ended");
      break;
    case PhaseStart::kAllReady:
      w.String("all_ready");
      break;
    case PhaseStart::kPlayers:
    case PhaseStart::kTimer:
      w.BeginObject();
      w.Key("type");
      w.String(d.start == PhaseStart::kPlayers ? "players" : "timer");
      w.Key("value");
      w.Int(d.start_value);
      w.EndObject();
      break;
  }
  if (active_) {
    w.Key("config");
    w.Raw(d.config_json);
  }
  w.EndObject();
  return w.Take();
}

}  // namespace asobi::match
