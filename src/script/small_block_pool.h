// Free lists for the small blocks of one Lua state (LuaMemory's fast path).
#pragma once

#include <cstddef>

namespace asobi::script {

/// Size-classed free lists (16-byte classes up to kMaxBlockBytes) carved from chunks of
/// kChunkBytes taken from malloc. Lua tables, strings and closures are mostly this small and
/// are allocated and freed at a high rate (every state-building callback makes garbage); a
/// free-list pop or push is much cheaper than a general malloc/free pair, and keeps a state's
/// objects together. Freed blocks stay in their class for reuse by the same state; the chunks
/// go back to malloc when the pool is destroyed (with its state).
///
/// The caller passes the block size to Free (Lua's allocator interface always knows it). Under
/// AddressSanitizer free blocks are poisoned. One owner thread; not thread-safe.
class SmallBlockPool {
 public:
  static constexpr size_t kMaxBlockBytes = 256;
  static constexpr size_t kChunkBytes = 4096;

  SmallBlockPool() = default;
  ~SmallBlockPool();
  SmallBlockPool(const SmallBlockPool&) = delete;
  SmallBlockPool& operator=(const SmallBlockPool&) = delete;

  /// Whether a block of `bytes` (> 0) is served by the pool.
  static bool Serves(size_t bytes) { return bytes <= kMaxBlockBytes; }
  /// Whether blocks of `a` and `b` bytes share a class (a block of one fits the other).
  static bool SameClass(size_t a, size_t b) { return ClassOf(a) == ClassOf(b); }

  /// A 16-byte aligned block of `bytes` (1..kMaxBlockBytes); nullptr when malloc fails.
  void* Allocate(size_t bytes);
  /// Returns a block obtained from Allocate(bytes) (same size class).
  void Free(void* block, size_t bytes);

 private:
  static constexpr size_t kGranule = 16;
  static constexpr size_t kClasses = kMaxBlockBytes / kGranule;
  static size_t ClassOf(size_t bytes) { return (bytes + kGranule - 1) / kGranule - 1; }

  struct FreeBlock {
    FreeBlock* next;
  };
  struct Chunk {
    Chunk* next;
  };

  FreeBlock* free_[kClasses] = {};
  char* bump_ = nullptr;  // unused tail of the newest chunk
  char* bump_end_ = nullptr;
  Chunk* chunks_ = nullptr;  // every chunk, newest first
};

}  // namespace asobi::script
