// GcPacer: the between-calls garbage-collector step of a Lua state that runs a callback many
// times a second (a match tick, a bot think). Stepping after every call would restart a
// collection cycle each time, so the collector never pauses; the pacer steps only while a
// cycle is due.
#pragma once

#include <cstdint>
#include <lua.hpp>

#include "script/protected_call.h"

namespace asobi::script {

/// One per lua_State, used on the state's owner thread. Call Configure once after creating
/// the state, then Step between callbacks.
class GcPacer {
 public:
  /// Percent of the heap after a finished cycle at which the next cycle starts (LuaJIT's
  /// `setpause`; 200 is LuaJIT's default).
  static constexpr int kPausePercent = 300;

  /// Sets the state's pause to kPausePercent (the allocator-driven collector uses it too).
  static void Configure(lua_State* L) { lua_gc(L, LUA_GCSETPAUSE, kPausePercent); }

  /// One incremental step when a cycle is due, else nothing (one counter read). After a cycle
  /// finishes, steps wait until the heap has grown to kPausePercent of its size then. Errors
  /// inside the step (out of memory in a finalizer) are contained and ignored.
  void Step(lua_State* L) {
    const int64_t kb = lua_gc(L, LUA_GCCOUNT, 0);  // reads a counter: no allocation, no error
    if (kb < resume_kb_) return;
    int finished = 0;
    RunProtected(L, [&finished](lua_State* s) { finished = lua_gc(s, LUA_GCSTEP, 0); });
    const int64_t after = lua_gc(L, LUA_GCCOUNT, 0);
    // A cycle we finished pauses our steps until the heap regrows by the pause factor. Else
    // step again next time unless the heap shrank meanwhile (the allocator-driven collector
    // finished the cycle and swept): then wait until it is back to this size.
    resume_kb_ = finished != 0 ? after * kPausePercent / 100 + 1 : after;
  }

 private:
  int64_t resume_kb_ = 0;  // heap size (KiB) from which steps run again
};

}  // namespace asobi::script
