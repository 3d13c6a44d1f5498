#include "game/bots/bot_catalog.h"

#include <algorithm>
#include <cmath>
#include <lua.hpp>

#include "base/log.h"
#include "script/budget.h"
#include "script/lua_state.h"
#include "script/protected_call.h"
#include "script/require.h"
#include "script/script_file.h"

namespace asobi::bots {
namespace {

constexpr int kTopLevelBudgetMs = 2000;  // lua.md §1 loader pass
constexpr int kBotsMax = 64;             // lua.md §10 target cap

struct RawBots {
  bool present = false;
  std::string script;
  int min_players = 0;
  bool enabled = true;
};

std::string DirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

// Runs `source` in a fresh sandbox (no `game`, `require` relative to `dir_abs`), then calls
// `read(L)` in protected mode. False (with *error) when anything fails.
template <typename Read>
bool Evaluate(const std::string& source, const std::string& chunk, const std::string& dir_abs,
              const std::string& dir_rel, const script::ModuleSourceRegistry* sources, Read&& read,
              std::string* error) {
  auto state = script::LuaState::Create();
  if (!state.ok()) {
    *error = state.error().message;
    return false;
  }
  bool ok = false;
  script::RequireConfig rc{dir_abs, dir_rel, sources};
  script::ProtectedStatus ps = script::RunProtected((*state)->get(), [&](lua_State* L) {
    script::InstallRequire(L, rc, nullptr);
    Status loaded = script::LoadChunk(L, source, chunk);
    if (!loaded.ok()) {
      *error = loaded.error().message;
      return;
    }
    script::CallResult r = script::CallWithBudget(L, 0, 0, kTopLevelBudgetMs);
    if (!r.ok()) {
      *error = r.message;
      return;
    }
    read(L);
    ok = true;
  });
  if (!ps.ok) *error = ps.message;
  return ok && ps.ok;
}

// Reads the global `bots` table of a main script state.
void ReadBots(lua_State* L, RawBots* out) {
  lua_getglobal(L, "bots");
  if (lua_type(L, -1) == LUA_TTABLE) {
    out->present = true;
    lua_getfield(L, -1, "script");
    if (lua_type(L, -1) == LUA_TSTRING) out->script = lua_tostring(L, -1);
    lua_pop(L, 1);
    lua_getfield(L, -1, "min_players");
    if (lua_type(L, -1) == LUA_TNUMBER) {
      double v = std::trunc(lua_tonumber(L, -1));
      if (v >= 1) out->min_players = int(std::min<double>(v, kBotsMax));
    }
    lua_pop(L, 1);
    lua_getfield(L, -1, "enabled");
    if (lua_type(L, -1) == LUA_TBOOLEAN && !lua_toboolean(L, -1)) out->enabled = false;
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

void ReadNames(lua_State* L, std::vector<std::string>* names) {
  lua_getglobal(L, "names");
  if (lua_type(L, -1) == LUA_TTABLE) {
    for (int i = 1;; ++i) {
      lua_rawgeti(L, -1, i);
      bool is_string = lua_type(L, -1) == LUA_TSTRING;
      if (is_string) names->emplace_back(lua_tostring(L, -1));
      lua_pop(L, 1);
      if (!is_string) break;
    }
  }
  lua_pop(L, 1);
}

// Loads the bot script named by `raw.script` for `mode` into `cfg`; false (logged) when bad.
bool LoadBotScript(const modes::ModeConfig& mode, const RawBots& raw,
                   const script::ModuleSourceRegistry* sources, BotModeConfig* cfg) {
  Result<std::string> abs = script::ResolveInside(mode.dir_abs, raw.script);
  if (!abs.ok()) {
    LOG_WARN("bots.script rejected; bots config dropped")
        .KV("mode", mode.name)
        .KV("reason", abs.error().message);
    return false;
  }
  std::shared_ptr<const std::string> text = sources->Current()->Text(*abs);
  if (!text) {
    LOG_WARN("bots.script unreadable; bots config dropped").KV("mode", mode.name);
    return false;
  }
  cfg->script_rel = mode.dir_rel + raw.script;
  cfg->dir_abs = DirOf(*abs);
  std::string rel_dir = DirOf(cfg->script_rel);
  cfg->dir_rel = rel_dir.empty() ? "" : rel_dir + "/";
  cfg->source = std::move(text);
  std::string error;
  std::vector<std::string> names;
  if (!Evaluate(
          *cfg->source, cfg->script_rel, cfg->dir_abs, cfg->dir_rel, sources,
          [&](lua_State* L) { ReadNames(L, &names); }, &error)) {
    LOG_WARN("bot script failed to load; bots config dropped")
        .KV("mode", mode.name)
        .KV("reason", error);
    return false;
  }
  cfg->names = names.empty() ? DefaultBotNames() : std::move(names);
  return true;
}

}  // namespace

std::shared_ptr<const BotCatalog> BotCatalog::Build(const modes::ModeSet& set) {
  auto catalog = std::make_shared<BotCatalog>();
  // Start-up (off the shards): a set built without sources gets the directory read now.
  const script::ModuleSourceRegistry sources(
      set.sources ? set.sources : script::ModuleSources::Scan(set.game_dir));
  for (const auto& [name, mode] : set.modes) {
    if (mode->is_world || !mode->source) continue;
    RawBots raw;
    std::string error;
    if (!Evaluate(
            *mode->source, mode->script_rel, mode->dir_abs, mode->dir_rel, &sources,
            [&](lua_State* L) { ReadBots(L, &raw); }, &error)) {
      LOG_WARN("bots config unreadable").KV("mode", name).KV("reason", error);
      continue;
    }
    if (!raw.present) continue;
    BotModeConfig cfg;
    cfg.mode = name;
    cfg.names = DefaultBotNames();
    // lua.md §10 [compat]: a bots table without script turns queue fill off entirely.
    if (!raw.script.empty() && LoadBotScript(*mode, raw, &sources, &cfg)) {
      cfg.queue_fill = raw.enabled;
      int target = raw.min_players > 0 ? raw.min_players : mode->match_size;
      cfg.fill_target = std::min({target, mode->max_players, kBotsMax});
    }
    LOG_INFO("bots configured")
        .KV("mode", name)
        .KV("queue_fill", cfg.queue_fill)
        .KV("target", cfg.fill_target)
        .KV("script", cfg.script_rel);
    catalog->modes_[name] = std::move(cfg);
  }
  return catalog;
}

const BotModeConfig* BotCatalog::Find(std::string_view mode) const {
  auto it = modes_.find(mode);
  return it == modes_.end() ? nullptr : &it->second;
}

void BotCatalog::Put(BotModeConfig config) {
  std::string name = config.mode;
  modes_[name] = std::move(config);
}

}  // namespace asobi::bots
