// world.tick encoding, JSON against binary (websocket.md §10.5, §11): the 40-entity steady
// state of the spec's fixture (Asobi: 3,795 B JSON, 1,039 B binary), a 200-entity keyframe
// with 27 fields each, decoding, and the shared fan-out buffers. Counters: `bytes` per frame.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>

#include "game/world/wire/world_tick_buffers.h"
#include "protocol/json_writer.h"
#include "protocol/world_tick/binary_world_tick.h"
#include "protocol/world_tick/json_world_tick.h"

namespace asobi::world_tick {
namespace {

// A UUIDv7-shaped 36-character entity id for entity `i`.
std::string EntityId(int i) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "01a0115f-547e-714f-829f-%012d", i);
  return buf;
}

// The steady_state_40_updates fixture: 40 updates of x, y, vx, vy (zone [3,-2]).
WorldTickFrame SteadyState40() {
  WorldTickFrame f;
  f.zone_x = 3;
  f.zone_y = -2;
  f.frame_seq = 4711;
  f.tick = 94220;
  for (int i = 1; i <= 40; ++i) {
    f.AddRecord(DeltaOp::kUpdate, EntityId(i), i, 0);
    f.AddField("vx", FieldValue::Double(0.5));
    f.AddField("vy", FieldValue::Double(-0.5));
    f.AddField("x", FieldValue::Double(1.5 * i));
    f.AddField("y", FieldValue::Double(-0.25 * i));
  }
  return f;
}

// A keyframe of 200 entities with 27 fields each (floats, ints, strings, bools).
WorldTickFrame Keyframe200x27() {
  WorldTickFrame f;
  f.kf = true;
  f.frame_seq = 88;
  static const std::string kNames[27] = {
      "x",     "y",    "vx",    "vy",     "hp",    "mp",  "type",  "name",   "level",
      "xp",    "gold", "armor", "attack", "speed", "dir", "state", "target", "team",
      "alive", "stun", "a1",    "a2",     "a3",    "a4",  "a5",    "a6",     "a7"};
  for (int i = 0; i < 200; ++i) {
    f.AddRecord(DeltaOp::kAdd, EntityId(i), i, 0);
    for (int k = 0; k < 27; ++k) {
      FieldValue v = k < 4    ? FieldValue::Double(i * 1.25 + k)
                     : k < 6  ? FieldValue::Int(100 + i)
                     : k < 8  ? FieldValue::String(k == 6 ? "npc" : "wolf")
                     : k < 18 ? FieldValue::Int(i * k)
                     : k < 20 ? FieldValue::Bool(i % 2 == 0)
                              : FieldValue::Double(i * 0.1 + k);
      f.AddField(kNames[k], std::move(v));
    }
  }
  return f;
}

void BM_EncodeJson(benchmark::State& state, WorldTickFrame (*make)()) {
  const WorldTickFrame f = make();
  JsonWriter w;
  for (auto _ : state) {
    w.Clear();
    WriteJsonWorldTick(f, &w);
    benchmark::DoNotOptimize(w.out().data());
  }
  state.counters["bytes"] = double(w.out().size());
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(w.out().size()));
}
BENCHMARK_CAPTURE(BM_EncodeJson, steady_40, SteadyState40);
BENCHMARK_CAPTURE(BM_EncodeJson, keyframe_200x27, Keyframe200x27);

void BM_EncodeBinary(benchmark::State& state, WorldTickFrame (*make)()) {
  const WorldTickFrame f = make();
  std::string out;
  for (auto _ : state) {
    out.clear();
    if (EncodeBinaryWorldTick(f, &out) != Refusal::kNone) state.SkipWithError("refused");
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["bytes"] = double(out.size());
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(out.size()));
}
BENCHMARK_CAPTURE(BM_EncodeBinary, steady_40, SteadyState40);
BENCHMARK_CAPTURE(BM_EncodeBinary, keyframe_200x27, Keyframe200x27);

void BM_DecodeBinary(benchmark::State& state, WorldTickFrame (*make)()) {
  std::string bytes;
  EncodeBinaryWorldTick(make(), &bytes);
  WorldTickFrame f;
  for (auto _ : state) {
    if (!DecodeBinaryWorldTick(bytes, &f).ok()) state.SkipWithError("malformed");
    benchmark::DoNotOptimize(f.records.data());
  }
  state.counters["bytes"] = double(bytes.size());
}
BENCHMARK_CAPTURE(BM_DecodeBinary, steady_40, SteadyState40);
BENCHMARK_CAPTURE(BM_DecodeBinary, keyframe_200x27, Keyframe200x27);

// What a zone pays per broadcast with binary subscribers: both shared WebSocket frames.
void BM_SharedBuffersBothWires(benchmark::State& state) {
  const WorldTickFrame f = SteadyState40();
  for (auto _ : state) {
    world::WorldTickBuffers b = world::EncodeWorldTickBuffers(f, true);
    benchmark::DoNotOptimize(b.binary.data());
  }
}
BENCHMARK(BM_SharedBuffersBothWires);

}  // namespace
}  // namespace asobi::world_tick

BENCHMARK_MAIN();
