// LeaderboardLuaBackend: the game.leaderboard.* backend (script/game_api/leaderboard_backend.h)
// over the shard's LeaderboardService. One per shard, installed by RegisterLeaderboards'
// start-up step in ApiBackends::OnThisShard().leaderboard; shard-affine.
#pragma once

#include <memory>

#include "game/leaderboard/leaderboard_service.h"
#include "script/game_api/leaderboard_backend.h"

namespace asobi::leaderboard {

/// Owned by the leaderboard domain's per-shard state; shard-affine.
class LeaderboardLuaBackend final : public script::game_api::LeaderboardBackend {
 public:
  /// `service` must outlive the backend. Replies arriving after the backend is destroyed are
  /// dropped (they would reach a match service torn down before it).
  explicit LeaderboardLuaBackend(LeaderboardService& service) : service_(service) {}
  ~LeaderboardLuaBackend() override { *alive_ = false; }

  /// script::game_api::LeaderboardBackend: game.leaderboard.submit / top / around (lua.md §9);
  /// `done` runs on this shard, and not at all once the backend is destroyed.
  void Submit(std::string board_id, std::string player_id, int64_t score, std::string op,
              EntryDone done) override;
  void Top(std::string board_id, int count, EntriesDone done) override;
  void Around(std::string board_id, std::string player_id, int range, EntriesDone done) override;

 private:
  LeaderboardService& service_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace asobi::leaderboard
