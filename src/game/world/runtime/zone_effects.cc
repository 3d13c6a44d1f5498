#include "game/world/runtime/zone_effects.h"

#include <lua.hpp>
#include <utility>

#include "script/lua_json.h"

namespace asobi::world {
namespace {

thread_local simdjson::dom::parser t_parser;

}  // namespace

bool ZoneEffects::Send(ZoneKey to, std::string entity_id, std::string event_json) {
  if (event_json.size() > kMaxEffectBytes || sent_ >= kMaxEffectsPerTick) return false;
  ++sent_;
  outgoing_[to].push_back(Effect{std::move(entity_id), std::move(event_json)});
  return true;
}

std::map<ZoneKey, std::vector<ZoneEffects::Effect>> ZoneEffects::TakeOutgoing() {
  return std::exchange(outgoing_, {});
}

void ZoneEffects::Receive(std::vector<Effect> effects) {
  for (Effect& e : effects) {
    if (incoming_.size() >= kZoneEffectQueueMax) {
      ++dropped_;
      continue;
    }
    incoming_.push_back(std::move(e));
  }
}

void ZoneEffects::PushIncoming(lua_State* L) {
  std::vector<Effect> effects = std::exchange(incoming_, {});
  lua_createtable(L, int(effects.size()), 0);
  int i = 0;
  for (const Effect& e : effects) {
    lua_createtable(L, 2, 2);
    lua_pushlstring(L, e.entity_id.data(), e.entity_id.size());
    lua_pushvalue(L, -1);
    lua_rawseti(L, -3, 1);
    lua_setfield(L, -2, "entity_id");
    if (!script::PushJsonText(L, t_parser, e.event_json).ok()) lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_rawseti(L, -3, 2);
    lua_setfield(L, -2, "event");
    lua_rawseti(L, -2, ++i);
  }
}

}  // namespace asobi::world
