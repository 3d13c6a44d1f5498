// RAII owner of one sandboxed LuaJIT state (lua.md §12, §13).
#pragma once

#include <memory>

#include "base/result.h"
#include "script/lua_memory.h"

struct lua_State;

namespace asobi::script {

/// Options for a new state.
struct LuaStateOptions {
  LuaMemoryLimits memory;  // §13 caps (defaults: 256 MiB state, 40 MiB per callback)
  /// LuaJIT's trace compiler for this state. Off = the (fast) interpreter only: thousands of
  /// small states each warming up, recording and aborting their own traces cost more than
  /// they gain (bench/README.md "Lua matches").
  bool jit = true;
};

/// One lua_State with its own allocator (LuaMemory), opened as the §12 sandbox: base, table,
/// string, math, os and bit, stripped to the allow-list, plus the host shims (math.random and
/// friends, utf8, rawlen, table.pack/unpack, validated os.date). The JIT compiler is on
/// unless `options.jit` is false.
/// No `game`, `require` or `_ASOBI_LOADED` yet: the runtime installs those.
///
/// Owned by one shard and used only on its thread; not movable (the allocator's address is
/// inside the state). Destroying it closes the state.
class LuaState {
 public:
  /// Creates and sandboxes a state. Errors: "lua_state_failed" (out of memory or the limits
  /// are too small to open the libraries).
  static Result<std::unique_ptr<LuaState>> Create(const LuaStateOptions& options = {});

  ~LuaState();
  LuaState(const LuaState&) = delete;
  LuaState& operator=(const LuaState&) = delete;

  /// The raw state (owned by this object) and its allocator; owner thread only.
  lua_State* get() const { return L_; }
  LuaMemory& memory() { return *memory_; }
  /// Bytes the state holds now (what `lua_state_bytes` reports).
  size_t live_bytes() const { return memory_->live_bytes(); }

 private:
  explicit LuaState(const LuaStateOptions& options);

  std::unique_ptr<LuaMemory> memory_;
  lua_State* L_ = nullptr;
};

}  // namespace asobi::script
