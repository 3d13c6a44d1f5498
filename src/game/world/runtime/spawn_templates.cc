#include "game/world/runtime/spawn_templates.h"

#include <algorithm>
#include <cmath>
#include <lua.hpp>
#include <utility>

#include "script/lua_json.h"

namespace asobi::world {
namespace {

thread_local simdjson::dom::parser t_parser;

bool NonNegative(lua_State* L, int index, double* out) {
  if (lua_type(L, index) != LUA_TNUMBER) return false;
  const double v = lua_tonumber(L, index);
  if (!std::isfinite(v) || v < 0) return false;
  *out = v;
  return true;
}

// One template table at `t`; false when a field has the wrong type.
bool ReadOne(lua_State* L, int t, SpawnTemplate* out) {
  bool ok = true;
  lua_getfield(L, t, "type");
  if (lua_type(L, -1) == LUA_TSTRING) {
    out->type = lua_tostring(L, -1);
  } else if (!lua_isnil(L, -1)) {
    ok = false;
  }
  lua_pop(L, 1);
  lua_getfield(L, t, "base_state");
  if (lua_istable(L, -1)) {
    std::string json;
    if (script::EncodeLuaToJson(L, lua_gettop(L), &json).ok() && !json.empty()) {
      out->base_state_json = json[0] == '{' ? std::move(json) : "{}";  // [] = empty table
    }
  } else if (!lua_isnil(L, -1)) {
    ok = false;
  }
  lua_pop(L, 1);
  lua_getfield(L, t, "persistent");
  if (lua_type(L, -1) == LUA_TBOOLEAN) {
    out->persistent = lua_toboolean(L, -1) != 0;
  } else if (!lua_isnil(L, -1)) {
    ok = false;
  }
  lua_pop(L, 1);
  lua_getfield(L, t, "respawn");
  const int r = lua_gettop(L);
  if (lua_istable(L, r)) {
    lua_getfield(L, r, "strategy");
    out->respawn =
        lua_type(L, -1) == LUA_TSTRING && std::string_view(lua_tostring(L, -1)) == "timer";
    ok = ok && out->respawn;
    lua_getfield(L, r, "delay");
    double d = 0;
    if (NonNegative(L, -1, &d)) {
      out->delay_ms = int64_t(std::min(d, 1e12));
    } else if (!lua_isnil(L, -1)) {
      ok = false;
    }
    lua_getfield(L, r, "jitter");
    if (NonNegative(L, -1, &d)) {
      out->jitter_ms = int64_t(std::min(d, 1e12));
    } else if (!lua_isnil(L, -1)) {
      ok = false;
    }
    lua_getfield(L, r, "max_respawns");
    if (NonNegative(L, -1, &d) && d == std::floor(d)) {
      out->max_respawns = int(std::min(d, 1e9));
    } else if (!lua_isnil(L, -1)) {
      ok = false;
    }
    lua_pop(L, 4);
  } else if (!lua_isnil(L, r)) {
    ok = false;
  }
  lua_pop(L, 1);
  return ok;
}

}  // namespace

SpawnTemplates ReadSpawnTemplates(lua_State* L, int index, std::vector<std::string>* skipped) {
  SpawnTemplates out;
  lua_pushnil(L);
  while (lua_next(L, index) != 0) {
    SpawnTemplate t;
    if (lua_type(L, -2) == LUA_TSTRING && lua_istable(L, -1) && ReadOne(L, lua_gettop(L), &t)) {
      out.emplace(lua_tostring(L, -2), std::move(t));
    } else if (skipped != nullptr) {
      lua_pushvalue(L, -2);
      const char* name = lua_tostring(L, -1);  // a copy: never converts the key in place
      skipped->emplace_back(name != nullptr ? name : "?");
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  return out;
}

bool ZoneSpawner::Queue(const SpawnTemplates& templates, std::string_view template_id, double x,
                        double y, std::string overrides_json) {
  if (templates.find(template_id) == templates.end()) return false;
  if (pending_.size() >= kMaxPendingSpawns) return false;
  Spawn s;
  s.template_id = std::string(template_id);
  s.x = x;
  s.y = y;
  s.overrides_json = std::move(overrides_json);
  pending_.emplace(0, std::move(s));
  return true;
}

void ZoneSpawner::AddDue(lua_State* L, int entities, const SpawnTemplates& templates,
                         uint64_t tick) {
  while (!pending_.empty() && pending_.begin()->first <= tick) {
    Spawn s = std::move(pending_.begin()->second);
    pending_.erase(pending_.begin());
    auto t = templates.find(s.template_id);
    if (t == templates.end()) continue;
    auto taken = [&](const std::string& id) {
      lua_pushlstring(L, id.data(), id.size());
      lua_rawget(L, entities);
      const bool t = !lua_isnil(L, -1);
      lua_pop(L, 1);
      return t;
    };
    if (s.id.empty()) {  // a new spawn: the first free id
      do {
        s.id = s.template_id + "_" + std::to_string(zx_) + "_" + std::to_string(zy_) + "_" +
               std::to_string(++next_);
      } while (taken(s.id));
    } else if (taken(s.id)) {  // a respawn whose id the script reused: watch that entity
      std::string id = s.id;
      watched_[std::move(id)] = std::move(s);
      continue;
    }
    const int before = lua_gettop(L);
    if (!script::PushJsonText(L, t_parser, t->second.base_state_json).ok()) {
      lua_newtable(L);
    } else if (!lua_istable(L, -1)) {
      lua_settop(L, before);
      lua_newtable(L);
    }
    const int e = lua_gettop(L);
    if (script::PushJsonText(L, t_parser, s.overrides_json).ok()) {
      if (lua_istable(L, -1)) {
        lua_pushnil(L);
        while (lua_next(L, -2) != 0) {
          lua_pushvalue(L, -2);
          lua_insert(L, -2);
          lua_rawset(L, e);
        }
      }
      lua_pop(L, 1);
    }
    if (!t->second.type.empty()) {
      lua_pushlstring(L, t->second.type.data(), t->second.type.size());
      lua_setfield(L, e, "type");
    }
    lua_pushnumber(L, s.x);
    lua_setfield(L, e, "x");
    lua_pushnumber(L, s.y);
    lua_setfield(L, e, "y");
    if (t->second.persistent) {
      lua_pushboolean(L, 1);
      lua_setfield(L, e, "persistent");
    }
    lua_pushlstring(L, s.id.data(), s.id.size());
    lua_insert(L, -2);
    lua_rawset(L, entities);
    std::string id = s.id;
    watched_[std::move(id)] = std::move(s);
  }
}

void ZoneSpawner::Reap(lua_State* L, int entities, const SpawnTemplates& templates, uint64_t tick,
                       int tick_ms, const std::vector<std::string>& crossed) {
  for (auto it = watched_.begin(); it != watched_.end();) {
    lua_pushlstring(L, it->first.data(), it->first.size());
    lua_rawget(L, entities);
    const bool present = !lua_isnil(L, -1);
    lua_pop(L, 1);
    if (present) {
      ++it;
      continue;
    }
    Spawn s = std::move(it->second);
    it = watched_.erase(it);
    if (std::find(crossed.begin(), crossed.end(), s.id) != crossed.end()) continue;
    auto t = templates.find(s.template_id);
    if (t == templates.end() || !t->second.respawn) continue;
    if (t->second.max_respawns >= 0 && s.respawns >= t->second.max_respawns) continue;
    if (pending_.size() >= kMaxPendingSpawns) continue;
    int64_t delay = t->second.delay_ms;
    if (t->second.jitter_ms > 0) {
      delay += int64_t(rng_() % uint64_t(t->second.jitter_ms + 1));
    }
    const int64_t step = std::max(1, tick_ms);
    const uint64_t ticks = uint64_t(std::max<int64_t>(1, (delay + step - 1) / step));
    ++s.respawns;
    pending_.emplace(tick + ticks, std::move(s));
  }
}

}  // namespace asobi::world
