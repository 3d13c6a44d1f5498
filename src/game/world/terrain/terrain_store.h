// TerrainStore: a world's terrain chunks on one shard: generation (on the worker pool when the
// provider is slow), an LRU cache, and the encoded `world.terrain` frame of each chunk
// (lua.md §8-§9 `game.terrain.get_chunk` / `preload`; websocket.md §10.9).
//
// One store per (world, shard): the world runtime creates one on each shard that owns zones of
// a world with a terrain provider, so every call stays on that shard (no locks). The provider
// is shared, immutable, by all of them. A zone needs its own chunk on subscription, so chunks
// are mostly wanted on the shard that owns the zone; a chunk wanted on two shards is generated
// on each (providers are deterministic, so both copies are the same bytes).
//
// Bounds (each has a tested outcome):
// - `max_chunks` cached chunks; past it the least recently used one is dropped (regenerated
//   if asked for again).
// - `max_pending` generations in flight; a GetChunk for a chunk not cached and not in flight
//   beyond it answers "terrain_busy", Preload stops starting new ones.
// - `max_waiters` callbacks waiting for one chunk; beyond it GetChunk answers "terrain_busy".
// - a full worker pool queue answers "terrain_busy"; a job the pool drops (shutdown) answers
//   "terrain_unavailable" to its waiters.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include "base/result.h"
#include "base/shared_buffer.h"
#include "game/world/terrain/terrain_chunk.h"
#include "game/world/terrain/terrain_provider.h"
#include "reactor/shard.h"
#include "reactor/worker_pool.h"

namespace asobi::world::terrain {

/// One generated chunk: its bytes and its ready-to-send frame. Copies share the buffers.
struct TerrainChunk {
  ChunkCoords at;
  SharedBuffer bytes;  // the chunk bytes (terrain_chunk.h); `{ok = bytes}` for Lua
  SharedBuffer frame;  // the world.terrain WebSocket text frame carrying them
};

/// Generates chunk `at` with `provider` and encodes it (bytes and frame). Pure; any thread.
/// Errors: "terrain_unavailable" when compression fails.
Result<TerrainChunk> BuildTerrainChunk(const TerrainProvider& provider, ChunkCoords at);

/// Shard-affine: construct, call and destroy on `shard`'s thread.
class TerrainStore {
 public:
  /// Bounds (each >= 1): cached chunks (LRU), generations in flight, and callbacks waiting on
  /// one chunk.
  struct Options {
    size_t max_chunks = 256;
    size_t max_pending = 64;
    size_t max_waiters = 1024;
  };
  /// Counters, for tests and metrics.
  struct Stats {
    uint64_t hits = 0;       // answered from the cache
    uint64_t generated = 0;  // chunks built (inline or on the pool)
    uint64_t evicted = 0;    // dropped by the LRU bound
    uint64_t busy = 0;       // requests answered "terrain_busy"
    uint64_t failed = 0;     // generations that ended in an error or were dropped
  };
  /// Completion of a chunk request; runs on this store's shard.
  using Done = std::function<void(Result<TerrainChunk>)>;

  /// `pool` null: every chunk is generated inline on this shard.
  TerrainStore(std::shared_ptr<const TerrainProvider> provider, Shard& shard, WorkerPool* pool,
               const Options& options);
  /// Drops the cache; callbacks still waiting are never called, queued generations are
  /// cancelled.
  ~TerrainStore();
  TerrainStore(const TerrainStore&) = delete;
  TerrainStore& operator=(const TerrainStore&) = delete;

  /// The cached chunk `at` (now the most recently used), or null. Valid until the next call
  /// on this store.
  const TerrainChunk* Find(ChunkCoords at);

  /// Calls `done` with chunk `at` on this shard: at once when cached or when the provider is
  /// cheap (or there is no pool), else when its generation on the pool finishes (callers
  /// asking for a chunk in flight share that generation). Errors as in the header comment.
  void GetChunk(ChunkCoords at, Done done);

  /// The chunk `at` now: from the cache, else generated inline on this shard (cost: one
  /// generation, ~1 ms for perlin; bench/README.md). For synchronous Lua calls.
  Result<TerrainChunk> GetChunkNow(ChunkCoords at);

  /// Starts generating each listed chunk that is neither cached nor in flight, within
  /// `max_pending` and at most `max_chunks` per call (inline for cheap providers); returns how
  /// many it started.
  size_t Preload(std::span<const ChunkCoords> list);

  /// Chunks in the cache, generations in flight, and the counters (this shard's thread).
  size_t cached() const;
  size_t pending() const;
  const Stats& stats() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace asobi::world::terrain
