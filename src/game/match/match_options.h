// Node-wide settings of the match runtime (lua.md §3, §13, §15, §16; websocket.md §3, §9.2).
#pragma once

#include <cstddef>
#include <cstdint>

#include "script/lua_memory.h"

namespace asobi::match {

/// Read once at startup from flags/config; copied into MatchNode and read-only after.
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
  /// LuaJIT's trace compiler in match and bot states (`--lua-jit`, server default off); off =
  /// the interpreter only. On here so unit tests cover the JIT with the budget watchdog.
  bool lua_jit = true;
  /// Memory caps of each match's Lua state (§13).
  script::LuaMemoryLimits memory;
  /// Tick period (§3: always 100 ms; configurable only for tests and benchmarks).
  int tick_ms = 100;
  /// Spread the tick phases of a shard's matches over the tick period: a match entering
  /// `running` takes the least-used 1 ms slot of its shard and its first tick falls in that
  /// slot (within one period), so matches started together (a matchmaker burst) do not all
  /// tick in the same millisecond. Off: the first tick is exactly one period after the start
  /// (the unit tests' manual clock relies on that).
  bool spread_tick_phases = true;
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
  /// Quarantine (docs/decisions.md "Lua quarantine"): a match whose callbacks overran their
  /// wall-clock budget `overrun_limit` times within `overrun_window_ms` ends with
  /// `{status = "script_failure"}`; a bot whose think did stops running its script (default
  /// AI). 0 = never (`--lua-overrun-limit`, `--lua-overrun-window-ms`).
  int overrun_limit = 3;
  int64_t overrun_window_ms = 30000;
  /// Node-wide bytes of every match and bot Lua state (script::LuaNodeMemory; docs/decisions.md
  /// "Node Lua memory"); 0 = unlimited (`--lua-node-max-bytes`).
  size_t lua_node_max_bytes = 0;
  /// websocket.md §7.2: vote.veto tokens per player per match (`--vote-veto-tokens`).
  int veto_tokens_per_player = 0;
  /// lua.md §9: install game.storage (false with `--storage false`).
  bool storage = true;
};

}  // namespace asobi::match
