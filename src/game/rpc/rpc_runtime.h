// RpcRuntime: the per-shard Lua state that runs a game's RPC methods (websocket.md §9.1,
// rest.md §3.12; ours: methods defined in Lua, docs/decisions.md "RPC").
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/json_value.h"
#include "script/lua_state.h"
#include "script/module_sources.h"

namespace asobi::rpc {

/// Wall-clock budget of one handler call, in ms.
inline constexpr int kHandlerBudgetMs = 200;
/// Largest encoded `result` (and `details`) a handler may return, in bytes; larger = internal.
inline constexpr size_t kResultBytesMax = 64 * 1024;

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

/// Owns one sandboxed Lua state (script/lua_state.h) holding the handlers registered by the
/// game's RPC script (config.lua global `rpc`). Owner shard only; not thread-safe.
///
/// The script is (re)loaded from the node's current module sources whenever that snapshot
/// changes (the mode watcher republishes it on save), so edits apply to the next call. A
/// script that fails to load (syntax error, a bad `rpc.register`, over budget) keeps the
/// methods of the previous good version and logs the error.
class RpcRuntime {
 public:
  /// `modules` (may be null: `require` finds nothing) is where `require` reads module texts;
  /// it must outlive the runtime.
  explicit RpcRuntime(const script::ModuleSourceRegistry* modules = nullptr) : modules_(modules) {}
  RpcRuntime(const RpcRuntime&) = delete;
  RpcRuntime& operator=(const RpcRuntime&) = delete;

  /// Makes sure the methods of `script_rel` (relative to `sources->root()`, "" = none) in
  /// `sources` are loaded. Cheap when nothing changed. Owner shard.
  void Sync(const std::shared_ptr<const script::ModuleSources>& sources,
            const std::string& script_rel);

  /// Runs method `method` for `player_id` with `params` (a JSON object) under the 200 ms
  /// budget. Never raises; a crash, timeout, undeclared code or unencodable result is
  /// kInternal. Owner shard.
  RpcOutcome Call(std::string_view method, const std::string& player_id, JsonValue params);

  /// Number of methods loaded now.
  size_t method_count() const { return methods_.size(); }

  /// One registered method: the handler's registry reference and its declared error codes
  /// (code -> REST status).
  struct Method {
    int ref = 0;
    std::map<std::string, int, std::less<>> errors;
  };

 private:
  bool Load(std::string_view source, const std::string& chunk_name);
  /// True when `next` holds a different text for a module the state has required.
  bool ModulesChanged(const script::ModuleSources& next) const;

  std::unique_ptr<script::LuaState> state_;
  std::map<std::string, Method, std::less<>> methods_;
  const script::ModuleSources* loaded_sources_ = nullptr;
  std::string loaded_rel_;
  std::shared_ptr<const script::ModuleSources> keep_;
  std::shared_ptr<const std::string> loaded_text_;  // the text the state was loaded from
  const script::ModuleSourceRegistry* modules_;
  /// Absolute paths of the modules the state required (InstallRequire appends; lives as long
  /// as the state, so it is replaced with it).
  std::unique_ptr<std::vector<std::string>> required_;
};

}  // namespace asobi::rpc
