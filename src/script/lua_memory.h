// Per-state Lua allocator with byte accounting and the memory caps of lua.md §13.
#pragma once

#include <cstddef>

#include "script/lua_node_memory.h"
#include "script/small_block_pool.h"

struct lua_State;

namespace asobi::script {

/// Memory caps of one Lua state (lua.md §13).
struct LuaMemoryLimits {
  /// Hard cap on bytes held by the state (`lua_state_max_bytes`): 256 MiB for match, world and
  /// zone states, 64 MiB for bots.
  size_t max_bytes = size_t{256} << 20;
  /// What one callback may add on top of the bytes live when it started (40 MiB).
  size_t callback_growth_max_bytes = size_t{40} << 20;
  /// The node-wide budget this state draws from (match and bot states), or null (states made
  /// off the shards: the mode loader, the bot catalog, tests). Must outlive the state.
  LuaNodeMemory* node = nullptr;
};

/// The allocator behind one lua_State (passed to lua_newstate; LuaJIT's GC64 mode accepts
/// custom allocators). Counts the bytes the state holds, including garbage not yet collected.
///
/// With `limits.node`, the bytes are also reserved from that node-wide budget in grants of
/// LuaNodeMemory::kGrantBytes; a growth the node refuses fails like one over a cap.
///
/// Outside callbacks only the hard cap applies. Inside a callback window (BeginCallback ..
/// EndCallback, opened by CallWithBudget) growth is also capped at `callback_growth_max_bytes`
/// over the bytes live at entry, and after the first refusal every further growing allocation
/// in that window is refused too, so a script cannot keep trying. Shrinking and freeing never
/// fail. A refusal makes LuaJIT raise "not enough memory" (LUA_ERRMEM).
///
/// Blocks of up to SmallBlockPool::kMaxBlockBytes come from a per-state SmallBlockPool (Lua
/// always tells the allocator a block's size, so no header is needed); larger ones from malloc.
/// The counted bytes are the sizes Lua asked for, as before.
///
/// Owned by LuaState and must outlive its lua_State. Used only on the state's owner thread;
/// not thread-safe.
class LuaMemory {
 public:
  /// Copies `limits`; with `limits.node` the state counts towards that budget's fair share
  /// (Attach) from now until destruction.
  explicit LuaMemory(const LuaMemoryLimits& limits);
  /// Returns the reservation to the node budget (the state must be closed already).
  ~LuaMemory();
  LuaMemory(const LuaMemory&) = delete;
  LuaMemory& operator=(const LuaMemory&) = delete;

  /// The lua_Alloc function; `ud` is the LuaMemory.
  static void* Alloc(void* ud, void* ptr, size_t old_bytes, size_t new_bytes);

  /// The LuaMemory of `L` if its allocator is LuaMemory::Alloc, else nullptr.
  static LuaMemory* From(lua_State* L);

  /// Opens a callback window (nestable; only the outermost sets the growth limit).
  void BeginCallback();
  /// Closes a window. Returns true if the outermost window refused an allocation; clears the
  /// refusal when the outermost window closes.
  bool EndCallback();

  /// Bytes currently held by the state.
  size_t live_bytes() const { return live_bytes_; }
  /// Highest live_bytes seen since creation.
  size_t peak_bytes() const { return peak_bytes_; }
  /// Whether an allocation was refused in the current callback window.
  bool refused() const { return refused_; }
  /// The caps this allocator enforces.
  const LuaMemoryLimits& limits() const { return limits_; }
  /// Bytes reserved from the node budget (0 without one).
  size_t node_reserved_bytes() const { return node_reserved_bytes_; }

 private:
  bool MayGrowTo(size_t new_live_bytes);
  bool ReserveFromNode(size_t new_live_bytes);
  void TrimNodeReservation();
  void Release(void* ptr, size_t bytes);
  void* Resize(void* ptr, size_t old_bytes, size_t new_bytes);

  SmallBlockPool pool_;
  LuaMemoryLimits limits_;
  size_t live_bytes_ = 0;
  size_t peak_bytes_ = 0;
  size_t node_reserved_bytes_ = 0;
  size_t window_limit_bytes_ = 0;  // 0 = no window open
  int window_depth_ = 0;
  bool refused_ = false;
};

}  // namespace asobi::script
