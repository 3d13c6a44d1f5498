// Spawn templates (lua.md §8 `spawn_templates`, §9 `game.zone.spawn`): the world state's
// template set, read once at world start, and each zone's spawner: the spawns queued for the
// next tick, the spawned entities it watches, and their timed respawns. See docs/decisions.md
// "World effects, spawns and borders".
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

struct lua_State;

namespace asobi::world {

/// One template: the entity `base_state` (a JSON object) with `type`, and its respawn rule.
struct SpawnTemplate {
  std::string type;                    // "" = keep base_state's own type, if any
  std::string base_state_json = "{}";  // JSON object
  bool respawn = false;                // respawn.strategy == "timer"
  int64_t delay_ms = 0;                // respawn.delay
  int64_t jitter_ms = 0;               // respawn.jitter: 0..jitter ms added at random
  int max_respawns = -1;               // respawn.max_respawns; -1 = no limit
  bool persistent = false;             // sets `persistent = true` on the entity
};
using SpawnTemplates = std::map<std::string, SpawnTemplate, std::less<>>;

/// Reads spawn_templates' result at `index` (a table `{id = template}`). Entries that are not
/// string-keyed tables, or whose fields have the wrong type (type not a string, base_state not
/// a table, respawn not a table, strategy not "timer", delay/jitter not finite numbers >= 0,
/// max_respawns not an integer >= 0, persistent not a boolean), are skipped and named in
/// `*skipped`. Protected mode.
SpawnTemplates ReadSpawnTemplates(lua_State* L, int index, std::vector<std::string>* skipped);

/// Spawns one zone may have queued at once; game.zone.spawn answers false beyond it.
inline constexpr size_t kMaxPendingSpawns = 1024;

class ZoneSpawner {
 public:
  /// The spawner of zone (zx, zy); `seed` seeds the respawn jitter.
  ZoneSpawner(int zx, int zy, uint64_t seed) : zx_(zx), zy_(zy), rng_(seed) {}

  /// Queues a spawn of `template_id` at (x, y) (finite) with `overrides_json` (JSON object)
  /// for the next tick; its id will be `<template_id>_<zx>_<zy>_<n>` (the first n >= 1 not in
  /// the entity table). False for a template not in `templates` or past kMaxPendingSpawns.
  bool Queue(const SpawnTemplates& templates, std::string_view template_id, double x, double y,
             std::string overrides_json);
  /// Adds every spawn due at `tick` to the entity table at `entities` (absolute index) and
  /// watches it: base_state, then the overrides merged over it (top-level keys), then `type`,
  /// `x`, `y` (and `persistent`). Protected mode.
  void AddDue(lua_State* L, int entities, const SpawnTemplates& templates, uint64_t tick);
  /// Watched entities missing from the table at `entities`, except those in `crossed` (they
  /// walked into another zone: no longer watched), are gone: a template with a timer respawns
  /// it (same id, position and overrides) after delay + jitter, rounded up to ticks of
  /// `tick_ms`, until max_respawns. Protected mode.
  void Reap(lua_State* L, int entities, const SpawnTemplates& templates, uint64_t tick, int tick_ms,
            const std::vector<std::string>& crossed);
  bool has_pending() const { return !pending_.empty(); }

 private:
  struct Spawn {
    std::string id;
    std::string template_id;
    double x = 0;
    double y = 0;
    std::string overrides_json;
    int respawns = 0;  // respawns so far
  };
  std::multimap<uint64_t, Spawn> pending_;  // by due tick (0 = the next tick)
  std::map<std::string, Spawn> watched_;
  const int zx_;
  const int zy_;
  uint64_t next_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace asobi::world
