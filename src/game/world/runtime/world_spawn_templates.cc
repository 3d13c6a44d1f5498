// World::ReadSpawnTemplates (lua.md §8 `spawn_templates(config)`, 2000 ms).
#include <lua.hpp>

#include "base/log.h"
#include "game/world/runtime/world.h"

namespace asobi::world {

void World::ReadSpawnTemplates() {
  std::vector<std::string> skipped;
  std::shared_ptr<const SpawnTemplates> set;
  std::string failure = lua_->Call(
      "spawn_templates", kSpawnTemplatesBudgetMs,
      [&](lua_State* s) {
        lua_createtable(s, 0, 2);
        lua_pushlstring(s, id().data(), id().size());
        lua_setfield(s, -2, "world_id");
        lua_pushlstring(s, listing_.mode.data(), listing_.mode.size());
        lua_setfield(s, -2, "mode");
        return 1;
      },
      [&](lua_State* s, int n) {
        const int first = lua_gettop(s) - n + 1;
        if (n < 1 || !lua_istable(s, first)) return;
        set = std::make_shared<const SpawnTemplates>(
            ::asobi::world::ReadSpawnTemplates(s, first, &skipped));
      });
  if (!failure.empty() && failure != "undefined") LogFailure("spawn_templates", failure);
  for (const std::string& name : skipped) {
    LOG_WARN("spawn template skipped").KV("world", id()).KV("template", name);
  }
  if (set) settings_->templates = std::move(set);
}

}  // namespace asobi::world
