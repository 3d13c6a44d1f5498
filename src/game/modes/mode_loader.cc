#include "game/modes/mode_loader.h"

#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cmath>
#include <lua.hpp>
#include <vector>

#include "base/log.h"
#include "script/budget.h"
#include "script/lua_state.h"
#include "script/protected_call.h"
#include "script/require.h"
#include "script/script_file.h"

#ifndef ASOBI_GAME_DIR
#define ASOBI_GAME_DIR "lua"
#endif

namespace asobi::modes {
namespace {

constexpr int kLoaderBudgetMs = 2000;
constexpr int kMaxPlayersCap = 100000;

Error Fail(const std::string& message) { return MakeError("mode_load_failed", message); }

bool FileExists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// Raw read of global `name` (no metamethods). Protected mode.
void RawGlobal(lua_State* L, const char* name) {
  lua_pushstring(L, name);
  lua_rawget(L, LUA_GLOBALSINDEX);
}

// A positive count global: nullopt when absent or not a number > 0 (truncated, >= 1).
std::optional<int> CountGlobal(lua_State* L, const char* name) {
  RawGlobal(L, name);
  std::optional<int> out;
  if (lua_type(L, -1) == LUA_TNUMBER) {
    double v = std::trunc(lua_tonumber(L, -1));
    if (v >= 1) out = int(std::min<double>(v, kMaxPlayersCap));
  }
  lua_pop(L, 1);
  return out;
}

// A duration global in ms: a number >= 1, truncated and capped at one hour; else nullopt.
std::optional<int64_t> MsGlobal(lua_State* L, const char* name) {
  RawGlobal(L, name);
  std::optional<int64_t> out;
  if (lua_type(L, -1) == LUA_TNUMBER) {
    double v = std::trunc(lua_tonumber(L, -1));
    if (v >= 1) out = int64_t(std::min<double>(v, 3600.0 * 1000));
  }
  lua_pop(L, 1);
  return out;
}

std::string StringGlobal(lua_State* L, const char* name) {
  RawGlobal(L, name);
  std::string out = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
  lua_pop(L, 1);
  return out;
}

// `listed` / `quick_play`: literal booleans only (§2 typing rules).
bool FlagGlobal(lua_State* L, const char* name, bool default_value, const std::string& script) {
  RawGlobal(L, name);
  bool out = default_value;
  if (lua_type(L, -1) == LUA_TBOOLEAN) {
    out = lua_toboolean(L, -1) != 0;
  } else if (!lua_isnil(L, -1)) {
    LOG_WARN("lua_config_global_ignored").KV("global", name).KV("script", script);
  }
  lua_pop(L, 1);
  return out;
}

// `chat_channels`: an array of non-empty strings (others are skipped with a warning).
std::vector<std::string> NameListGlobal(lua_State* L, const char* name, const std::string& script) {
  std::vector<std::string> out;
  RawGlobal(L, name);
  if (lua_type(L, -1) == LUA_TTABLE) {
    size_t n = lua_objlen(L, -1);
    for (size_t i = 1; i <= n; ++i) {
      lua_rawgeti(L, -1, int(i));
      if (lua_type(L, -1) == LUA_TSTRING && lua_objlen(L, -1) > 0) {
        out.emplace_back(lua_tostring(L, -1), lua_objlen(L, -1));
      } else {
        LOG_WARN("lua_config_global_ignored").KV("global", name).KV("script", script);
      }
      lua_pop(L, 1);
    }
  } else if (!lua_isnil(L, -1)) {
    LOG_WARN("lua_config_global_ignored").KV("global", name).KV("script", script);
  }
  lua_pop(L, 1);
  return out;
}

void WarnMissingCallbacks(lua_State* L, const ModeConfig& m) {
  static const char* kMatch[] = {"init", "join", "leave", "handle_input", "tick", "get_state"};
  if (m.is_world) return;
  for (const char* fn : kMatch) {
    RawGlobal(L, fn);
    if (lua_type(L, -1) != LUA_TFUNCTION) {
      LOG_WARN("lua mode lacks a required callback").KV("mode", m.name).KV("callback", fn);
    }
    lua_pop(L, 1);
  }
}

// Reads the §2 globals into `m`; false (with *error) when match_size is missing.
bool ReadGlobals(lua_State* L, ModeConfig* m, std::string* error) {
  std::optional<int> size = CountGlobal(L, "match_size");
  if (!size) {
    *error = m->script_rel + ": match_size is required (a number > 0)";
    return false;
  }
  m->match_size = *size;
  m->max_players = CountGlobal(L, "max_players").value_or(m->match_size);
  m->min_players = CountGlobal(L, "min_players").value_or(m->match_size);
  m->strategy = StringGlobal(L, "strategy") == "skill_based" ? "skill_based" : "fill";
  m->is_world = StringGlobal(L, "game_type") == "world";
  m->shared_state = StringGlobal(L, "state_strategy") == "shared";
  m->listed = FlagGlobal(L, "listed", m->is_world, m->script_rel);
  m->quick_play = FlagGlobal(L, "quick_play", m->is_world, m->script_rel);
  m->reconnect_grace_ms = MsGlobal(L, "reconnect_grace_ms").value_or(0);
  m->chat_channels = NameListGlobal(L, "chat_channels", m->script_rel);
  WarnMissingCallbacks(L, *m);
  return true;
}

std::string DirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

// Compiles and runs `source` on a loader state under the 2000 ms budget, then (still in
// protected mode) calls `after(L)` with the chunk's first result at index -1.
template <typename After>
Status RunTopLevel(lua_State* L, const std::string& source, const std::string& chunk,
                   After&& after) {
  Status result = Ok{};
  script::ProtectedStatus ps = script::RunProtected(L, [&](lua_State* s) {
    Status loaded = script::LoadChunk(s, source, chunk);
    if (!loaded.ok()) {
      result = Fail(loaded.error().message);
      return;
    }
    script::CallResult r = script::CallWithBudget(s, 0, 1, kLoaderBudgetMs);
    if (!r.ok()) {
      std::string msg = r.status == script::CallStatus::kTimeout
                            ? chunk + ": top level exceeded its 2000 ms budget"
                            : r.message;
      if (msg.rfind(chunk, 0) != 0) msg = chunk + ": " + msg;
      result = Fail(msg);
      return;
    }
    after(s);
  });
  if (!ps.ok) return Fail(chunk + ": " + ps.message);
  return result;
}

}  // namespace

const char* DefaultGameDir() { return ASOBI_GAME_DIR; }

Result<std::shared_ptr<const ModeConfig>> LoadMode(
    const std::string& game_dir, const std::string& name, const std::string& rel_path,
    const std::shared_ptr<const script::ModuleSources>& sources) {
  Result<std::string> abs = script::ResolveInside(game_dir, rel_path);
  if (!abs.ok()) return Fail("mode " + name + ": " + abs.error().message);
  std::shared_ptr<const std::string> source = sources ? sources->Text(*abs) : nullptr;
  if (!source) return Fail(rel_path + ": cannot read");
  auto m = std::make_shared<ModeConfig>();
  m->name = name;
  m->script_rel = rel_path;
  m->script_abs = *abs;
  m->dir_abs = DirOf(*abs);
  std::string rel_dir = DirOf(rel_path);
  m->dir_rel = rel_dir.empty() ? "" : rel_dir + "/";
  m->source = std::move(source);

  auto state = script::LuaState::Create();
  if (!state.ok()) return Fail(rel_path + ": " + state.error().message);
  lua_State* L = (*state)->get();
  script::ModuleSourceRegistry registry(sources);
  script::RequireConfig rc{m->dir_abs, m->dir_rel, &registry};
  script::ProtectedStatus ps =
      script::RunProtected(L, [&](lua_State* s) { script::InstallRequire(s, rc, nullptr); });
  if (!ps.ok) return Fail(rel_path + ": " + ps.message);
  std::string error;
  bool ok = false;
  Status run = RunTopLevel(L, *m->source, rel_path,
                           [&](lua_State* s) { ok = ReadGlobals(s, m.get(), &error); });
  if (!run.ok()) return run.error();
  if (!ok) return Fail(error);
  return std::shared_ptr<const ModeConfig>(std::move(m));
}

namespace {

struct ManifestEntry {
  std::string name;
  std::string path;
};

// Evaluates config.lua; fills entries and the deployment globals.
Status ReadManifest(const std::string& game_dir, ModeSet* set,
                    std::vector<ManifestEntry>* entries) {
  std::shared_ptr<const std::string> source =
      set->sources ? set->sources->Text(game_dir + "/config.lua") : nullptr;
  if (!source) return Fail("config.lua: cannot read");
  auto state = script::LuaState::Create();
  if (!state.ok()) return Fail("config.lua: " + state.error().message);
  lua_State* L = (*state)->get();
  std::string error;
  Status run = RunTopLevel(L, *source, "config.lua", [&](lua_State* s) {
    if (lua_type(s, -1) != LUA_TTABLE) {
      error = "config.lua: must return a table of mode_name = \"path.lua\"";
      return;
    }
    const int manifest = lua_gettop(s);
    lua_pushnil(s);
    while (lua_next(s, manifest) != 0) {
      if (lua_type(s, -2) != LUA_TSTRING || lua_type(s, -1) != LUA_TSTRING) {
        if (error.empty()) error = "config.lua: every entry must be mode_name = \"path.lua\"";
      } else {
        entries->push_back({lua_tostring(s, -2), lua_tostring(s, -1)});
      }
      lua_pop(s, 1);
    }
    RawGlobal(s, "guest_auth");
    if (lua_type(s, -1) == LUA_TBOOLEAN) set->guest_auth = lua_toboolean(s, -1) != 0;
    lua_pop(s, 1);
    std::string reg = StringGlobal(s, "registration");
    if (reg == "open" || reg == "oauth_only" || reg == "closed") {
      set->registration = reg;
    } else if (!reg.empty()) {
      LOG_WARN("config.lua: invalid registration value ignored").KV("value", reg);
    }
    set->rpc_script = StringGlobal(s, "rpc");
    set->ops_script = StringGlobal(s, "ops");
  });
  if (!run.ok()) return run;
  if (!error.empty()) return Fail(error);
  return Ok{};
}

}  // namespace

Result<ModeSet> LoadModes(const std::string& game_dir,
                          std::shared_ptr<const script::ModuleSources> sources) {
  char real[PATH_MAX];
  if (realpath(game_dir.c_str(), real) == nullptr) {
    return MakeError("game_dir_missing", game_dir + ": no such directory");
  }
  ModeSet set;
  set.game_dir = real;
  set.sources = sources ? std::move(sources) : script::ModuleSources::Scan(set.game_dir);
  std::vector<ManifestEntry> entries;
  if (FileExists(set.game_dir + "/config.lua")) {
    Status st = ReadManifest(set.game_dir, &set, &entries);
    if (!st.ok()) return st.error();
  } else if (FileExists(set.game_dir + "/match.lua")) {
    entries.push_back({"default", "match.lua"});
  }
  for (const ManifestEntry& e : entries) {
    if (e.name.empty() || e.name.size() > 64) {
      return Fail("config.lua: mode name must be 1-64 bytes: " + e.name);
    }
    auto mode = LoadMode(set.game_dir, e.name, e.path, set.sources);
    if (!mode.ok()) return mode.error();
    set.modes[e.name] = mode.value();
  }
  return set;
}

}  // namespace asobi::modes
