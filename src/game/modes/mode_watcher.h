// ModeWatcher: inotify on the game directory (lua.md §16 "Mode watcher", "In-instance
// reload"). Runs on its own thread so no reactor ever blocks on the file system.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>

#include "base/result.h"
#include "game/modes/mode_registry.h"

namespace asobi::modes {

/// Files that changed in one debounced burst: absolute path -> new content (null when the
/// file was deleted or could not be read). Only `.lua` files are listed.
using ChangedFiles = std::map<std::string, std::shared_ptr<const std::string>>;

/// Watches `game_dir` and its subdirectories. After a burst of changes (quiet for
/// `debounce_ms`) it reads the directory's `.lua` files again (script::ModuleSources, what
/// `require` sees) and publishes them to `registry->sources()`, then re-derives the modes with
/// LoadModes: on success the new set is published to `registry` (for instances created
/// afterwards) and `lua modes reloaded` is logged; on failure the previous set stays and
/// `lua modes reload failed` is logged with the reason. Then `on_files_changed` is called with
/// the changed `.lua` files (texts from that same read), whatever the mode derivation's
/// outcome, so running instances can reload their code (§16). Callbacks run on the watcher
/// thread.
class ModeWatcher {
 public:
  /// Called on the watcher thread with the changed `.lua` files (path -> new text).
  using Listener = std::function<void(std::shared_ptr<const ChangedFiles>)>;

  /// Nothing is watched before Start(). `registry` must outlive the watcher.
  ModeWatcher(std::string game_dir, ModeRegistry* registry, Listener on_files_changed,
              int debounce_ms = 100);
  ~ModeWatcher();  // stops and joins the thread
  ModeWatcher(const ModeWatcher&) = delete;
  ModeWatcher& operator=(const ModeWatcher&) = delete;

  /// Sets up inotify and starts the thread. Errors: "watch_failed".
  Status Start();

 private:
  void Run();
  /// Watches `dir` and its subdirectories; with `found`, also lists the `.lua` files already
  /// there (a directory created with files in it before its watch existed).
  void AddWatchTree(const std::string& dir, ChangedFiles* found);
  void ReadEvents(ChangedFiles* pending);
  void Process(ChangedFiles pending);

  std::string game_dir_;
  ModeRegistry* registry_;
  Listener on_files_changed_;
  int debounce_ms_;
  int fd_ = -1;
  std::unordered_map<int, std::string> dirs_;  // watch descriptor -> absolute directory
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace asobi::modes
