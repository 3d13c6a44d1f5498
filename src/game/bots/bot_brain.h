// BotBrain: one bot's own Lua state running its mode's bot script (lua.md §10 "Bot scripts"):
// same sandbox as matches, no `game` table, `require` relative to the bot script, no hot
// reload, memory capped at 64 MiB (§13).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "game/bots/bot_catalog.h"
#include "protocol/json_value.h"
#include "script/gc_pacer.h"
#include "script/lua_state.h"
#include "script/module_sources.h"

namespace asobi::bots {

/// think() budget (lua.md §10).
inline constexpr int kThinkBudgetMs = 50;
/// Top-level budget when the bot's state is created (the match main chunk's, lua.md §1 (b)).
inline constexpr int kBotTopLevelBudgetMs = 1000;

/// Shard-affine: created and used on one shard.
class BotBrain {
 public:
  /// Creates the state and runs the bot script's top level. `node_memory` (nullable) is the
  /// node-wide Lua budget the state draws from; `sources` (nullable: no module is found) is
  /// what `require` reads. Both must outlive the brain. `jit`: LuaJIT's trace compiler in the
  /// bot's state (the server passes `--lua-jit`, off by default like match states: thousands
  /// of small states each warming up and aborting their own traces cost more than they save,
  /// docs/decisions.md "Bot states follow --lua-jit"). Errors: "no_script" (the mode has no
  /// bot script), "script_failed" (with the Lua message), "lua_state_failed".
  static Result<std::unique_ptr<BotBrain>> Create(
      const BotModeConfig& config, script::LuaNodeMemory* node_memory = nullptr,
      const script::ModuleSourceRegistry* sources = nullptr, bool jit = false);

  /// Calls `think(bot_id, state)` with `view` (the bot's latest view, lua.md §10) decoded into
  /// a table, under kThinkBudgetMs. Returns the input as a JSON object; a non-table result is
  /// `{}`. Errors: "missing_think", "timeout", "runtime_error", "bad_view" (nested too deep).
  /// The state survives errors. `view`'s document must outlive the call.
  Result<std::string> Think(const std::string& bot_id, JsonValue view);

  /// Bytes the bot's Lua state holds now.
  size_t live_bytes() const { return state_->live_bytes(); }

 private:
  explicit BotBrain(std::unique_ptr<script::LuaState> state) : state_(std::move(state)) {
    script::GcPacer::Configure(state_->get());
  }
  std::unique_ptr<script::LuaState> state_;
  script::GcPacer gc_;  // the step after each think
};

}  // namespace asobi::bots
