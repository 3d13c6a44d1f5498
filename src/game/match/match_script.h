// MatchScript: the Lua state of one match and every call into it (lua.md §3, §4, §7, §13,
// §16). Owned by its Match; used only on the match's shard.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "game/match/match_phases.h"
#include "game/modes/mode_config.h"
#include "script/game_api/api_host.h"
#include "script/gc_pacer.h"
#include "script/lua_state.h"
#include "script/resume.h"

namespace asobi::match {

/// Budgets of lua.md §4 and §16, ms.
inline constexpr int kMainChunkBudgetMs = 1000;
inline constexpr int kInitBudgetMs = 1000;
inline constexpr int kJoinBudgetMs = 200;
inline constexpr int kLeaveBudgetMs = 200;
inline constexpr int kInputBudgetMs = 50;
inline constexpr int kTickBudgetMs = 500;
inline constexpr int kGetStateBudgetMs = 100;
inline constexpr int kReloadBudgetMs = 5000;
inline constexpr int kPhasesBudgetMs = 1000;
inline constexpr int kPhaseCallbackBudgetMs = 200;
inline constexpr int kVoteCallbackBudgetMs = 200;

/// One Lua state per match, owned by the Match; owner shard only.
class MatchScript {
 public:
  /// State limits and features, fixed at creation (lua.md §13).
  struct Options {
    script::LuaMemoryLimits memory;
    bool test_api = false;  // install game.test.*
    bool storage = true;    // install game.storage (lua.md §9)
    bool jit = true;        // LuaJIT's trace compiler (LuaStateOptions::jit)
    /// What `require` reads (the node's current module sources); must outlive the script.
    const script::ModuleSourceRegistry* sources = nullptr;
  };

  /// Which state-returning callback to run in the callback coroutine.
  /// kPhaseStarted / kPhaseEnded / kVoteResolved are optional: a script without the function
  /// "succeeds" without a call (the state is unchanged).
  enum class Kind { kJoin, kLeave, kInput, kTick, kPhaseStarted, kPhaseEnded, kVoteResolved };

  /// One callback invocation. `player_id`: the player (join, leave, input), the phase name
  /// (kPhase*) or the vote template (kVoteResolved). `json`: the join ctx (Kind::kJoin), the
  /// input (kInput) or the vote result object (kVoteResolved).
  struct Call {
    Kind kind = Kind::kTick;
    std::string player_id;
    std::string json;
  };

  /// How a callback ended (lua.md §4 failure rule: on failure the previous state is kept).
  struct Outcome {
    /// The callback returned a state table, which is now the state (join: accepted).
    bool ok = false;
    /// join only: returned nil/false (refused); `refused_reason` is the validated reason.
    bool refused = false;
    std::string refused_reason;
    /// join returned nothing at all (a refusal, logged as a warning, §4).
    bool returned_nothing = false;
    /// Failure details (when !ok && !refused): "timeout" or "runtime_error" and the message.
    std::string reason_class;
    std::string message;
    bool memory_exceeded = false;
    /// The state cannot be trusted any more (§13): the match must end.
    bool unrecoverable = false;
    /// Running time of the callback in µs (suspended time excluded); for a timeout, how long
    /// the budget took to stop it.
    int64_t elapsed_us = 0;
  };

  /// Creates the state (sandbox §12, `require` §1, `game` §9 bound to `host`) and runs the
  /// main chunk (1000 ms). `host` must outlive this object. Errors: "script_failed" with the
  /// Lua message.
  static Result<std::unique_ptr<MatchScript>> Create(const modes::ModeConfig& mode,
                                                     script::game_api::ApiHost* host,
                                                     const Options& options);
  ~MatchScript();
  MatchScript(const MatchScript&) = delete;
  MatchScript& operator=(const MatchScript&) = delete;

  /// Calls init({match_id, mode}) (1000 ms); its table becomes the state. Errors:
  /// "script_failed" (raised, timed out or did not return a table).
  Status Init(const std::string& match_id, const std::string& mode);

  /// Starts `call` in the callback coroutine. Returns true when it finished (`*out` filled) and
  /// false when it suspended in a host call; then Resume() it with the reply.
  bool Start(const Call& call, Outcome* out);
  /// Resumes the suspended callback with the values `reply` pushes. Same return as Start.
  bool Resume(const script::game_api::AsyncReply& reply, Outcome* out);
  /// True while a callback waits in a host call for Resume().
  bool suspended() const { return suspended_; }
  /// True when `L` is the callback coroutine (host calls may suspend only there).
  bool IsCallbackThread(lua_State* L) const { return L != nullptr && L == co_; }

  /// get_state(player_id, state), or get_state(state) when `player_id` is null (shared
  /// strategy, §7), under 100 ms. On success sets `*view_json` to the view encoded as a JSON
  /// object (§7: arrays and scalars become {}) and returns true; on failure fills
  /// `*failure` (reason_class, message) and returns false.
  bool GetState(const std::string* player_id, std::string* view_json, Outcome* failure);

