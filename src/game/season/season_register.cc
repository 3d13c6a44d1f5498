#include <memory>

#include "base/log.h"
#include "game/leaderboard/leaderboard_service.h"
#include "game/season/season.h"
#include "game/season/season_clock.h"
#include "game/season/season_lua_backend.h"
#include "game/season/season_routes.h"
#include "game/season/season_service.h"
#include "script/game_api/api_backends.h"

namespace asobi::season {

void RegisterSeasons(DomainContext& ctx, const SeasonOptions& options) {
  Result<std::shared_ptr<const SeasonList>> loaded = LoadSeasonsFile(options.seasons_file);
  std::shared_ptr<const SeasonList> seasons =
      loaded.ok() ? loaded.value() : std::make_shared<const SeasonList>();
  if (!loaded.ok()) LOG_ERROR("seasons off").KV("error", loaded.error().message);
  RegisterSeasonRoutes(ctx.http_api());
  int64_t tick_ms = options.tick_ms;
  ctx.OnShardStart([seasons, tick_ms](GameShard& game) {
    // game.season reads the file's seasons from memory: it works without a database too.
    auto lua = std::make_shared<SeasonLuaBackend>(seasons);
    script::game_api::ApiBackends::OnThisShard().season = lua.get();
    game.AddTeardown([lua]() mutable {
      script::game_api::ApiBackends::OnThisShard().season = nullptr;
      lua.reset();
    });
    if (game.db == nullptr) return;
    auto svc = std::make_shared<SeasonService>(game.shard->reactor(), *game.db);
    SetSeasonServiceOnThisShard(svc.get());
    std::shared_ptr<SeasonClock> clock;
    leaderboard::LeaderboardService* boards = leaderboard::LeaderboardService::OnThisShard();
    if (game.shard->id() == 0 && game.economy != nullptr && boards != nullptr) {
      LOG_INFO("season clock started")
          .KV("tick_ms", tick_ms)
          .KV("seasons", int64_t(seasons->size()));
      clock = std::make_shared<SeasonClock>(game.shard->reactor(), *game.db, *game.economy, *boards,
                                            seasons, tick_ms);
    }
    game.AddTeardown([svc, clock]() mutable {
      clock.reset();
      SetSeasonServiceOnThisShard(nullptr);
      svc.reset();
    });
  });
}

}  // namespace asobi::season
