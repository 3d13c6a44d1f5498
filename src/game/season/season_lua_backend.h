// SeasonLuaBackend: the game.season.* backend (script/game_api/season_backend.h) over the
// seasons file loaded at start-up (immutable, shared by every shard). One per shard, installed
// by RegisterSeasons' start-up step in ApiBackends::OnThisShard().season.
#pragma once

#include <memory>
#include <optional>

#include "game/season/season_config.h"
#include "script/game_api/season_backend.h"

namespace asobi::season {

class SeasonLuaBackend final : public script::game_api::SeasonBackend {
 public:
  explicit SeasonLuaBackend(std::shared_ptr<const SeasonList> seasons)
      : seasons_(std::move(seasons)) {}

  std::optional<Info> Current(int64_t now_ms) const override;
  std::optional<Info> Next(int64_t now_ms) const override;

 private:
  std::shared_ptr<const SeasonList> seasons_;
};

}  // namespace asobi::season
