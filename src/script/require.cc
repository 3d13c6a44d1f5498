#include "script/require.h"

#include <cstring>
#include <lua.hpp>

#include "script/script_file.h"

namespace asobi::script {
namespace {

constexpr char kLoaded[] = "_ASOBI_LOADED";

bool IsIdentStart(char c) { return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }

// Looks the module up in the current sources and compiles it; on success pushes the chunk and
// returns true, else pushes the error message and returns false. Every C++ object is gone
// before the caller raises.
bool LoadModule(lua_State* L, const char* name, size_t len) {
  const char* base = lua_tostring(L, lua_upvalueindex(1));
  const char* prefix = lua_tostring(L, lua_upvalueindex(2));
  auto* files = static_cast<std::vector<std::string>*>(lua_touserdata(L, lua_upvalueindex(3)));
  auto* registry = static_cast<const ModuleSourceRegistry*>(lua_touserdata(L, lua_upvalueindex(4)));
  std::string rel(name, len);
  for (char& c : rel) {
    if (c == '.') c = '/';
  }
  rel += ".lua";
  std::string path = std::string(base) + "/" + rel;
  std::shared_ptr<const ModuleSources> sources = registry ? registry->Current() : nullptr;
  const ModuleSources::Entry* entry = sources ? sources->Find(path) : nullptr;
  if (entry == nullptr) {
    lua_pushfstring(L, "module '%s' not found", std::string(name, len).c_str());
    return false;
  }
  if (entry->kind == ModuleSources::Kind::kSymlink) {
    lua_pushfstring(L, "module '%s': symlinks are not allowed", std::string(name, len).c_str());
    return false;
  }
  if (entry->kind != ModuleSources::Kind::kFile) {
    lua_pushfstring(L, "module '%s': cannot read", std::string(name, len).c_str());
    return false;
  }
  std::shared_ptr<const std::string> source = entry->text;  // outlives a later Publish
  if (files != nullptr) files->push_back(path);
  Status loaded = LoadChunk(L, *source, std::string(prefix) + rel);
  if (!loaded.ok()) {
    lua_pushstring(L, loaded.error().message.c_str());
    return false;
  }
  return true;
}

// _ASOBI_LOADED = {} (raw, so a script's _G metatable never runs from the host).
void SetLoaded(lua_State* L) {
  lua_pushstring(L, kLoaded);
  lua_newtable(L);
  lua_rawset(L, LUA_GLOBALSINDEX);
}

int Require(lua_State* L) {
  size_t len = 0;
  const char* name = lua_type(L, 1) == LUA_TSTRING ? lua_tolstring(L, 1, &len) : nullptr;
  if (name == nullptr) return luaL_error(L, "bad argument #1 to 'require' (string expected)");
  if (!IsValidModuleName(name, len)) return luaL_error(L, "require: invalid module name");
  lua_settop(L, 1);
  lua_pushstring(L, kLoaded);
  lua_rawget(L, LUA_GLOBALSINDEX);
  if (lua_type(L, 2) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushstring(L, kLoaded);
    lua_pushvalue(L, -2);
    lua_rawset(L, LUA_GLOBALSINDEX);
  }
  lua_pushvalue(L, 1);
  lua_rawget(L, 2);
  if (!lua_isnil(L, -1)) return 1;
  lua_pop(L, 1);
  if (!LoadModule(L, name, len)) return lua_error(L);
  lua_pushvalue(L, 1);
  lua_call(L, 1, 1);  // the chunk gets the module name, like Lua's require
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    lua_pushboolean(L, 1);
  }
  lua_pushvalue(L, 1);
  lua_pushvalue(L, -2);
  lua_rawset(L, 2);
  return 1;
}

}  // namespace

bool IsValidModuleName(const char* name, size_t len) {
  bool at_start = true;
  for (size_t i = 0; i < len; ++i) {
    char c = name[i];
    if (at_start) {
      if (!IsIdentStart(c)) return false;
      at_start = false;
    } else if (c == '.') {
      at_start = true;
    } else if (!IsIdentChar(c)) {
      return false;
    }
  }
  return len > 0 && !at_start;
}

void InstallRequire(lua_State* L, const RequireConfig& config,
                    std::vector<std::string>* loaded_files) {
  lua_pushlstring(L, config.base_dir.data(), config.base_dir.size());
  lua_pushlstring(L, config.chunk_prefix.data(), config.chunk_prefix.size());
  lua_pushlightuserdata(L, loaded_files);
  lua_pushlightuserdata(L, const_cast<ModuleSourceRegistry*>(config.sources));
  lua_pushcclosure(L, &Require, 4);
  lua_setglobal(L, "require");
  SetLoaded(L);
}

void ClearRequireCache(lua_State* L) { SetLoaded(L); }

}  // namespace asobi::script
