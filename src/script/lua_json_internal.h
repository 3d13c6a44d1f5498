// Registry plumbing shared by lua_to_json.cc and json_to_lua.cc. Not a public header.
#pragma once

#include <lua.hpp>

namespace asobi::script {

/// Registry slots (lightuserdata keys) owned by the JSON code.
enum class RegistryKey { kObjectMarks, kEncode, kDecode };

/// The unique address used as the registry key of `key`.
void* RegistryKeyAddress(RegistryKey key);

/// Pushes registry[key] and returns true, or pushes nothing and returns false if unset.
/// Does not allocate.
bool PushRegistryValue(lua_State* L, RegistryKey key);

/// Pushes the C function stored at `key`, or (state without registered support) a fresh
/// closure of `fallback`, which allocates outside protected mode.
void PushTrampoline(lua_State* L, RegistryKey key, lua_CFunction fallback);

/// Stores `f` at registry[key]. Protected mode.
void RegisterTrampoline(lua_State* L, RegistryKey key, lua_CFunction f);

/// Registers the JSON -> Lua trampoline (defined in json_to_lua.cc). Protected mode.
void RegisterDecodeTrampoline(lua_State* L);

}  // namespace asobi::script
