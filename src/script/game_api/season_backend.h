// SeasonBackend: what `game.season.*` (docs/seasons.md, docs/scripting.md) needs from the
// season domain. Implemented in game/season (SeasonLuaBackend, over the seasons file held in
// memory) and installed per shard in ApiBackends::OnThisShard().season. Synchronous: answers
// from memory on the calling shard, no database round trip.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace asobi::script::game_api {

class SeasonBackend {
 public:
  /// One configured season (times in Unix ms; `config_json` a JSON object).
  struct Info {
    std::string id;
    std::string name;
    int64_t starts_at_ms = 0;
    int64_t ends_at_ms = 0;
    std::vector<std::string> leaderboards;
    std::string config_json = "{}";
  };

  virtual ~SeasonBackend() = default;

  /// The season whose window holds `now_ms`, if any.
  virtual std::optional<Info> Current(int64_t now_ms) const = 0;
  /// The first season starting after `now_ms`, if any.
  virtual std::optional<Info> Next(int64_t now_ms) const = 0;
};

}  // namespace asobi::script::game_api
