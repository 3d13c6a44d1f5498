#include "game/world/runtime/border_band.h"

#include <algorithm>
#include <cmath>
#include <lua.hpp>
#include <utility>

#include "protocol/json_writer.h"
#include "script/lua_json.h"

namespace asobi::world {
namespace {

thread_local simdjson::dom::parser t_parser;

bool Number(lua_State* L, int index, const char* name, double* out) {
  lua_getfield(L, index, name);
  const bool ok = lua_type(L, -1) == LUA_TNUMBER && std::isfinite(lua_tonumber(L, -1));
  if (ok) *out = lua_tonumber(L, -1);
  lua_pop(L, 1);
  return ok;
}

}  // namespace

std::vector<ZoneKey> TouchingZones(const WorldSettings& s, ZoneKey key) {
  std::vector<ZoneKey> out;
  for (int dy = -1; dy <= 1; ++dy) {
    for (int dx = -1; dx <= 1; ++dx) {
      const ZoneKey k{key.x + dx, key.y + dy};
      if ((dx == 0 && dy == 0) || k.x < 0 || k.y < 0 || k.x >= s.grid_size || k.y >= s.grid_size) {
        continue;
      }
      out.push_back(k);
    }
  }
  return out;
}

std::shared_ptr<const Band> BorderBand::Collect(lua_State* L, int entities, const WorldSettings& s,
                                                ZoneKey key) {
  const double band = s.border_band;
  const double x0 = key.x * s.zone_size, y0 = key.y * s.zone_size;
  const double x1 = x0 + s.zone_size, y1 = y0 + s.zone_size;
  std::vector<std::pair<std::string, std::string>> found;
  lua_pushnil(L);
  while (lua_next(L, entities) != 0) {
    double x = 0, y = 0;
    if (lua_type(L, -2) == LUA_TSTRING && lua_istable(L, -1) && Number(L, -1, "x", &x) &&
        Number(L, -1, "y", &y) &&
        !(x - x0 >= band && x1 - x >= band && y - y0 >= band && y1 - y >= band)) {
      std::string json;
      if (script::EncodeLuaToJson(L, lua_gettop(L), &json).ok() && !json.empty() &&
          json[0] == '{') {
        found.emplace_back(lua_tostring(L, -2), std::move(json));
      }
    }
    lua_pop(L, 1);
  }
  std::sort(found.begin(), found.end());
  auto next = std::make_shared<Band>();
  JsonWriter w;
  w.BeginObject();
  for (auto& [id, json] : found) {
    w.Key(id);
    w.Raw(json);
    next->ids.push_back(std::move(id));
  }
  w.EndObject();
  next->json = w.Take();
  if (published_ ? published_->json == next->json : next->ids.empty()) return nullptr;
  published_ = next;
  return next;
}

void BorderBand::Receive(ZoneKey from, std::shared_ptr<const Band> band) {
  auto it = from_.find(from);
  if (it != from_.end()) {
    for (const std::string& id : it->second->ids) {
      auto o = owner_.find(id);
      if (o != owner_.end() && o->second == from) owner_.erase(o);
    }
  }
  for (const std::string& id : band->ids) owner_[id] = from;
  if (band->ids.empty()) {
    from_.erase(from);
  } else {
    from_[from] = std::move(band);
  }
}

std::optional<ZoneKey> BorderBand::Owner(const std::string& id) const {
  auto it = owner_.find(id);
  if (it == owner_.end()) return std::nullopt;
  return it->second;
}

void BorderBand::Push(lua_State* L) const {
  lua_createtable(L, 0, int(owner_.size()));
  const int out = lua_gettop(L);
  for (const auto& [key, band] : from_) {
    if (!script::PushJsonText(L, t_parser, band->json).ok()) continue;
    if (lua_istable(L, -1)) {
      lua_pushnil(L);
      while (lua_next(L, -2) != 0) {
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, out);
      }
    }
    lua_pop(L, 1);
  }
}

}  // namespace asobi::world
