// World persistence and zone unloading, world side (lua.md §8, §18; docs/decisions.md "World
// persistence"): the persistence globals, the record of a persistent world, recovery after a
// server restart or a zone restart (on_world_recovered), and the unload handshake with a
// zone's shard (on_zone_unloaded). Members of World (world.h).
#include <algorithm>
#include <cmath>
#include <lua.hpp>

#include "base/log.h"
#include "game/world/runtime/world.h"
#include "game/world/runtime/world_router.h"
#include "game/world/runtime/world_service.h"
#include "script/lua_json.h"

namespace asobi::world {
namespace {

thread_local simdjson::dom::parser t_persist_parser;

// A boolean global: true/false, anything else leaves `fallback` (lua.md §2 "Other booleans").
bool BoolGlobal(lua_State* L, const char* name, bool fallback) {
  lua_pushstring(L, name);
  lua_rawget(L, LUA_GLOBALSINDEX);
  const bool v = lua_type(L, -1) == LUA_TBOOLEAN ? lua_toboolean(L, -1) != 0 : fallback;
  lua_pop(L, 1);
  return v;
}

// A positive number of ms (truncated, at most 10^12), else `fallback` (lua.md §2 typing).
int64_t MsGlobal(lua_State* L, const char* name, int64_t fallback) {
  lua_pushstring(L, name);
  lua_rawget(L, LUA_GLOBALSINDEX);
  int64_t v = fallback;
  if (lua_type(L, -1) == LUA_TNUMBER) {
    const double d = lua_tonumber(L, -1);
    if (std::isfinite(d) && d >= 1) v = int64_t(std::min(d, 1e12));
  }
  lua_pop(L, 1);
  return v;
}

}  // namespace

void World::ReadPersistenceSettings(lua_State* L) {
  settings_->persistent = BoolGlobal(L, "persistent", false);
  settings_->zone_park_on_idle = BoolGlobal(L, "zone_park_on_idle", false);
  settings_->zone_idle_timeout_ms =
      MsGlobal(L, "zone_idle_timeout", settings_->zone_idle_timeout_ms);
  settings_->snapshot_interval_ms = std::max<int64_t>(
      kMinSnapshotIntervalMs, MsGlobal(L, "snapshot_interval", settings_->snapshot_interval_ms));
}

void World::SetRecovered(std::vector<ZoneSnapshot> zones) {
  for (ZoneSnapshot& z : zones) recovered_[z.key] = std::move(z);
}

std::optional<ZoneSnapshot> World::TakeRecovered(ZoneKey key) {
  auto it = recovered_.find(key);
  if (it == recovered_.end()) return std::nullopt;
  ZoneSnapshot s = std::move(it->second);
  recovered_.erase(it);
  return s;
}

void World::StartPersistence() {
  if (settings_->persistent && service_.store() != nullptr) {
    service_.store()->RegisterWorld(id(), listing_.mode);
  }
  if (recovered_.empty()) return;
  // Snapshots outside this grid (grid_size shrank) are dropped.
  std::erase_if(recovered_, [&](const auto& e) {
    return e.first.x >= settings_->grid_size || e.first.y >= settings_->grid_size;
  });
  std::string zones(1, '{');
  for (const auto& [key, snap] : recovered_) {
    tick_ = std::max(tick_, snap.tick);  // the tick count goes on where it stopped
    if (zones.size() > 1) zones.push_back(',');
    zones.push_back('"');
    zones.append(std::to_string(key.x));
    zones.push_back(',');
    zones.append(std::to_string(key.y));
    zones.append("\":");
    zones.append(snap.zone_state_json);
  }
  zones.push_back('}');
  std::string snapshot = R"({"reason":"server_restart","world_id":")";
  snapshot.append(id());
  snapshot.append(R"(","tick":)");
  snapshot.append(std::to_string(tick_));
  snapshot.append(R"(,"zones":)");
  snapshot.append(zones);
  snapshot.push_back('}');
  RunRecovered(snapshot);
}

void World::RunRecovered(const std::string& snapshot_json) {
  std::string failure = lua_->Call(
      "on_world_recovered", kWorldRecoveredBudgetMs,
      [&](lua_State* s) {
        if (!script::PushJsonText(s, t_persist_parser, snapshot_json).ok()) lua_newtable(s);
        lua_rawgeti(s, LUA_REGISTRYINDEX, state_ref_);
        return 2;
      },
      [&](lua_State* s, int n) {
        if (n >= 1 && lua_istable(s, -n)) LuaInstance::ReplaceTableRef(s, -n, &state_ref_);
      });
  if (!failure.empty() && failure != "undefined") LogFailure("on_world_recovered", failure);
}

void World::ZoneRecovered(ZoneKey key, const std::string& snapshot_json) {
  if (finished_ || zones_.count(key) == 0) return;
  RunRecovered(snapshot_json);
}

void World::ZoneIdle(ZoneKey key, bool park) {
  if (finished_ || zones_.count(key) == 0) return;
  bool wanted = false;
  for (const auto& [player, m] : members_) {
    wanted = wanted || m.zone == key || m.ring.count(key) != 0;
  }
  const int shard = ShardOf(key);
  const std::string world_id = id();
  if (wanted) {  // a member is (or is about to be) there: the zone stays and may ask again
    service_.host().SubmitReplyTo(shard, [world_id, key] {
      WorldService* s = WorldService::OnThisShard();
      if (Zone* z = s ? s->FindZone(world_id, key) : nullptr) z->ResetUnloadRequest();
    });
    return;
  }
  zones_.erase(key);  // no tick, subscription or entity is sent to it from now on
  service_.host().SubmitReplyTo(shard, [world_id, key, park] {
    if (WorldService* s = WorldService::OnThisShard()) s->UnloadZone(world_id, key, park);
  });
}

void World::ZoneKept(ZoneKey key) {
  if (finished_) return;
  zones_.insert(key);
}

void World::ZoneUnloaded(ZoneKey key) {
  if (finished_) return;
  std::string failure = lua_->Call(
      "on_zone_unloaded", kZoneUnloadedBudgetMs,
      [&](lua_State* s) {
        lua_pushinteger(s, key.x);
        lua_pushinteger(s, key.y);
        lua_rawgeti(s, LUA_REGISTRYINDEX, state_ref_);
        return 3;
      },
      [&](lua_State* s, int n) {
        if (n >= 1 && lua_istable(s, -n)) LuaInstance::ReplaceTableRef(s, -n, &state_ref_);
      });
  if (!failure.empty() && failure != "undefined") LogFailure("on_zone_unloaded", failure);
}

}  // namespace asobi::world
