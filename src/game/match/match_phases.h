// PhaseClock: the phases of one match (lua.md §5) as plain data — definitions read from the
// script's `phases(config)`, the tick-counted clock, start conditions, and the phase info block
// of match.list, GET /matches/live and match.joined (websocket.md §5.1, §5.3, §10.10;
// rest.md §3.11). No Lua here: the Match runs `on_phase_started` / `on_phase_ended` for the
// events this clock reports. Owned by its Match; owner shard only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace asobi::match {

/// How a phase starts (lua.md §5 `start`); anything unknown is kPrevEnded.
enum class PhaseStart { kPrevEnded, kPlayers, kTimer, kAllReady };

/// One entry of the `phases` return.
struct PhaseDef {
  std::string name;
  bool has_duration = false;  // absent duration = never ends
  int64_t duration_ms = 0;
  PhaseStart start = PhaseStart::kPrevEnded;
  int64_t start_value = 0;         // players (kPlayers) or ms (kTimer)
  std::string config_json = "{}";  // the entry's `config`, a JSON object
};

/// A callback the Match must run, in order.
struct PhaseEvent {
  bool started = false;  // true: on_phase_started; false: on_phase_ended
  std::string name;
  PhaseStart start = PhaseStart::kPrevEnded;  // the phase's start condition
};

/// Owned by its Match; owner shard only.
class PhaseClock {
 public:
  /// Installs the definitions (nothing started yet).
  void Reset(std::vector<PhaseDef> defs);
  /// True when the script defined no phases.
  bool empty() const { return defs_.empty(); }
  /// Every phase has ended (false when there are none).
  bool complete() const { return !defs_.empty() && index_ >= defs_.size(); }
  /// The current phase is waiting for its start condition.
  bool waiting() const { return !complete() && !empty() && !active_; }

  /// At creation (§3): a first phase that starts on `prev_ended` starts now.
  void Begin(std::vector<PhaseEvent>* out);
  /// A join made the roster `roster` strong: a waiting `{players = N}` phase may start.
  void OnRoster(int roster, std::vector<PhaseEvent>* out);
  /// Tick step 7: `tick_ms` of phase clock. An active phase past its duration ends and a
  /// following `prev_ended` phase starts at once; a waiting phase starts when its condition
  /// holds (`roster` members; `all_ready` = every human of the roster signalled ready;
  /// timers count tick time spent waiting). A phase started here does not end before the next
  /// tick.
  void Advance(int64_t tick_ms, int roster, bool all_ready, std::vector<PhaseEvent>* out);

  /// The phase info object: `{status, phase, remaining_ms, start_condition[, config]}`
  /// (status "active" | "waiting" | "complete"; absent values null, DECISIONS.md wire 1).
  /// Empty string when the match has no phases.
  std::string InfoJson() const;

 private:
  void StartCurrent(std::vector<PhaseEvent>* out);
  bool ConditionHolds(int roster, bool all_ready) const;

  std::vector<PhaseDef> defs_;
  size_t index_ = 0;        // current phase (== size: complete)
  bool active_ = false;     // current phase running (else waiting for its start)
  int64_t elapsed_ms_ = 0;  // active: time in the phase
  int64_t waited_ms_ = 0;   // waiting: time spent waiting (timer start)
};

}  // namespace asobi::match
