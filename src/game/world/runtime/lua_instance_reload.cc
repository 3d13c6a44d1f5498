// LuaInstance hot reload (lua.md §16): which changes concern this state, and the reload itself
// through the shared script::ReloadMainChunk (the same steps as a match's).
#include <algorithm>

#include "game/world/runtime/lua_instance.h"
#include "script/hot_reload.h"

namespace asobi::world {
namespace {

bool SameText(const std::shared_ptr<const std::string>& a,
              const std::shared_ptr<const std::string>& b) {
  return a == b || (a && b && *a == *b);
}

}  // namespace

bool LuaInstance::NoteChanged(const modes::ChangedFiles& files) {
  for (const auto& [path, content] : files) {
    if (path == main_abs_) {
      if (content) {
        reload_source_ = content;
        reload_pending_ = true;
      }
      continue;
    }
    if (std::find(files_.begin() + 1, files_.end(), path) != files_.end()) reload_pending_ = true;
  }
  return reload_pending_;
}

void LuaInstance::ReloadFrom(std::shared_ptr<const std::string> source) {
  if (!source || SameText(source, source_) || SameText(source, tried_)) return;
  if (reload_pending_ && SameText(source, reload_source_)) return;
  reload_source_ = std::move(source);
  reload_pending_ = true;
}

std::optional<Status> LuaInstance::MaybeReload() {
  if (!reload_pending_) return std::nullopt;
  reload_pending_ = false;
  std::shared_ptr<const std::string> source = reload_source_ ? std::move(reload_source_) : source_;
  reload_source_ = nullptr;
  tried_ = source;
  Status st =
      script::ReloadMainChunk(L(), *source, chunk_name_, kReloadBudgetMs, main_abs_, &files_);
  if (st.ok()) source_ = std::move(source);
  return st;
}

}  // namespace asobi::world
