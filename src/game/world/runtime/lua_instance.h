// LuaInstance: one world or zone Lua state (lua.md §8): the mode's main script loaded with the
// sandbox, `require` and the `game` table for its host kind, and budgeted calls of its global
// callbacks. Owned by its World or Zone; used only on that instance's shard.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "game/modes/mode_config.h"
#include "game/modes/mode_watcher.h"
#include "script/game_api/api_host.h"
#include "script/lua_state.h"

struct lua_State;

namespace asobi::world {

/// Budget of a hot reload's main chunk run (lua.md §16 step 3), ms.
inline constexpr int kReloadBudgetMs = 5000;

class LuaInstance {
 public:
  /// Pushes a call's arguments onto `L` and returns how many it pushed (protected mode).
  using PushArgs = std::function<int(lua_State* L)>;
  /// Reads a call's `n` results from the top of `L` (protected mode; may allocate).
  using TakeResults = std::function<void(lua_State* L, int n)>;

  /// Creates the state and runs the main chunk under `main_budget_ms` (lua.md §1: 2000 ms for
  /// a world state, 5000 ms for a zone state). `host` must outlive the instance. Errors:
  /// "script_failed" with the Lua message.
  static Result<std::unique_ptr<LuaInstance>> Create(const modes::ModeConfig& mode,
                                                     script::game_api::ApiHost* host,
                                                     const script::ModuleSourceRegistry* sources,
                                                     int main_budget_ms, bool jit);

  lua_State* L() const { return state_->get(); }
  size_t live_bytes() const { return state_->live_bytes(); }

  /// True when the global `name` is a function.
  bool Has(const char* name) const;
  /// Calls global `name` with the arguments `push` pushes, under `budget_ms`, then hands all
  /// its results to `take`. Returns "" on success, "undefined" when `name` is not a function,
  /// else the failure (Lua message, "timeout", "not enough memory"). Nothing stays on the stack.
  std::string Call(const char* name, int budget_ms, const PushArgs& push, const TakeResults& take);

  /// How the last Call failed (kNone after a success or an undefined function).
  enum class Failure { kNone, kError, kTimeout, kMemory, kUnrecoverable };
  Failure last_failure() const { return last_failure_; }

  // Hot reload (lua.md §16, lua_instance_reload.cc). The owner calls MaybeReload at the start
  // of its tick; the state table and everything else it holds in the registry survive.

  /// The mode watcher's changed files (absolute path -> new text, null when unreadable): when
  /// they name the main script (with a text: the reload runs it) or a file `require`d into
  /// this state (the current main text runs again, re-requiring), a reload is pending. Returns
  /// whether one is pending now.
  bool NoteChanged(const modes::ChangedFiles& files);
  /// Makes a reload from `source` pending unless this state runs it already or its last
  /// reload tried it (a zone told the world's new code after missing the watcher's post).
  void ReloadFrom(std::shared_ptr<const std::string> source);
  /// Runs the pending reload (script::ReloadMainChunk, kReloadBudgetMs): nullopt when none
  /// was pending, else its outcome (failure: the old code keeps running). Errors:
  /// "reload_failed".
  std::optional<Status> MaybeReload();
  /// The main source in use (the mode's, or the last successful reload's).
  const std::shared_ptr<const std::string>& source() const { return source_; }
  /// The main script's absolute path, then every file `require`d into this state.
  const std::vector<std::string>& files() const { return files_; }

  /// A registry reference of the value on top of `L` (popped); protected mode.
  static int Ref(lua_State* L);
  /// Replaces `*ref` by the value at `index` when it is a table (protected mode).
  static void ReplaceTableRef(lua_State* L, int index, int* ref);

 private:
  LuaInstance() = default;
  std::unique_ptr<script::LuaState> state_;
  std::shared_ptr<const std::string> source_;
  std::string chunk_name_;
  std::vector<std::string> files_;
  std::string main_abs_;
  bool reload_pending_ = false;
  std::shared_ptr<const std::string> reload_source_;  // null: run source_ again
  std::shared_ptr<const std::string> tried_;          // the last reload's text
  Failure last_failure_ = Failure::kNone;
};

}  // namespace asobi::world
