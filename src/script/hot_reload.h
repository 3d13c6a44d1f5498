// In-instance hot reload of a Lua state's main chunk (lua.md §16), shared by match, world and
// zone states: compile, shallow snapshot of `_G` and `_ASOBI_LOADED`, empty module cache, run
// the chunk under a budget, restore the snapshot on failure.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"

struct lua_State;

namespace asobi::script {

/// Re-runs `source` (named `chunk_name` in messages) as the main chunk of `L` under
/// `budget_ms` (§16 steps 1-3). A syntax error changes nothing; a runtime error or overrun
/// restores `_G` and `_ASOBI_LOADED` from the snapshot (mutations inside existing tables stay).
/// `*files` (the state's watched files: main script first, then every `require`d module, the
/// list InstallRequire appends to) is reset to `main_abs` before the run, so it names what the
/// new code required, and gets its old modules back on failure. Owner thread of `L`; call
/// between callbacks only. Errors: "reload_failed" with the compile or runtime message, or
/// "top level exceeded its <budget_ms> ms budget".
Status ReloadMainChunk(lua_State* L, const std::string& source, const std::string& chunk_name,
                       int budget_ms, const std::string& main_abs, std::vector<std::string>* files);

}  // namespace asobi::script
