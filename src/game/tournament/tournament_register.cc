#include <memory>

#include "base/log.h"
#include "game/leaderboard/leaderboard_service.h"
#include "game/tournament/tournament.h"
#include "game/tournament/tournament_clock.h"
#include "game/tournament/tournament_routes.h"
#include "game/tournament/tournament_service.h"

namespace asobi::tournament {

void RegisterTournaments(DomainContext& ctx, const TournamentOptions& options) {
  RegisterTournamentRoutes(ctx.http_api());
  ctx.OnShardStart([options](GameShard& game) {
    if (game.db == nullptr) return;
    auto svc = std::make_shared<TournamentService>(game.shard->reactor(), *game.db);
    SetTournamentServiceOnThisShard(svc.get());
    std::shared_ptr<TournamentClock> clock;
    leaderboard::LeaderboardService* boards = leaderboard::LeaderboardService::OnThisShard();
    if (game.shard->id() == 0 && game.economy != nullptr && boards != nullptr) {
      LOG_INFO("tournament clock started").KV("tick_ms", options.tick_ms);
      clock = std::make_shared<TournamentClock>(game.shard->reactor(), *game.db, *game.economy,
                                                *boards, options.tick_ms);
    }
    game.AddTeardown([svc, clock]() mutable {
      clock.reset();
      SetTournamentServiceOnThisShard(nullptr);
      svc.reset();
    });
  });
}

}  // namespace asobi::tournament