  /// Calls `phases(config)` (1000 ms) when defined, with the table `init` received (§5), and
  /// fills `*defs` with the valid entries (entries without a string `name` are dropped). False
  /// when the script has no `phases` or it failed; `*warning` then or for a non-array return
  /// says why ("" = no phases function).
  bool ReadPhases(std::vector<PhaseDef>* defs, std::string* warning);

  /// `vote_requested(state)` (200 ms, no coroutine) when defined. True when it returned a
  /// table with at least one key; `*config_json` gets it encoded. On failure fills `*failure`.
  bool RequestVote(std::string* config_json, Outcome* failure);
  /// Whether the script defines `vote_requested`.
  bool has_vote_requested() const { return has_vote_requested_; }

  /// After tick: true when state._finished is the literal true; `*result_json` gets
  /// state._result as a JSON object ({} unless a string-keyed table, §4).
  bool ReadFinished(std::string* result_json);

  /// Hot reload (§16): compiles `source`, snapshots _G and _ASOBI_LOADED, empties the module
  /// cache, runs the chunk (5000 ms) and restores the snapshot on failure. The state table is
  /// untouched. Errors: "reload_failed" with the reason.
  Status Reload(std::shared_ptr<const std::string> source);
  /// The main source in use (the latest successful reload, or the mode's).
  const std::shared_ptr<const std::string>& source() const { return source_; }

  /// One incremental GC step between ticks (§13) while a collection cycle is due or running.
  /// After a cycle completes, steps pause until the heap has grown to kGcPausePercent of what
  /// the cycle left (as LuaJIT's own pause does): a step on a paused collector would start a
  /// new cycle every tick and keep the GC running all the time. No allocation, no error.
  void StepGc();
  /// The collector's pause (LUA_GCSETPAUSE) of match states, in percent: a new cycle starts
  /// when the heap reaches 3x what the last one left. LuaJIT's default (200) cost about 15%
  /// more CPU in the 2,000-match benchmark (bench/README.md "Lua matches").
  static constexpr int kGcPausePercent = script::GcPacer::kPausePercent;
  /// Interns `player_id` in the state once (a registry reference) so callbacks and get_state
  /// push it without hashing it into the string table every time. Called when the player
  /// joins the roster; up to kInternedPlayersMax players are kept, others are pushed as before.
  void RememberPlayer(const std::string& player_id);
  /// Drops what RememberPlayer kept for `player_id` (the player left the roster).
  void ForgetPlayer(const std::string& player_id);
  static constexpr size_t kInternedPlayersMax = 16;

  /// Full collection then a 256 KiB probe allocation: false when the state cannot get that
  /// much headroom back (unrecoverable, §13).
  bool Healthy();
  /// Bytes the state holds now.
  size_t live_bytes() const { return state_->live_bytes(); }
  /// Absolute paths of the main script and every file `require`d into this state (§16).
  const std::vector<std::string>& files() const { return files_; }
  /// The main script's path relative to the game directory (the chunk name in Lua errors).
  const std::string& chunk_name() const { return chunk_name_; }

 private:
  MatchScript() = default;
  bool RunSegment(lua_State* L, int nargs, Outcome* out);
  void TakeResults(lua_State* L, int nresults, Outcome* out);
  void DropCoroutine(lua_State* L);

  // Strings the hot paths look up every tick, interned once in the registry (a registry
  // array read instead of hashing the C string into the state's string table each time).
  enum Name {
    kNameJoin,
    kNameLeave,
    kNameInput,
    kNameTick,
    kNameGetState,
    kNameFinished,
    kNamePhaseStarted,
    kNamePhaseEnded,
    kNameVoteResolved,
    kNameVoteRequested,
    kNameCount
  };
  void PushName(lua_State* L, Name name) const;
  void PushGlobal(lua_State* L, Name name) const;  // raw _G[name]
  static Name CallbackName(Kind k);
  void PushPlayerId(lua_State* L, std::string_view player_id) const;

  std::unique_ptr<script::LuaState> state_;
  int name_refs_[kNameCount] = {};
  std::vector<std::pair<std::string, int>> player_refs_;  // RememberPlayer: id -> registry ref
  std::shared_ptr<const std::string> source_;
  std::string chunk_name_;  // "demo/match.lua"
  std::string main_abs_;
  std::vector<std::string> files_;
  script::GcPacer gc_;   // StepGc
  int state_ref_ = -2;   // LUA_NOREF
  int config_ref_ = -2;  // the table init received (passed to phases, §5)
  bool has_vote_requested_ = false;
  int co_ref_ = -2;
  lua_State* co_ = nullptr;
  bool suspended_ = false;
  Kind kind_ = Kind::kTick;
  int64_t budget_left_ns_ = 0;
};

}  // namespace asobi::match
