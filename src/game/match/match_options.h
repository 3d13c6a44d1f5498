// Node-wide settings of the match runtime (lua.md §3, §13, §15, §16; websocket.md §3, §9.2).
#pragma once

#include <cstddef>
#include <cstdint>

#include "script/lua_memory.h"

namespace asobi::match {

struct MatchOptions {
  /// Live matches per node (`--match-max`, asobi.match_max); past it `match_capacity_reached`.
  int match_max = 1000;
  /// lua.md §15 dev errors: module.error/game.error to the player whose input failed.
  bool dev_errors = false;
  /// websocket.md §9.2: send the legacy game.message/game.error twin first.
  bool legacy_game_frames = true;
  /// lua.md §16 reload_mode: false = "off".
  bool reload_enabled = true;
  /// Install game.test.* in match states (tests only).
  bool test_api = false;
  /// Memory caps of each match's Lua state (§13).
  script::LuaMemoryLimits memory;
  /// Tick period (§3: always 100 ms; configurable only for tests and benchmarks).
  int tick_ms = 100;
  /// §3: a waiting match that never reaches min_players is destroyed after this.
  int waiting_timeout_ms = 60000;
  /// §3: a finished match is destroyed this long after finishing.
  int finished_linger_ms = 5000;
  /// Inputs queued per match; more are dropped (logged, rate-limited).
  size_t input_queue_max = 1024;
  /// Joins per player per window, node-wide (websocket.md §3: 10 / 60 s).
  int join_limit = 10;
  int64_t join_window_ms = 60000;
  /// Timeout of a suspending (*DB*) call (§9).
  int64_t async_timeout_ms = 2000;
};

}  // namespace asobi::match
