// ModeRegistry: the node-wide current ModeSet (lua.md §1, §2), replaced as a whole when the
// mode watcher re-derives the modes (§16), and the current module sources that `require` reads
// (issue 10, defect 12). Readers take a snapshot and keep using it.
#pragma once

#include <memory>
#include <mutex>

#include "game/modes/mode_config.h"

namespace asobi::modes {

/// Thread-safe holder of the current ModeSet. Readers (any shard) get a shared snapshot that
/// stays valid for as long as they hold it; Publish swaps it for future readers only.
class ModeRegistry {
 public:
  /// Starts with an empty ModeSet (no modes), or with `set` published.
  ModeRegistry() : current_(std::make_shared<const ModeSet>()) {}
  explicit ModeRegistry(ModeSet set) { Publish(std::make_shared<const ModeSet>(std::move(set))); }

  /// The current set (never null). Any thread.
  std::shared_ptr<const ModeSet> Current() const {
    std::lock_guard<std::mutex> lock(mu_);
    return current_;
  }
  /// Replaces the set for future readers, and the module sources with the set's (when it has
  /// any). Any thread.
  void Publish(std::shared_ptr<const ModeSet> set) {
    if (set && set->sources) sources_.Publish(set->sources);
    std::lock_guard<std::mutex> lock(mu_);
    current_ = std::move(set);
  }

  /// The game directory's `.lua` files as last read off the shards: what `require` sees in
  /// every match and bot state. The mode watcher publishes a new snapshot after each change
  /// (also when the modes failed to re-derive) before instances are told to reload.
  script::ModuleSourceRegistry& sources() { return sources_; }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const ModeSet> current_;
  script::ModuleSourceRegistry sources_;
};

}  // namespace asobi::modes
