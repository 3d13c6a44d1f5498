// Zone persistence (lua.md §8, §18; docs/decisions.md "World persistence"): the periodic
// snapshot, start from a snapshot, the unload request of an idle or parked zone, park, and
// the recovery notice after a runaway restart. Members of Zone (zone.h).
#include <lua.hpp>

#include "base/clock.h"
#include "base/json_escape.h"
#include "base/log.h"
#include "game/world/runtime/world.h"
#include "game/world/runtime/world_router.h"
#include "game/world/runtime/world_service.h"
#include "game/world/runtime/zone.h"
#include "script/lua_json.h"
#include "script/protected_call.h"

namespace asobi::world {
namespace {

thread_local simdjson::dom::parser t_persist_parser;

// game.zone.park(): upvalue 1 is the Zone (it owns the Lua state, so outlives the closure).
int ZonePark(lua_State* L) {
  auto* zone = static_cast<Zone*>(lua_touserdata(L, lua_upvalueindex(1)));
  lua_pushboolean(L, zone != nullptr && zone->ParkZone());
  return 1;
}

}  // namespace

void Zone::InstallZoneApi() {
  script::RunProtected(lua_->L(), [&](lua_State* s) {
    lua_pushstring(s, "game");
    lua_rawget(s, LUA_GLOBALSINDEX);
    if (!lua_istable(s, -1)) return lua_pop(s, 1);
    lua_getfield(s, -1, "zone");  // shared with the other game.zone functions, if any
    if (!lua_istable(s, -1)) {
      lua_pop(s, 1);
      lua_newtable(s);
      lua_pushvalue(s, -1);
      lua_setfield(s, -3, "zone");
    }
    lua_pushlightuserdata(s, this);
    lua_pushcclosure(s, ZonePark, 1);
    lua_setfield(s, -2, "park");
    lua_pop(s, 2);
  });
}

Status Zone::StartFrom(ZoneSnapshot snapshot) {
  dirty_.only = false;
  Status st = Start(snapshot.zone_state_json);
  if (!st.ok()) return st;
  script::RunProtected(lua_->L(), [&](lua_State* s) {
    if (!script::PushJsonText(s, t_persist_parser, snapshot.entities_json).ok()) return;
    if (!lua_istable(s, -1)) return lua_pop(s, 1);
    const int from = lua_gettop(s);
    lua_rawgeti(s, LUA_REGISTRYINDEX, entities_ref_);
    const int to = lua_gettop(s);
    lua_pushnil(s);
    while (lua_next(s, from) != 0) {
      if (lua_type(s, -2) == LUA_TSTRING && lua_istable(s, -1)) {
        lua_pushvalue(s, -2);
        lua_pushvalue(s, -2);
        lua_rawset(s, to);
      }
      lua_pop(s, 1);
    }
    lua_pop(s, 2);
  });
  last_snapshot_ = std::move(snapshot);
  last_snapshot_.key = key_;
  return Ok{};
}

ZoneSnapshot Zone::TakeSnapshot(bool persistent_only) {
  ZoneSnapshot snap;
  snap.key = key_;
  snap.tick = last_tick_;
  snap.at_ms = UnixMs();
  if (!lua_) return last_snapshot_;  // a stopped zone keeps what it had
  script::RunProtected(lua_->L(), [&](lua_State* s) {
    lua_rawgeti(s, LUA_REGISTRYINDEX, entities_ref_);
    EncodeEntities(s, lua_gettop(s), persistent_only, &snap.entities_json);
    lua_pop(s, 1);
    lua_rawgeti(s, LUA_REGISTRYINDEX, zone_state_ref_);
    std::string state;
    if (script::EncodeLuaToJson(s, lua_gettop(s), &state).ok() && !state.empty() &&
        state[0] == '{') {
      snap.zone_state_json = std::move(state);
    }
    lua_pop(s, 1);
  });
  return snap;
}

bool Zone::Unloadable(bool park) {
  if (!subscribers_.empty()) return false;
  if (park || dead_ || !lua_) return true;
  return Idle() || (settings_->zone_park_on_idle && inputs_.empty() && !busy_);
}

bool Zone::ParkZone() {
  if (!subscribers_.empty()) return false;
  park_requested_ = true;
  return true;
}

void Zone::MaintainPersistence(uint64_t tick) {
  last_tick_ = tick;
  const int64_t now = MonoMs();
  if (!dead_ && lua_ &&
      (last_snapshot_ms_ < 0 || now - last_snapshot_ms_ >= settings_->snapshot_interval_ms)) {
    last_snapshot_ms_ = now;
    last_snapshot_ = TakeSnapshot(/*persistent_only=*/true);
    if (settings_->persistent && service_.store() != nullptr) {
      std::string saved = last_snapshot_.entities_json;
      saved.append(last_snapshot_.zone_state_json);
      if (saved != last_saved_) {
        last_saved_ = std::move(saved);
        service_.store()->Save(world_id_, last_snapshot_);
      }
    }
  }
  if (unload_requested_) return;
  const bool park = park_requested_;
  park_requested_ = false;
  bool ask = park && subscribers_.empty();
  if (!ask && Unloadable(false) && settings_->zone_idle_timeout_ms > 0) {
    if (idle_since_ms_ < 0) idle_since_ms_ = now;
    ask = now - idle_since_ms_ >= settings_->zone_idle_timeout_ms;
  } else if (!ask) {
    idle_since_ms_ = -1;
  }
  if (!ask) return;
  unload_requested_ = true;
  const ZoneKey key = key_;
  RouteToWorld(service_, world_id_, [key, park](World& w) { w.ZoneIdle(key, park); });
}

void Zone::NotifyRecovered() {
  std::string snapshot = R"({"reason":"zone_restart","zone_x":)";
  snapshot.append(std::to_string(key_.x));
  snapshot.append(R"(,"zone_y":)");
  snapshot.append(std::to_string(key_.y));
  snapshot.append(R"(,"restarted":)");
  snapshot.append(std::to_string(restarts_));
  snapshot.append(R"(,"tick":)");
  snapshot.append(std::to_string(last_tick_));
  snapshot.append(R"(,"entities":)");
  snapshot.append(std::to_string(baseline_.size()));
  snapshot.append(R"(,"zone_state":)");
  snapshot.append(last_snapshot_.zone_state_json);
  snapshot.push_back('}');
  const ZoneKey key = key_;
  RouteToWorld(service_, world_id_,
               [key, snapshot = std::move(snapshot)](World& w) { w.ZoneRecovered(key, snapshot); });
}

void WorldService::StashSnapshot(const std::string& world_id, ZoneSnapshot snapshot) {
  stash_[{world_id, snapshot.key.x, snapshot.key.y}] = std::move(snapshot);
}

void WorldService::UnloadZone(const std::string& world_id, ZoneKey key, bool park) {
  Zone* z = FindZone(world_id, key);
  if (z == nullptr) return;
  if (!z->Unloadable(park)) {
    z->unload_requested_ = false;
    z->idle_since_ms_ = -1;
    RouteToWorld(*this, world_id, [key](World& w) { w.ZoneKept(key); });
    return;
  }
  ZoneSnapshot full = z->TakeSnapshot(/*persistent_only=*/false);
  if (z->settings_->persistent && store_ != nullptr) {
    store_->Save(world_id, z->TakeSnapshot(/*persistent_only=*/true));
  }
  stash_[{world_id, key.x, key.y}] = std::move(full);
  LOG_INFO("zone unloaded").KV("zone", z->instance_id()).KV("park", park ? 1 : 0);
  DropZone(world_id, key);
  RouteToWorld(*this, world_id, [key](World& w) { w.ZoneUnloaded(key); });
}

void WorldService::ForgetWorld(const std::string& world_id) {
  std::erase_if(zones_, [&](const auto& e) { return std::get<0>(e.first) == world_id; });
  std::erase_if(stash_, [&](const auto& e) { return std::get<0>(e.first) == world_id; });
}

void WorldService::SaveAll(std::function<void()> done) {
  if (store_ == nullptr) return done();
  for (auto& [key, zone] : zones_) {
    if (!zone->settings_->persistent) continue;
    store_->Save(std::get<0>(key), zone->TakeSnapshot(/*persistent_only=*/true));
  }
  store_->Flush(std::move(done));
}

}  // namespace asobi::world
