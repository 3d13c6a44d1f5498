// RpcRuntime: the per-shard Lua state that runs a game's RPC methods (websocket.md §9.1,
// rest.md §3.12; ours: methods defined in Lua, docs/decisions.md "RPC").
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "game/rpc/rpc_host.h"
#include "protocol/json_value.h"
#include "script/callback_failures.h"
#include "script/lua_state.h"
#include "script/module_sources.h"

namespace asobi::rpc {

/// Wall-clock budget of one handler call, in ms.
inline constexpr int kHandlerBudgetMs = 200;
/// Largest encoded `result` (and `details`) a handler may return, in bytes; larger = internal.
inline constexpr size_t kResultBytesMax = 64 * 1024;
/// How long one suspending `game.*` call (*DB*, lua.md §9) may wait for its reply, in ms;
/// past it the handler resumes with `{error = "timeout"}` and the late reply is dropped.
inline constexpr int kAsyncTimeoutMs = 2000;

/// What one call produced (check 8 and 9 of websocket.md §9.1).
struct RpcOutcome {
  enum class Kind { kOk, kUnknownMethod, kError, kInternal };
  Kind kind = Kind::kInternal;
  std::string result_json;   // kOk: one JSON object
  std::string code;          // kError: a declared, namespaced code
  std::string message;       // kError: may be empty (then the code is the message)
  std::string details_json;  // kError: one JSON object ("{}" by default)
  int status = 500;          // REST status: 200, 404, the declared status, or 500
};

/// Receives the outcome of one call, exactly once, on the owner shard.
using RpcDone = std::function<void(RpcOutcome)>;

/// Owns one sandboxed Lua state (script/lua_state.h) holding the handlers registered by the
/// game's RPC script (config.lua global `rpc`), with the `game.*` API (kind kRpc) installed.
/// Owner shard only; not thread-safe.
///
/// Each call runs in its own coroutine, so a *DB* `game.*` call (economy, storage,
/// notifications, leaderboard reads) suspends that handler without blocking the shard or the
/// other calls; the 200 ms budget counts only the time the handler runs.
///
/// The script is (re)loaded from the node's current module sources whenever that snapshot
/// changes (the mode watcher republishes it on save), so edits apply to the next call. A
/// script that fails to load (syntax error, a bad `rpc.register`, over budget) keeps the
/// methods of the previous good version and logs the error.
class RpcRuntime {
 public:
  /// `modules` (may be null: `require` finds nothing) is where `require` reads module texts;
  /// it must outlive the runtime.
  explicit RpcRuntime(const script::ModuleSourceRegistry* modules = nullptr,
                      RpcHost::Hooks hooks = {});
  ~RpcRuntime();
  RpcRuntime(const RpcRuntime&) = delete;
  RpcRuntime& operator=(const RpcRuntime&) = delete;

  /// Makes sure the methods of `script_rel` (relative to `sources->root()`, "" = none) in
  /// `sources` are loaded. Cheap when nothing changed. Owner shard.
  void Sync(const std::shared_ptr<const script::ModuleSources>& sources,
            const std::string& script_rel);

  /// Runs method `method` for `player_id` with `params` (a JSON object) under the 200 ms
  /// budget and answers through `done`: before returning when the handler does not suspend,
  /// later (from the reactor) when it waits for a *DB* call. Never raises; a crash, timeout,
  /// undeclared code or unencodable result is kInternal. A call still suspended when the
  /// runtime is destroyed (shard teardown) never answers. Owner shard.
  void Call(std::string_view method, const std::string& player_id, JsonValue params, RpcDone done);

  /// Number of methods loaded now.
  size_t method_count() const { return gen_ != nullptr ? gen_->methods.size() : 0; }
  /// Calls suspended in a `game.*` call now.
  size_t suspended_count() const { return calls_.size(); }

  /// One registered method: the handler's registry reference and its declared error codes
  /// (code -> REST status).
  struct Method {
    int ref = 0;
    std::map<std::string, int, std::less<>> errors;
    /// options.class of rpc.register (ops extension actions: the permission class, rest.md
    /// §3.14); "" when absent.
    std::string klass;
  };
  /// The loaded method `name`, or null. Valid until the next Sync. Owner shard.
  const Method* FindMethod(std::string_view name) const;

  /// The script kind its handler failures count under in asobi_lua_callback_failures_total
  /// (kRpc unless set; the ops runtime sets kOps). Owner shard.
  void set_failure_kind(script::ScriptKind kind) { failure_kind_ = kind; }

 private:
  /// One loaded script: its state and methods. Suspended calls keep theirs alive across a
  /// reload.
  struct Generation {
    std::unique_ptr<script::LuaState> state;
    std::map<std::string, Method, std::less<>> methods;
    /// Absolute paths of the modules the state required (InstallRequire appends).
    std::unique_ptr<std::vector<std::string>> required;
    /// Coroutines of calls that returned, kept for the next calls (registry ref, thread).
    std::vector<std::pair<int, lua_State*>> idle;
  };
  struct PendingCall;

  bool Load(std::string_view source, const std::string& chunk_name);
  /// True when `next` holds a different text for a module the state has required.
  bool ModulesChanged(const script::ModuleSources& next) const;
  /// Resumes `call`'s coroutine with `nargs` values on it; finishes or suspends it.
  void Step(const std::shared_ptr<PendingCall>& call, int nargs);
  void Suspend(const std::shared_ptr<PendingCall>& call, script::game_api::AsyncStart start);
  void OnReply(uint64_t id, uint64_t token, const script::game_api::AsyncReply& reply);
  /// Answers `call` (logging `log` when it failed) and forgets it; `broken` drops the state
  /// when it is still the current one.
  void Finish(const std::shared_ptr<PendingCall>& call, RpcOutcome out, bool broken,
              const std::string& log);

  RpcHost host_;  // first: the states below point to it
  script::ScriptKind failure_kind_ = script::ScriptKind::kRpc;
  std::shared_ptr<Generation> gen_;
  std::map<uint64_t, std::shared_ptr<PendingCall>> calls_;  // suspended calls by id
  uint64_t next_call_id_ = 0;
  std::shared_ptr<RpcRuntime*> self_;  // weak handles in replies and timers see it reset
  const script::ModuleSources* loaded_sources_ = nullptr;
  std::string loaded_rel_;
  std::shared_ptr<const script::ModuleSources> keep_;
  std::shared_ptr<const std::string> loaded_text_;  // the text the state was loaded from
  const script::ModuleSourceRegistry* modules_;
};

}  // namespace asobi::rpc
