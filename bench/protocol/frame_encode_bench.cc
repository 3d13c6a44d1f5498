// Outbound frame encoding cost: the heartbeat reply (§2.3) and a ~1 KiB match.state push
// (§5.7) written with JsonWriter into a reused buffer.
#include <benchmark/benchmark.h>

#include <string>

#include "protocol/errors.h"
#include "protocol/frame.h"
#include "protocol/json_writer.h"

namespace asobi {
namespace {

void BM_HeartbeatReply(benchmark::State& state) {
  const std::string cid = R"("42")";
  int64_t ts_ms = 1730000000000;
  for (auto _ : state) {
    std::string frame = BuildHeartbeatReply(ts_ms++, &cid);
    benchmark::DoNotOptimize(frame.data());
  }
}
BENCHMARK(BM_HeartbeatReply);

void BM_ErrorFrame(benchmark::State& state) {
  const std::string cid = R"("7")";
  for (auto _ : state) {
    std::string frame = BuildErrorFrame("match_full", &cid);
    benchmark::DoNotOptimize(frame.data());
  }
}
BENCHMARK(BM_ErrorFrame);

// 10 players with position, velocity, health, name and flags: about 1 KiB.
void WriteMatchState(JsonWriter* w, int64_t tick) {
  BeginFrame(w, "match.state", nullptr);
  w->BeginObject();
  w->Key("tick");
  w->Int(tick);
  w->Key("phase");
  w->String("running");
  w->Key("players");
  w->BeginObject();
  static constexpr std::string_view kIds[] = {"p01", "p02", "p03", "p04", "p05",
                                              "p06", "p07", "p08", "p09", "p10"};
  for (int i = 0; i < 10; ++i) {
    w->Key(kIds[i]);
    w->BeginObject();
    w->Key("x");
    w->Double(100.25 + i * 3.7 + tick * 0.01);
    w->Key("y");
    w->Double(-42.5 + i * 1.3);
    w->Key("vx");
    w->Double(0.5 * i);
    w->Key("hp");
    w->Int(100 - i);
    w->Key("name");
    w->String("Player Name");
    w->Key("alive");
    w->Bool(true);
    w->Key("team");
    w->String(i % 2 ? "red" : "blue");
    w->EndObject();
  }
  w->EndObject();
  w->EndObject();
  EndFrame(w);
}

void BM_MatchState1KiB(benchmark::State& state) {
  JsonWriter w;
  int64_t tick = 1;
  for (auto _ : state) {
    w.Clear();
    WriteMatchState(&w, tick++);
    benchmark::DoNotOptimize(w.out().data());
  }
  state.SetLabel(std::to_string(w.out().size()) + " bytes");
  state.SetBytesProcessed(state.iterations() * w.out().size());
}
BENCHMARK(BM_MatchState1KiB);

}  // namespace
}  // namespace asobi

BENCHMARK_MAIN();
