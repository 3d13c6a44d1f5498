// Terrain chunk cost (src/game/world/terrain): generation + zlib + world.terrain frame per
// chunk for each provider, and a cached TerrainStore hit. Counters: chunk `bytes` (compressed)
// and `frame_bytes`.
#include <benchmark/benchmark.h>

#include "game/world/terrain/terrain_frame.h"
#include "game/world/terrain/terrain_provider.h"
#include "game/world/terrain/terrain_store.h"

namespace asobi::world::terrain {
namespace {

void BM_GenerateTiles(benchmark::State& state, const char* module) {
  auto p = CreateTerrainProvider(module, "", 42).value();
  TileGrid tiles;
  int32_t x = 0;
  for (auto _ : state) {
    p->Generate({x++, 7}, &tiles);
    benchmark::DoNotOptimize(tiles.data());
  }
}
BENCHMARK_CAPTURE(BM_GenerateTiles, flat, "flat");
BENCHMARK_CAPTURE(BM_GenerateTiles, perlin, "perlin");

// What one cache miss costs on the worker pool: tiles, compression, frame.
void BM_BuildChunk(benchmark::State& state, const char* module) {
  auto p = CreateTerrainProvider(module, "", 42).value();
  int32_t x = 0;
  size_t bytes = 0, frame = 0;
  for (auto _ : state) {
    Result<TerrainChunk> c = BuildTerrainChunk(*p, {x++, 7});
    bytes += c->bytes.size();
    frame += c->frame.size();
  }
  state.counters["bytes"] = double(bytes) / double(state.iterations());
  state.counters["frame_bytes"] = double(frame) / double(state.iterations());
}
BENCHMARK_CAPTURE(BM_BuildChunk, flat, "flat");
BENCHMARK_CAPTURE(BM_BuildChunk, perlin, "perlin");

void BM_StoreCachedHit(benchmark::State& state) {
  ShardSet::Options opts;
  opts.shards = 1;
  opts.pin_threads = false;
  ShardSet set(opts);  // the store only needs a Shard object; it is used on this thread
  TerrainStore::Options o;
  TerrainStore store(CreateTerrainProvider("flat", "", 42).value(), set.shard(0), nullptr, o);
  (void)store.GetChunkNow({1, 1});
  for (auto _ : state) {
    Result<TerrainChunk> c = store.GetChunkNow({1, 1});
    benchmark::DoNotOptimize(c->frame.data());
  }
}
BENCHMARK(BM_StoreCachedHit);

}  // namespace
}  // namespace asobi::world::terrain

BENCHMARK_MAIN();
