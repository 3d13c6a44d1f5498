#include "game/world/terrain/terrain_store.h"

#include <atomic>
#include <list>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/check.h"
#include "game/world/terrain/terrain_frame.h"

namespace asobi::world::terrain {
namespace {

uint64_t Key(ChunkCoords at) {
  return (uint64_t{static_cast<uint32_t>(at.x)} << 32) | static_cast<uint32_t>(at.y);
}

Error Busy(std::string_view why) { return MakeError("terrain_busy", std::string(why)); }

}  // namespace

Result<TerrainChunk> BuildTerrainChunk(const TerrainProvider& provider, ChunkCoords at) {
  TileGrid tiles;
  provider.Generate(at, &tiles);
  Result<std::string> bytes = EncodeChunk(tiles);
  if (!bytes.ok()) return bytes.error();
  TerrainChunk c;
  c.at = at;
  c.bytes = SharedBuffer::Copy(bytes.value());
  c.frame = EncodeTerrainFrame(at, bytes.value());
  return c;
}

// Everything a store owns. Pool completions hold a weak_ptr to it and run on the store's
// shard, so they find it alive or not at all.
struct TerrainStore::State {
  std::shared_ptr<const TerrainProvider> provider;
  Shard* shard = nullptr;
  WorkerPool* pool = nullptr;
  Options opts;
  std::list<TerrainChunk> lru;  // front: most recently used
  std::unordered_map<uint64_t, std::list<TerrainChunk>::iterator> cache;
  std::unordered_map<uint64_t, std::vector<Done>> pending;  // in flight → waiters
  std::shared_ptr<std::atomic<bool>> cancelled = std::make_shared<std::atomic<bool>>(false);
  bool closed = false;  // the store is gone: call nobody
  Stats stats;

  const TerrainChunk* Lookup(ChunkCoords at) {
    auto it = cache.find(Key(at));
    if (it == cache.end()) return nullptr;
    lru.splice(lru.begin(), lru, it->second);
    return &*it->second;
  }

  void Insert(const TerrainChunk& c) {
    if (Lookup(c.at) != nullptr) return;  // generated meanwhile (GetChunkNow)
    lru.push_front(c);
    cache.emplace(Key(c.at), lru.begin());
    while (cache.size() > opts.max_chunks) {
      cache.erase(Key(lru.back().at));
      lru.pop_back();
      ++stats.evicted;
    }
  }

  Result<TerrainChunk> BuildInline(ChunkCoords at) {
    Result<TerrainChunk> r = BuildTerrainChunk(*provider, at);
    if (r.ok()) {
      ++stats.generated;
      Insert(r.value());
    } else {
      ++stats.failed;
    }
    return r;
  }

  // A generation finished (or was dropped): cache it and answer its waiters.
  void Finish(ChunkCoords at, Result<TerrainChunk> r) {
    auto it = pending.find(Key(at));
    if (it == pending.end()) return;
    std::vector<Done> waiters = std::move(it->second);
    pending.erase(it);
    if (r.ok()) {
      ++stats.generated;
      Insert(r.value());
    } else {
      ++stats.failed;
    }
    for (Done& done : waiters) {
      if (closed) return;  // a callback destroyed the store
      done(r);
    }
  }

  // Starts a pool generation of `at` (not cached, not in flight); false when the pool refused.
  bool Start(ChunkCoords at, const std::shared_ptr<State>& self) {
    std::weak_ptr<State> weak = self;
    std::shared_ptr<const TerrainProvider> p = provider;
    const bool queued = pool->Run<Result<TerrainChunk>>(
        *shard, [p, at] { return BuildTerrainChunk(*p, at); },
        [weak, at](Result<TerrainChunk> r) {
          if (auto s = weak.lock()) s->Finish(at, std::move(r));
        },
        [weak, at] {
          if (auto s = weak.lock()) {
            s->Finish(at, MakeError("terrain_unavailable", "terrain generation was dropped"));
          }
        },
        cancelled);
    if (queued) pending.emplace(Key(at), std::vector<Done>());
    return queued;
  }

  bool Inline() const { return pool == nullptr || provider->cheap(); }
};

TerrainStore::TerrainStore(std::shared_ptr<const TerrainProvider> provider, Shard& shard,
                           WorkerPool* pool, const Options& options)
    : state_(std::make_shared<State>()) {
  CHECK(provider != nullptr);
  CHECK(options.max_chunks >= 1 && options.max_pending >= 1 && options.max_waiters >= 1);
  state_->provider = std::move(provider);
  state_->shard = &shard;
  state_->pool = pool;
  state_->opts = options;
}

TerrainStore::~TerrainStore() {
  state_->closed = true;
  state_->cancelled->store(true, std::memory_order_release);
}

const TerrainChunk* TerrainStore::Find(ChunkCoords at) { return state_->Lookup(at); }

void TerrainStore::GetChunk(ChunkCoords at, Done done) {
  State& s = *state_;
  if (const TerrainChunk* c = s.Lookup(at)) {
    ++s.stats.hits;
    done(*c);
    return;
  }
  if (s.Inline()) {
    done(s.BuildInline(at));
    return;
  }
  auto it = s.pending.find(Key(at));
  if (it == s.pending.end()) {
    if (s.pending.size() >= s.opts.max_pending) {
      ++s.stats.busy;
      done(Busy("too many terrain chunks in generation"));
      return;
    }
    if (!s.Start(at, state_)) {
      ++s.stats.busy;
      done(Busy("worker queue full"));
      return;
    }
    it = s.pending.find(Key(at));
  }
  if (it->second.size() >= s.opts.max_waiters) {
    ++s.stats.busy;
    done(Busy("too many requests waiting for this chunk"));
    return;
  }
  it->second.push_back(std::move(done));
}

Result<TerrainChunk> TerrainStore::GetChunkNow(ChunkCoords at) {
  State& s = *state_;
  if (const TerrainChunk* c = s.Lookup(at)) {
    ++s.stats.hits;
    return *c;
  }
  return s.BuildInline(at);
}

size_t TerrainStore::Preload(std::span<const ChunkCoords> list) {
  State& s = *state_;
  size_t started = 0;
  for (ChunkCoords at : list) {
    if (started >= s.opts.max_chunks) break;  // more would evict what this call made
    if (s.cache.count(Key(at)) || s.pending.count(Key(at))) continue;
    if (s.Inline()) {
      if (s.BuildInline(at).ok()) ++started;
      continue;
    }
    if (s.pending.size() >= s.opts.max_pending || !s.Start(at, state_)) {
      ++s.stats.busy;
      break;
    }
    ++started;
  }
  return started;
}

size_t TerrainStore::cached() const { return state_->cache.size(); }
size_t TerrainStore::pending() const { return state_->pending.size(); }
const TerrainStore::Stats& TerrainStore::stats() const { return state_->stats; }

}  // namespace asobi::world::terrain
