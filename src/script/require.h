// The engine's own `require` (lua.md §1): modules resolved next to the main script, cached in
// the script-visible global table `_ASOBI_LOADED`.
#pragma once

#include <string>
#include <vector>

#include "script/module_sources.h"

struct lua_State;

namespace asobi::script {

/// Where `require` looks and how it names chunks.
struct RequireConfig {
  /// Absolute directory of the main script: `require("a.b")` loads `<base_dir>/a/b.lua`.
  std::string base_dir;
  /// Prefix of chunk names in messages (the main script's directory relative to the game
  /// directory, "" or "demo/"), so errors read "demo/lib/util.lua:3: ...".
  std::string chunk_prefix;
  /// Where module texts come from (the game directory read into memory off the shards); must
  /// outlive the state. Null: every module is "not found".
  const ModuleSourceRegistry* sources = nullptr;
};

/// Installs the global `require(name)` and the table `_ASOBI_LOADED` into `L`.
///
/// `name` must match `^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$`; dots become
/// directory separators. A symlink at the resolved path is refused. The module chunk runs in
/// the caller's budget; its first result (or `true`) is cached in `_ASOBI_LOADED[name]`, which
/// a later call returns without reading anything. Errors (bad name, missing file, compile
/// error, symlink, a raising module) are raised as Lua errors in the caller.
///
/// Never reads the disk (issue 10, defect 12): the module's text is looked up in the current
/// snapshot of `config.sources` (published by the mode loader and, after a change, by the
/// mode watcher before instances reload), so a module changed on disk is seen once the
/// watcher has re-read it. When `loaded_files` is non-null, the absolute path of every module
/// loaded is appended to it (hot reload watches them, §16); it must outlive the state. Must
/// run in protected mode.
void InstallRequire(lua_State* L, const RequireConfig& config,
                    std::vector<std::string>* loaded_files);

/// Empties `_ASOBI_LOADED` (hot reload, §16). Protected mode.
void ClearRequireCache(lua_State* L);

/// True when `name` is a valid module name for `require`. Pure.
bool IsValidModuleName(const char* name, size_t len);

}  // namespace asobi::script
