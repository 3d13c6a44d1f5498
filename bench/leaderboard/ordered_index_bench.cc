// The leaderboard ranking at 1 000 000 entries (game/leaderboard): a submit (a player's score
// changes: erase + insert in the OrderedIndex, through Board), a rank lookup, top-100 and
// around-5. Results in bench/README.md "Leaderboards".
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "game/leaderboard/board.h"

namespace asobi::leaderboard {
namespace {

constexpr size_t kEntries = 1000000;

// A board of kEntries players with random scores, built once.
struct Fixture {
  Board board;
  std::vector<std::string> players;
  Fixture() {
    std::mt19937_64 rng(1);
    players.reserve(kEntries);
    for (size_t i = 0; i < kEntries; ++i) {
      char id[40];
      std::snprintf(id, sizeof id, "0190b000-0000-7000-8000-%012zx", i);
      players.emplace_back(id);
      board.Load(players.back(), int64_t(rng() % 10000000), 1);
    }
  }
};

Fixture& Shared() {
  static Fixture f;
  return f;
}

void BM_Submit(benchmark::State& state) {
  Fixture& f = Shared();
  std::mt19937_64 rng(2);
  for (auto _ : state) {
    const std::string& p = f.players[rng() % kEntries];
    benchmark::DoNotOptimize(f.board.Submit(p, int64_t(rng() % 10000000), SubmitOp::kSet, 2));
  }
  f.board.TakeDirty(kEntries);
}
BENCHMARK(BM_Submit);

void BM_Rank(benchmark::State& state) {
  Fixture& f = Shared();
  std::mt19937_64 rng(3);
  for (auto _ : state) {
    benchmark::DoNotOptimize(f.board.Find(f.players[rng() % kEntries]));
  }
}
BENCHMARK(BM_Rank);

void BM_Top100(benchmark::State& state) {
  Fixture& f = Shared();
  for (auto _ : state) benchmark::DoNotOptimize(f.board.Top(100));
}
BENCHMARK(BM_Top100);

void BM_Around5(benchmark::State& state) {
  Fixture& f = Shared();
  std::mt19937_64 rng(4);
  for (auto _ : state) {
    benchmark::DoNotOptimize(f.board.Around(f.players[rng() % kEntries], 5));
  }
}
BENCHMARK(BM_Around5);

}  // namespace
}  // namespace asobi::leaderboard

BENCHMARK_MAIN();
