// Lua 5.3 compatibility shims and argument checks installed into the sandbox (lua.md §12).
#pragma once

#include <cstddef>

struct lua_State;

namespace asobi::script {

/// Installs, into the opened globals:
///  - xpcall(f, handler, ...): runs the handler after the failed call unwound, not at the
///    raise point, so the budget's timeout cannot be held up by a looping handler (§13);
///    a handler that raises makes xpcall return false plus that error;
///  - math.sqrt: `x < 0` gives 0.0 instead of nan [compat];
///  - math.type: "integer" for finite integral numbers, "float" for other numbers, nil for
///    non-numbers; math.tointeger: the number when finite and integral, else nil;
///    math.maxinteger = 2^53-1, math.mininteger = -2^53 (LuaJIT numbers are doubles);
///  - rawlen(t|s) if the build lacks it; table.pack(...) (with `n`) and table.unpack (= unpack)
///    if missing;
///  - os.date: the format is checked against the C99 strftime conversions (plus the E and O
///    modifiers) and the time argument must be finite with |t| <= 2^53, before LuaJIT's own
///    os.date runs; anything else raises "bad argument ...".
/// Must run in protected mode (part of OpenSandbox).
void InstallShims(lua_State* L);

/// Checks an os.date format (after the optional leading `!`; the exact form "*t" is not a format).
/// Returns nullptr if every '%' starts a valid C99 conversion, else a pointer to the bad '%'.
const char* FindInvalidDateConversion(const char* format, size_t len);

}  // namespace asobi::script
