// Host-provided `utf8` library for LuaJIT scripts (lua.md §12, Lua 5.3 semantics).
#pragma once

struct lua_State;

namespace asobi::script {

/// Installs the global table `utf8` with Lua 5.3's functions:
///   utf8.char(...)                 code points (0..0x10FFFF) -> string
///   utf8.charpattern               "[%z\x01-\x7F\xC2-\xFD][\x80-\xBF]*" (5.3's pattern
///                                  with LuaJIT's %z for the NUL byte)
///   utf8.codepoint(s [, i [, j]])  code points of the characters starting in s[i..j]
///   utf8.len(s [, i [, j]])        number of characters, or nil plus the position of the
///                                  first invalid byte
///   utf8.offset(s, n [, i])        byte position where the n-th character (from i) starts
///   utf8.codes(s)                  iterator yielding (position, code point)
/// Decoding rejects overlong forms and values above U+10FFFF and accepts surrogates, like
/// Lua 5.3. Errors are raised as in Lua 5.3 ("invalid UTF-8 code", "out of range", ...).
/// Must run in protected mode (part of OpenSandbox).
void InstallUtf8(lua_State* L);

}  // namespace asobi::script
