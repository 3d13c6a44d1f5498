// ChunkCache: compiled bytecode of the Lua sources this thread has loaded, so a source that
// thousands of match states load (a mode script, its required modules, a hot reload) is parsed
// once per shard instead of once per state. Used by LoadChunk (script_file.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace asobi::script {

/// Per-thread cache (each shard has its own; no locks). Entries hold a copy of the source,
/// the chunk name and LuaJIT bytecode with debug info (line numbers and chunk name stay as
/// the source's). At most kMaxEntries; when full, the cache is emptied and refilled.
class ChunkCache {
 public:
  static constexpr size_t kMaxEntries = 64;

  /// The calling thread's cache.
  static ChunkCache& ForThisThread();

  /// Bytecode compiled earlier from exactly `source` under `chunk_name`, or nullptr. Valid
  /// until the next Store on this thread.
  const std::string* Find(std::string_view source, std::string_view chunk_name) const;
  /// Remembers `bytecode` as the compilation of `source` under `chunk_name`.
  void Store(std::string_view source, std::string_view chunk_name, std::string bytecode);

  /// Lookups answered from the cache / stores, since the thread started (for tests).
  uint64_t hits() const { return hits_; }
  uint64_t stores() const { return stores_; }

 private:
  struct Entry {
    std::string source, chunk_name, bytecode;
  };
  static uint64_t KeyOf(std::string_view source, std::string_view chunk_name);

  // A flat list keyed by hash: at most 64 entries, looked up once per state creation.
  struct Slot {
    uint64_t key;
    Entry entry;
  };
  std::vector<Slot> slots_;
  mutable uint64_t hits_ = 0;
  uint64_t stores_ = 0;
};

}  // namespace asobi::script
