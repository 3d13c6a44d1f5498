// Zone: game.zone.spawn and the respawns of spawned entities (spawn_templates.h). Zone shard
// only.
#include <lua.hpp>

#include "game/world/runtime/zone.h"
#include "script/protected_call.h"

namespace asobi::world {

bool Zone::ZoneSpawn(std::string_view template_id, double x, double y, std::string overrides_json) {
  if (dead_) return false;
  return spawner_.Queue(*settings_->templates, template_id, x, y, std::move(overrides_json));
}

void Zone::AddDueSpawns(uint64_t tick) {
  if (dead_ || !lua_ || !spawner_.has_pending()) return;
  dirty_.only = false;  // spawns due now are added to the table
  script::RunProtected(lua_->L(), [&](lua_State* s) {
    lua_rawgeti(s, LUA_REGISTRYINDEX, entities_ref_);
    spawner_.AddDue(s, lua_gettop(s), *settings_->templates, tick);
    lua_pop(s, 1);
  });
}

void Zone::ReapSpawns(uint64_t tick, const std::vector<Crossing>& crossed) {
  if (dead_ || !lua_) return;
  std::vector<std::string> ids;
  ids.reserve(crossed.size());
  for (const Crossing& c : crossed) ids.push_back(c.id);
  script::RunProtected(lua_->L(), [&](lua_State* s) {
    lua_rawgeti(s, LUA_REGISTRYINDEX, entities_ref_);
    spawner_.Reap(s, lua_gettop(s), *settings_->templates, tick, settings_->tick_ms, ids);
    lua_pop(s, 1);
  });
}

}  // namespace asobi::world
