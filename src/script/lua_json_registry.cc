#include "script/lua_json_internal.h"

namespace asobi::script {
namespace {

char kKeys[3];  // one unique address per RegistryKey

}  // namespace

void* RegistryKeyAddress(RegistryKey key) { return &kKeys[static_cast<int>(key)]; }

bool PushRegistryValue(lua_State* L, RegistryKey key) {
  lua_pushlightuserdata(L, RegistryKeyAddress(key));
  lua_rawget(L, LUA_REGISTRYINDEX);
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    return false;
  }
  return true;
}

void PushTrampoline(lua_State* L, RegistryKey key, lua_CFunction fallback) {
  if (!PushRegistryValue(L, key)) lua_pushcfunction(L, fallback);
}

void RegisterTrampoline(lua_State* L, RegistryKey key, lua_CFunction f) {
  lua_pushlightuserdata(L, RegistryKeyAddress(key));
  lua_pushcfunction(L, f);
  lua_rawset(L, LUA_REGISTRYINDEX);
}

}  // namespace asobi::script
