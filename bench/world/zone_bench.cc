// Zone runtime benchmarks (issue 14 "Numbers"): one zone tick of 200 entities with 27 fields
// each, ticked in Lua (zone_tick, then the u/a/r delta of the broadcast baseline encoded once
// as a JSON world.tick for one subscriber on another shard), and the resident memory of idle
// loaded zones. Single thread; the shard is a stub whose mailboxes drop what they get.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "game/game_shard.h"
#include "game/match/match_host.h"
#include "game/modes/mode_registry.h"
#include "game/world/runtime/world_node.h"
#include "game/world/runtime/world_service.h"
#include "game/world/runtime/zone.h"

namespace asobi::world {
namespace {

// Moves every entity and changes `changed` of its 27 fields per tick (x, y, f3 ... f<changed>;
// 26 = every field but `type`).
const char* kScript = R"(
game_type = "world"
match_size = 1
CHANGED = 3
function zone_tick(entities, zone_state)
  local t = zone_state.tick
  for id, e in pairs(entities) do
    e.x = e.x + 1
    e.y = e.y + 0.5
    for i = 3, CHANGED do e["f" .. i] = t + i end
  end
  return entities, zone_state
end
)";

class StubHost final : public match::MatchHost {
 public:
  int shard_id() const override { return 0; }
  int shard_count() const override { return 2; }
  int64_t NowMs() override { return MonoMs(); }
  TimerId AddTimer(int64_t, Task) override { return ++next_; }
  void CancelTimer(TimerId) override {}
  bool SubmitTo(int, Task) override { return true; }  // the frame is dropped
  Client* FindClient(const ClientRef&) override { return nullptr; }
  db::PgConnection* db() override { return nullptr; }

 private:
  TimerId next_ = 0;
};

struct Fixture {
  explicit Fixture(int changed) : node({}, &registry, 2), service(host, game, node) {
    auto mode = std::make_shared<modes::ModeConfig>();
    mode->name = "bench";
    mode->script_rel = "bench.lua";
    mode->is_world = true;
    std::string source(kScript);
    source.append("\nCHANGED = ");
    source.append(std::to_string(changed));
    mode->source = std::make_shared<const std::string>(std::move(source));
    auto s = std::make_shared<WorldSettings>();
    s->mode = mode;
    s->zone_size = 1e12;  // nothing ever leaves the zone
    s->broadcast_interval = 1;
    settings = s;
  }
  modes::ModeRegistry registry;
  WorldNode node;
  StubHost host;
  GameShard game;
  WorldService service;
  std::shared_ptr<const WorldSettings> settings;
};

std::string EntityJson(int i) {
  std::string j("{\"x\":");
  j.append(std::to_string(i));
  j.append(",\"y\":");
  j.append(std::to_string(i * 2));
  j.append(",\"type\":\"npc\"");
  for (int f = 3; f < 27; ++f) {
    j.append(",\"f");
    j.append(std::to_string(f));
    j.append("\":");
    j.append(std::to_string(f));
  }
  j.push_back('}');
  return j;
}

void BM_ZoneTick(benchmark::State& state) {
  Fixture fx(int(state.range(1)));
  Zone zone(fx.service, "w", 0, ZoneKey{0, 0}, fx.settings);
  if (!zone.Start().ok()) return state.SkipWithError("zone script failed");
  for (int i = 0; i < state.range(0); ++i) {
    std::string id("e");
    id.append(std::to_string(i));
    zone.AddEntity(id, EntityJson(i));
  }
  zone.Subscribe("p", ClientRef{1, 0, 0}, false);
  uint64_t tick = 0;
  zone.Tick(++tick);  // the first broadcast adds every entity
  for (auto _ : state) zone.Tick(++tick);
  state.counters["entities"] = double(zone.entity_count());
}
BENCHMARK(BM_ZoneTick)
    ->ArgNames({"entities", "changed_fields"})
    ->Args({200, 3})
    ->Args({200, 26})
    ->Unit(benchmark::kMicrosecond);

size_t RssBytes() {
  std::ifstream in("/proc/self/statm");
  size_t pages = 0, rss = 0;
  in >> pages >> rss;
  return rss * size_t(sysconf(_SC_PAGESIZE));
}

// Loaded idle zones (a Lua state each, no entities): resident bytes per zone.
void BM_IdleZoneMemory(benchmark::State& state) {
  for (auto _ : state) {
    Fixture fx(3);
    std::vector<std::unique_ptr<Zone>> zones;
    const size_t rss0 = RssBytes();
    for (int i = 0; i < state.range(0); ++i) {
      auto z = std::make_unique<Zone>(fx.service, "w", 0, ZoneKey{i, 0}, fx.settings);
      if (!z->Start().ok()) return state.SkipWithError("zone script failed");
      z->Tick(1);
      zones.push_back(std::move(z));
    }
    state.counters["rss_bytes_per_zone"] = double(RssBytes() - rss0) / double(state.range(0));
  }
}
BENCHMARK(BM_IdleZoneMemory)->Arg(10000)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace asobi::world

BENCHMARK_MAIN();
