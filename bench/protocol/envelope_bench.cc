// Inbound envelope parse cost (websocket.md §1.2 steps 4-5) for the two most frequent frames:
// a heartbeat and a ~300-byte match.input.
#include <benchmark/benchmark.h>

#include <string>

#include "protocol/envelope.h"

namespace asobi {
namespace {

constexpr std::string_view kHeartbeat = R"({"type":"session.heartbeat","cid":"42","payload":{}})";

// ~300 bytes, a typical action-game input.
constexpr std::string_view kMatchInput =
    R"({"type":"match.input","payload":{"tick":18234,"seq":991,)"
    R"("move":{"x":0.7071067811865476,"y":-0.7071067811865476},"aim":{"x":123.25,"y":-45.5},)"
    R"("buttons":["fire","jump","reload"],"weapon":"rifle_mk2","sprint":true,"crouch":false,)"
    R"("look":[0.125,1.5707963267948966,-3.14159],"client_ts":1730000000123}})";

void BM_ParseHeartbeat(benchmark::State& state) {
  EnvelopeParser parser;
  Envelope env;
  for (auto _ : state) {
    Status st = parser.ParseInto(kHeartbeat, &env);
    benchmark::DoNotOptimize(st);
    benchmark::DoNotOptimize(env.type.data());
  }
  state.SetBytesProcessed(state.iterations() * kHeartbeat.size());
}
BENCHMARK(BM_ParseHeartbeat);

void BM_ParseHeartbeatResult(benchmark::State& state) {
  EnvelopeParser parser;
  for (auto _ : state) {
    auto env = parser.Parse(kHeartbeat);
    benchmark::DoNotOptimize(env);
  }
  state.SetBytesProcessed(state.iterations() * kHeartbeat.size());
}
BENCHMARK(BM_ParseHeartbeatResult);

void BM_ParseMatchInput(benchmark::State& state) {
  EnvelopeParser parser;
  Envelope env;
  for (auto _ : state) {
    Status st = parser.ParseInto(kMatchInput, &env);
    benchmark::DoNotOptimize(st);
    benchmark::DoNotOptimize(GetInt(env.payload, "tick"));
  }
  state.SetLabel(std::to_string(kMatchInput.size()) + " bytes");
  state.SetBytesProcessed(state.iterations() * kMatchInput.size());
}
BENCHMARK(BM_ParseMatchInput);

void BM_ParseMatchInputAndReencodePayload(benchmark::State& state) {
  EnvelopeParser parser;
  Envelope env;
  JsonWriter w;
  for (auto _ : state) {
    Status st = parser.ParseInto(kMatchInput, &env);
    benchmark::DoNotOptimize(st);
    w.Clear();
    WriteJsonValue(&w, env.payload);
    benchmark::DoNotOptimize(w.out().data());
  }
  state.SetBytesProcessed(state.iterations() * kMatchInput.size());
}
BENCHMARK(BM_ParseMatchInputAndReencodePayload);

}  // namespace
}  // namespace asobi

BENCHMARK_MAIN();
