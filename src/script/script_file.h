// Script files: reading, the path rules of lua.md §1 and compiling chunks with readable
// errors (§12 "Report the first two rows as readable load errors").
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/result.h"

struct lua_State;

namespace asobi::script {

/// Largest script file accepted (bytes).
inline constexpr size_t kMaxScriptBytes = size_t{4} << 20;

/// Reads the whole file at `path`. Blocking file I/O: call at start-up or on the mode watcher's
/// thread only, never on a shard (`require` reads ModuleSources, src/script/README.md).
/// Errors: "file_error" (cannot open or read, or larger than `max_bytes`), message naming the
/// path.
Result<std::string> ReadScriptFile(const std::string& path, size_t max_bytes = kMaxScriptBytes);

/// lua.md §1 path rules for a manifest value (or `bots.script`): non-empty, relative, no empty,
/// `.` or `..` segment, no byte below 0x20 or equal to 0x7F. Pure. Errors: "bad_path".
Status CheckRelativeScriptPath(std::string_view rel);

/// `base_dir`/`rel` after CheckRelativeScriptPath, as an absolute path whose real location
/// (symlinks resolved) lies inside the real `base_dir`. Errors: "bad_path", "file_error"
/// (does not exist).
Result<std::string> ResolveInside(const std::string& base_dir, std::string_view rel);

/// Compiles `source` as a Lua chunk and pushes the function. `chunk_name` is what messages
/// show before `:line:` (e.g. "demo/match.lua"). Precompiled bytecode is refused (it can
/// break the sandbox). A syntax error caused by Lua 5.3 syntax LuaJIT lacks gets a hint
/// ("`//` is not supported; use math.floor(a / b)", bitwise operators -> bit.*). Pushes
/// nothing on error. Errors: "syntax_error" (message "<chunk>:<line>: ..."), "lua_error" (out
/// of memory). Owner thread of `L`; luaL_loadbuffer is protected internally. The compiled
/// chunk is kept in the thread's ChunkCache (chunk_cache.h): loading the same source under the
/// same name again on this thread loads our own bytecode dump instead of parsing.
Status LoadChunk(lua_State* L, std::string_view source, const std::string& chunk_name);

}  // namespace asobi::script
