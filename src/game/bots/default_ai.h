// The default bot AI of lua.md §10, used when a mode has no bot script and as the fallback when
// a script's think fails, overruns its budget or is missing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/json_value.h"

namespace asobi::bots {

/// Small deterministic PRNG state (xorshift64*), one per bot.
struct BotRng {
  uint64_t s = 0x9e3779b97f4a7c15ull;
  /// Next 64 pseudo-random bits (advances `s`).
  uint64_t Next();
  /// Uniform integer in [lo, hi].
  int Range(int lo, int hi);
};

/// The default AI's input for `bot_id` given its latest view `state` (an object): reads
/// `state.players` (object keyed by id, or array of objects with `id`) and each entry's
/// `x`, `y`, `hp` (absent hp counts as alive). Chases the nearest other living player:
/// `{"right","left","down","up","shoot","aim_x","aim_y"}` with shoot = distance < 200 and the
/// aim jittered by +/-10; random direction booleans when nobody else is alive; `{}` when the
/// bot has no entry. Pure apart from `rng`; any thread.
std::string DefaultAiInput(std::string_view bot_id, JsonValue state, BotRng* rng);

}  // namespace asobi::bots
