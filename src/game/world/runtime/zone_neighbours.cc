// Zone: what a zone exchanges with its touching zones (zone.h): border bands (border_band.h),
// cross-zone effects (zone_effects.h) and game.zone.despawn. Zone shard only.
#include <lua.hpp>

#include "base/log.h"
#include "game/world/runtime/world_node.h"
#include "game/world/runtime/world_router.h"
#include "game/world/runtime/world_service.h"
#include "game/world/runtime/zone.h"
#include "script/protected_call.h"

namespace asobi::world {

int Zone::ShardOf(ZoneKey key) const {
  return ZoneShard(*settings_, world_shard_, service_.node().shard_count(), key);
}

void Zone::ReceiveBand(ZoneKey from, std::shared_ptr<const Band> band) {
  band_.Receive(from, std::move(band));
}

void Zone::SendBandTo(ZoneKey to) {
  std::shared_ptr<const Band> band = band_.published();
  if (!band || band->ids.empty()) return;
  RouteToZone(service_, ShardOf(to), world_id_, to,
              [from = key_, band](Zone& z) { z.ReceiveBand(from, band); });
}

void Zone::ReceiveEffects(std::vector<ZoneEffects::Effect> effects) {
  if (dead_) return;
  effects_.Receive(std::move(effects));
}

bool Zone::PushNeighbourEntities(lua_State* L) {
  band_.Push(L);
  return true;
}

bool Zone::ZoneApply(std::string_view entity_id, std::string event_json) {
  std::string id(entity_id);
  std::optional<ZoneKey> owner = band_.Owner(id);
  if (!owner) return false;
  return effects_.Send(*owner, std::move(id), std::move(event_json));
}

void Zone::ZoneDespawn(std::string_view entity_id) {
  if (dead_ || !lua_ || entities_ref_ < 0) return;
  dirty_.only = false;
  lua_State* L = lua_->L();  // called from a game.* function: already in protected mode
  lua_rawgeti(L, LUA_REGISTRYINDEX, entities_ref_);
  lua_pushlstring(L, entity_id.data(), entity_id.size());
  lua_pushnil(L);
  lua_rawset(L, -3);
  lua_pop(L, 1);
}

void Zone::RunEffects() {
  if (dead_ || !lua_ || !effects_.has_incoming()) return;
  dirty_.only = false;  // handle_effects may change any entity
  std::string failure = lua_->Call(
      "handle_effects", kHandleEffectsBudgetMs,
      [&](lua_State* s) {
        effects_.PushIncoming(s);
        lua_rawgeti(s, LUA_REGISTRYINDEX, entities_ref_);
        return 2;
      },
      [&](lua_State* s, int n) {
        const int first = lua_gettop(s) - n + 1;
        if (n >= 1 && lua_istable(s, first)) LuaInstance::ReplaceTableRef(s, first, &entities_ref_);
      });
  if (failure == "undefined") {
    effects_.ClearIncoming();  // no handler: the effects are dropped
    return;
  }
  if (!failure.empty()) {
    LogFailure("handle_effects", failure);
    AfterFailure();
  }
}

void Zone::PublishToNeighbours() {
  if (dead_ || !lua_) return;
  for (auto& [to, batch] : effects_.TakeOutgoing()) {
    RouteToZone(service_, ShardOf(to), world_id_, to, [batch = std::move(batch)](Zone& z) mutable {
      z.ReceiveEffects(std::move(batch));
    });
  }
  if (settings_->border_band <= 0) return;
  std::shared_ptr<const Band> band;
  script::RunProtected(lua_->L(), [&](lua_State* s) {
    lua_rawgeti(s, LUA_REGISTRYINDEX, entities_ref_);
    band = band_.Collect(s, lua_gettop(s), *settings_, key_);
    lua_pop(s, 1);
  });
  if (!band) return;
  for (ZoneKey k : TouchingZones(*settings_, key_)) {
    RouteToZone(service_, ShardOf(k), world_id_, k,
                [from = key_, band](Zone& z) { z.ReceiveBand(from, band); });
  }
}

}  // namespace asobi::world
