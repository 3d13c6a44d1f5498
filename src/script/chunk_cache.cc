#include "script/chunk_cache.h"

#include <functional>
#include <utility>

namespace asobi::script {

ChunkCache& ChunkCache::ForThisThread() {
  thread_local ChunkCache cache;
  return cache;
}

uint64_t ChunkCache::KeyOf(std::string_view source, std::string_view chunk_name) {
  std::hash<std::string_view> h;
  return h(source) * 31 + h(chunk_name);
}

const std::string* ChunkCache::Find(std::string_view source, std::string_view chunk_name) const {
  const uint64_t key = KeyOf(source, chunk_name);
  for (const Slot& s : slots_) {
    if (s.key == key && s.entry.source == source && s.entry.chunk_name == chunk_name) {
      ++hits_;
      return &s.entry.bytecode;
    }
  }
  return nullptr;
}

void ChunkCache::Store(std::string_view source, std::string_view chunk_name, std::string bytecode) {
  if (slots_.size() >= kMaxEntries) slots_.clear();
  slots_.push_back(Slot{KeyOf(source, chunk_name),
                        Entry{std::string(source), std::string(chunk_name), std::move(bytecode)}});
  ++stores_;
}

}  // namespace asobi::script
