// Zone hot reload (lua.md §16): a zone's state reloads at the start of its next tick when the
// mode watcher named its main script or a `require`d file, or when the world's new settings
// carry code it neither runs nor tried. A failed reload keeps the old code, the entities and
// zone_state, logs `lua hot reload failed` and is not retried until the file changes again.
#include "base/log.h"
#include "game/match/failure_log.h"
#include "game/world/runtime/zone.h"

namespace asobi::world {

void Zone::NoteScriptsChanged(const modes::ChangedFiles& files) {
  if (lua_ && !dead_) lua_->NoteChanged(files);
}

void Zone::UpdateSettings(std::shared_ptr<const WorldSettings> settings) {
  settings_ = std::move(settings);
  if (lua_ && !dead_) lua_->ReloadFrom(settings_->mode->source);
}

void Zone::MaybeReload() {
  if (!lua_) return;
  std::optional<Status> st = lua_->MaybeReload();
  if (!st) return;
  if (st->ok()) {
    LOG_INFO("lua hot reload").KV("zone", instance_id_).KV("script", settings_->mode->script_rel);
  } else {
    LOG_WARN("lua hot reload failed")
        .KV("zone", instance_id_)
        .KV("script", settings_->mode->script_rel)
        .KV("reason", match::CleanDetail(st->error().message));
  }
}

}  // namespace asobi::world
