// Cross-shard mailbox round trip: shard 0 submits to shard 1, which submits back; measures the
// full ping-pong latency including the eventfd wake-up of a sleeping reactor.
#include <benchmark/benchmark.h>

#include <atomic>
#include <thread>

#include "reactor/shard.h"
#include "reactor/spsc_ring.h"

namespace asobi {
namespace {

void BM_SpscPushPop(benchmark::State& state) {
  SpscRing<int> ring(1024);
  for (auto _ : state) {
    int v = 1;
    benchmark::DoNotOptimize(ring.TryPush(v));
    int out;
    benchmark::DoNotOptimize(ring.TryPop(out));
  }
}
BENCHMARK(BM_SpscPushPop);

// One round trip = shard 0 -> shard 1 -> shard 0, batched `batch` at a time.
void BM_MailboxRoundTrip(benchmark::State& state) {
  const int batch = int(state.range(0));
  ShardSet::Options opts;
  opts.shards = 2;
  opts.pin_threads = false;
  ShardSet set(opts);
  std::atomic<int64_t> done{0};
  set.Start([](Shard&) {});
  int64_t target = 0;
  for (auto _ : state) {
    target += batch;
    set.shard(0).PostFromAnyThread([&set, &done, batch] {
      Shard& s0 = set.shard(0);
      for (int i = 0; i < batch; ++i) {
        while (!s0.SubmitTo(1, [&set, &done] {
          while (!set.shard(1).SubmitTo(0, [&done] { done.fetch_add(1); })) {
          }
        })) {
        }
      }
    });
    while (done.load(std::memory_order_acquire) < target) {
    }
  }
  set.Stop();
  set.Join();
  state.SetItemsProcessed(state.iterations() * batch);
}
BENCHMARK(BM_MailboxRoundTrip)->Arg(1)->Arg(64)->UseRealTime();

}  // namespace
}  // namespace asobi

BENCHMARK_MAIN();
