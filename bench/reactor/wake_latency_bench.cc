// Cross-shard latency to an idle shard: the worst case of the mailbox wake-up handshake
// (issue 10 defect 6). A producer thread on core 0 submits one message at a time to shard 1
// (pinned to core 1, otherwise idle, so it keeps going to sleep in io_uring_enter) and waits
// for it to run; a random 0-3 us gap between messages makes the pushes land in every phase
// of the shard's turn after a message, including the instant it announces that it sleeps
// (a few hundred ns after it ran the previous message). A lost wake-up
// shows as a message that waits for the loop's 1 s sleep bound.
//
// Reports latency from push to execution: p50, p99, p99.99 and max (us), and the number of
// messages that waited 100 ms or more. Arg: messages.
#include <benchmark/benchmark.h>
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <random>
#include <vector>

#include "base/clock.h"
#include "reactor/shard.h"

namespace asobi {
namespace {

void PinCallingThread(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

void SpinFor(int64_t ns) {
  int64_t until = MonoNs() + ns;
  while (MonoNs() < until) {
  }
}

void BM_CrossShardWakeLatency(benchmark::State& state) {
  const size_t messages = size_t(state.range(0));
  ShardSet::Options opts;
  opts.shards = 2;
  opts.pin_threads = true;  // shard i on core i
  ShardSet set(opts);
  set.Start([](Shard&) {});
  PinCallingThread(0);
  std::vector<int64_t> latency_ns(messages);
  std::atomic<size_t> done{0};
  std::mt19937 rng(42);
  std::uniform_int_distribution<int64_t> gap_ns(0, 3000);
  for (auto _ : state) {
    done.store(0);
    // The test thread is shard 0's producer side (shard 0's own thread never submits).
    Shard& s0 = set.shard(0);
    for (size_t i = 0; i < messages; ++i) {
      int64_t t0 = MonoNs();
      while (!s0.SubmitTo(1, [i, t0, &latency_ns, &done] {
        latency_ns[i] = MonoNs() - t0;
        done.store(i + 1, std::memory_order_release);
      })) {
      }
      while (done.load(std::memory_order_acquire) != i + 1) {
      }
      SpinFor(gap_ns(rng));
    }
  }
  set.Stop();
  set.Join();
  std::vector<int64_t> sorted = latency_ns;
  std::sort(sorted.begin(), sorted.end());
  auto pct = [&](double p) { return double(sorted[size_t(p * double(sorted.size() - 1))]) / 1e3; };
  state.counters["p50_us"] = pct(0.50);
  state.counters["p99_us"] = pct(0.99);
  state.counters["p99.99_us"] = pct(0.9999);
  state.counters["max_us"] = double(sorted.back()) / 1e3;
  state.counters["stalls_100ms"] = double(
      std::count_if(sorted.begin(), sorted.end(), [](int64_t ns) { return ns >= 100'000'000; }));
  state.SetItemsProcessed(int64_t(messages) * state.iterations());
}
BENCHMARK(BM_CrossShardWakeLatency)
    ->Arg(4'000'000)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kSecond);

}  // namespace
}  // namespace asobi

BENCHMARK_MAIN();
