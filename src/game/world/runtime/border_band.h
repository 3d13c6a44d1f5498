// BorderBand: border-band mirroring between touching zones (lua.md §9 neighbours_radius /
// neighbours_rect, docs/decisions.md "World effects, spawns and borders"). A zone publishes
// the entities lying within `border_band` world units of its edges to its (up to) 8 touching
// zones; each zone keeps the latest band of each neighbour, answers the neighbours_* queries
// from copies of them and knows which neighbour publishes an entity (game.zone.apply).
// Owned by its Zone; zone shard only.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "game/world/runtime/world_settings.h"

struct lua_State;

namespace asobi::world {

/// One zone's published band: the ids (sorted) and the JSON object `{id: entity, ...}`.
struct Band {
  std::vector<std::string> ids;
  std::string json;
};

class BorderBand {
 public:
  /// The band of zone `key` from its entity table at `entities` (absolute stack index): every
  /// string-keyed table with finite numeric `x`/`y` less than `s.border_band` from one of the
  /// zone's edges or outside its square (an entity held by crossing hysteresis). Returns null when
  /// it equals the band last returned (nothing to publish); an empty band after a non-empty one is
  /// returned (it clears the neighbours' copies).
  std::shared_ptr<const Band> Collect(lua_State* L, int entities, const WorldSettings& s,
                                      ZoneKey key);
  /// The band last returned by Collect (null before the first one).
  const std::shared_ptr<const Band>& published() const { return published_; }

  /// Stores neighbour `from`'s band, replacing its previous one.
  void Receive(ZoneKey from, std::shared_ptr<const Band> band);
  /// The neighbour whose band holds entity `id`, if any.
  std::optional<ZoneKey> Owner(const std::string& id) const;
  /// Pushes a new table `{id = copy of entity}` of every mirrored entity (protected mode).
  void Push(lua_State* L) const;

 private:
  std::shared_ptr<const Band> published_;
  std::map<ZoneKey, std::shared_ptr<const Band>> from_;
  std::unordered_map<std::string, ZoneKey> owner_;
};

/// The zones touching `key` (up to 8), clipped to the grid.
std::vector<ZoneKey> TouchingZones(const WorldSettings& s, ZoneKey key);

}  // namespace asobi::world
