#include "script/sandbox.h"

#include <lua.hpp>
#include <string>
#include <unordered_set>
#include <vector>

#include "script/lua_random.h"
#include "script/lua_shims.h"
#include "script/lua_utf8.h"

namespace asobi::script {
namespace {

void OpenLibrary(lua_State* L, lua_CFunction open, const char* name) {
  lua_pushcfunction(L, open);
  lua_pushstring(L, name);
  lua_call(L, 1, 0);
}

// Sets to nil every string key of the table on top of the stack not in `keep`.
void KeepOnly(lua_State* L, const std::unordered_set<std::string>& keep) {
  std::vector<std::string> drop;
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    lua_pop(L, 1);
    if (lua_type(L, -1) == LUA_TSTRING) {
      size_t len;
      const char* key = lua_tolstring(L, -1, &len);
      std::string name(key, len);
      if (keep.count(name) == 0) drop.push_back(std::move(name));
    }
  }
  for (const std::string& name : drop) {
    lua_pushlstring(L, name.data(), name.size());
    lua_pushnil(L);
    lua_rawset(L, -3);
  }
}

void StripGlobals(lua_State* L) {
  static const std::unordered_set<std::string> kGlobals = {
      "assert",   "error",    "ipairs", "next",   "pairs",  "pcall",        "xpcall",
      "rawequal", "rawget",   "rawset", "rawlen", "select", "setmetatable", "getmetatable",
      "tonumber", "tostring", "type",   "unpack", "_G",     "_VERSION",     "string",
      "table",    "math",     "os",     "bit",    "utf8"};
  static const std::unordered_set<std::string> kOs = {"clock", "date", "difftime", "time"};
  lua_pushvalue(L, LUA_GLOBALSINDEX);
  KeepOnly(L, kGlobals);
  lua_getfield(L, -1, "os");
  KeepOnly(L, kOs);
  lua_pop(L, 1);
  lua_getfield(L, -1, "string");
  lua_pushnil(L);
  lua_setfield(L, -2, "dump");
  lua_pop(L, 2);
}

}  // namespace

void OpenSandbox(lua_State* L) {
  OpenLibrary(L, luaopen_base, "");
  OpenLibrary(L, luaopen_table, LUA_TABLIBNAME);
  OpenLibrary(L, luaopen_string, LUA_STRLIBNAME);
  OpenLibrary(L, luaopen_math, LUA_MATHLIBNAME);
  OpenLibrary(L, luaopen_os, LUA_OSLIBNAME);
  OpenLibrary(L, luaopen_bit, LUA_BITLIBNAME);
  OpenLibrary(L, luaopen_jit, LUA_JITLIBNAME);  // turns the compiler on; global dropped below
  StripGlobals(L);
  InstallShims(L);
  InstallRandom(L);
  InstallUtf8(L);
}

}  // namespace asobi::script
