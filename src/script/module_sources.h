// Module sources: every `.lua` file of the game directory read into memory off the shards, so
// `require` (lua.md §1) never reads the disk on a shard thread (issue 10, defect 12).
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "script/script_file.h"

namespace asobi::script {

/// What ModuleSources::Scan reads at most; what lies beyond is listed as kUnreadable.
struct ModuleSourceLimits {
  size_t file_max_bytes = kMaxScriptBytes;    // 4 MiB, as ReadScriptFile
  size_t total_max_bytes = size_t{64} << 20;  // all texts together
  size_t files_max = 4096;                    // `.lua` files
  int depth_max = 16;                         // directory levels below the root
};

/// One immutable snapshot of the `.lua` files under a directory tree, keyed by absolute path
/// (the scanned root is resolved with realpath first, so keys match the paths `require`
/// builds from a mode's `dir_abs`). Shared read-only by every thread.
class ModuleSources {
 public:
  using Limits = ModuleSourceLimits;
  /// What a listed path holds.
  enum class Kind {
    kFile,        // text holds the contents
    kSymlink,     // a symlink named *.lua: `require` refuses it (lua.md §1)
    kUnreadable,  // could not be read, larger than file_max_bytes, or past a total limit
  };
  /// One listed `.lua` path; `text` is shared with later snapshots when unchanged.
  struct Entry {
    Kind kind = Kind::kUnreadable;
    std::shared_ptr<const std::string> text;  // kFile only
  };

  /// Reads every regular `*.lua` file under `root` (directories reached through symlinks are
  /// not entered, like the mode watcher's). Blocking file I/O: start-up, the mode loader or
  /// the watcher thread only. A missing root gives an empty snapshot. `previous` (optional):
  /// files whose contents did not change keep sharing its text buffers.
  static std::shared_ptr<const ModuleSources> Scan(
      const std::string& root, const Limits& limits = {},
      const std::shared_ptr<const ModuleSources>& previous = nullptr);

  /// The entry for absolute path `path`, or null when no such `.lua` file existed.
  const Entry* Find(std::string_view path) const;
  /// The text of a kFile entry, or null.
  std::shared_ptr<const std::string> Text(std::string_view path) const;

  /// The resolved root, files listed, and bytes of text read.
  const std::string& root() const { return root_; }
  size_t file_count() const { return files_.size(); }
  size_t total_bytes() const { return total_bytes_; }
  /// Files listed as kUnreadable because a limit was reached.
  size_t skipped() const { return skipped_; }

 private:
  std::string root_;
  std::map<std::string, Entry, std::less<>> files_;
  size_t total_bytes_ = 0;
  size_t skipped_ = 0;
};

/// The current ModuleSources of the node: published by the mode loader and the mode watcher
/// (before running instances are told to reload), read by `require` on any shard.
/// Thread-safe; Current() copies a shared_ptr under a mutex (match creation, reloads and
/// lazy requires only, never per tick).
class ModuleSourceRegistry {
 public:
  ModuleSourceRegistry() = default;
  /// Starts with snapshot `s` already published.
  explicit ModuleSourceRegistry(std::shared_ptr<const ModuleSources> s) : current_(std::move(s)) {}

  /// The current snapshot; null before the first Publish.
  std::shared_ptr<const ModuleSources> Current() const {
    std::lock_guard<std::mutex> lock(mu_);
    return current_;
  }
  /// Replaces the snapshot; later Current() calls see `s` (states already loaded keep theirs).
  void Publish(std::shared_ptr<const ModuleSources> s) {
    std::lock_guard<std::mutex> lock(mu_);
    current_ = std::move(s);
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const ModuleSources> current_;
};

}  // namespace asobi::script
