// The script sandbox of lua.md §12.
#pragma once

struct lua_State;

namespace asobi::script {

/// Opens base, table, string, math, os and bit (and LuaJIT's jit module, only to switch the
/// compiler on; its global is removed), then keeps only the §12 allow-list:
///   globals: assert error ipairs next pairs pcall xpcall rawequal rawget rawset rawlen select
///            setmetatable getmetatable tonumber tostring type unpack _G _VERSION
///            string table math os bit utf8
///   os: clock date difftime time;  string: all but dump;  table, math, bit: all.
/// So print, dofile, loadfile, load, loadstring, collectgarbage, gcinfo, getfenv, setfenv,
/// newproxy, coroutine, io, package, require, debug, ffi, jit, os.execute/exit/getenv/remove/
/// rename/tmpname/setlocale and string.dump are absent. Then installs the host shims
/// (lua_shims.h, lua_random.h, lua_utf8.h). io, package, debug and ffi are never opened.
///
/// Must run in protected mode on a fresh state (LuaState::Create does it through
/// lua_cpcall); raises a Lua error when out of memory.
void OpenSandbox(lua_State* L);

}  // namespace asobi::script
