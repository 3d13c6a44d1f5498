// Hot reload of world scripts (lua.md §16, §8 `spawn_templates` "re-read after reload"): the
// mode watcher's changed files reach every world state and zone of a shard; each reloads at
// the start of its next tick on its own shard (LuaInstance::MaybeReload). After the world
// state reloaded it re-reads spawn_templates and hands its loaded zones new settings (the new
// templates and the mode with the code it now runs: zones loaded or restarted later start from
// it). See docs/decisions.md "World hot reload".
#include "base/log.h"
#include "game/match/failure_log.h"
#include "game/world/runtime/world.h"
#include "game/world/runtime/world_router.h"
#include "game/world/runtime/world_service.h"

namespace asobi::world {

void WorldService::OnScriptsChanged(const modes::ChangedFiles& files) {
  for (auto& [id, w] : worlds_) w->NoteScriptsChanged(files);
  for (auto& [key, z] : zones_) z->NoteScriptsChanged(files);
}

void World::NoteScriptsChanged(const modes::ChangedFiles& files) {
  if (lua_ && !finished_) lua_->NoteChanged(files);
}

void World::MaybeReload() {
  std::optional<Status> st = lua_->MaybeReload();
  if (!st) return;
  if (!st->ok()) {
    LOG_WARN("lua hot reload failed")
        .KV("world", id())
        .KV("script", mode_->script_rel)
        .KV("reason", match::CleanDetail(st->error().message));
    return;
  }
  LOG_INFO("lua hot reload").KV("world", id()).KV("script", mode_->script_rel);
  // Zones hold a shared, immutable copy of the settings: build a fresh one.
  auto next = std::make_shared<WorldSettings>(*settings_);
  if (next->mode->source != lua_->source()) {
    auto mode = std::make_shared<modes::ModeConfig>(*next->mode);
    mode->source = lua_->source();
    next->mode = std::move(mode);
  }
  settings_ = std::move(next);
  ReadSpawnTemplates();  // keeps the previous set when it fails or is no longer defined
  std::shared_ptr<const WorldSettings> shared = settings_;
  for (ZoneKey k : zones_) {
    RouteToZone(service_, ShardOf(k), id(), k, [shared](Zone& z) { z.UpdateSettings(shared); });
  }
}

}  // namespace asobi::world
