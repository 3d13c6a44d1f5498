// Lua -> JSON encode cost of typical match.state payloads, and JSON -> Lua of an input.
#include <benchmark/benchmark.h>

#include <lua.hpp>
#include <string>

#include "script/budget.h"
#include "script/lua_json.h"
#include "script/lua_state.h"

namespace {

using asobi::script::CallWithBudget;
using asobi::script::EncodeLuaToJson;
using asobi::script::JsonShape;
using asobi::script::LuaState;
using asobi::script::LuaToJsonOptions;

// What examples/demo/match.lua's get_state returns with two players.
constexpr char kDemoState[] = R"(
  local view = {
    ["0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"] = {x = 412, y = 233},
    ["0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c"] = {x = 96, y = 540},
  }
  return {tick = 123, elapsed_ms = 12300, remaining_ms = 47700, arena = {w = 800, h = 600},
          you = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", players = view}
)";

// A 50-entity shared state: mixed strings, floats, booleans and a small array per entity.
constexpr char kFiftyEntities[] = R"(
  local entities = {}
  for i = 1, 50 do
    entities["e" .. i] = {id = "e" .. i, type = (i % 3 == 0) and "player" or "npc",
                          x = i * 13.25, y = i * 7.5, hp = 100 - i, alive = i % 7 ~= 0,
                          tags = {"t" .. (i % 4), "zone_" .. (i % 5)}, vx = 0.125 * i, vy = -1}
  end
  return {tick = 4567, phase = "running", entities = entities, events = {}}
)";

// Leaves the table built by `code` on the stack of a fresh state.
std::unique_ptr<LuaState> StateWith(const char* code) {
  auto state = std::move(LuaState::Create().value());
  luaL_loadstring(state->get(), code);
  if (!CallWithBudget(state->get(), 0, 1, 1000).ok()) std::abort();
  return state;
}

void Encode(benchmark::State& bm, const char* code) {
  auto state = StateWith(code);
  LuaToJsonOptions options;
  options.shape = JsonShape::kObject;
  std::string out;
  for (auto _ : bm) {
    out.clear();
    if (!EncodeLuaToJson(state->get(), -1, &out, options).ok()) std::abort();
    benchmark::DoNotOptimize(out.data());
  }
  bm.SetBytesProcessed(static_cast<int64_t>(bm.iterations() * out.size()));
  bm.counters["json_bytes"] = static_cast<double>(out.size());
}

void BM_EncodeDemoState2Players(benchmark::State& bm) { Encode(bm, kDemoState); }
BENCHMARK(BM_EncodeDemoState2Players);

void BM_EncodeFiftyEntities(benchmark::State& bm) { Encode(bm, kFiftyEntities); }
BENCHMARK(BM_EncodeFiftyEntities);

void BM_DecodeArenaInput(benchmark::State& bm) {
  auto state = std::move(LuaState::Create().value());
  lua_State* L = state->get();
  simdjson::dom::parser parser;
  const std::string input =
      R"({"right":true,"left":false,"down":false,"up":true,"shoot":true,"aim_x":412.5,"aim_y":233})";
  for (auto _ : bm) {
    if (!asobi::script::PushJsonText(L, parser, input).ok()) std::abort();
    lua_pop(L, 1);
  }
  bm.SetBytesProcessed(static_cast<int64_t>(bm.iterations() * input.size()));
}
BENCHMARK(BM_DecodeArenaInput);

}  // namespace

BENCHMARK_MAIN();
