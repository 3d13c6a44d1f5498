// REST routes of the seasons (docs/seasons.md). Each runs on the shard of the HTTP connection
// through that shard's SeasonService; without a database they answer 503 `not_ready`.
#include "game/season/season_routes.h"

#include <optional>
#include <string>

#include "game/rest_util.h"
#include "game/season/season_service.h"
#include "http/query.h"

namespace asobi::season {
namespace {

thread_local SeasonService* t_service = nullptr;

void RespondFailure(HttpCall& c, const std::string& reason, bool current = false) {
  if (reason == "not_found") {
    return RespondError(c, "season.not_found",
                        current ? "No season is running." : "No such season.");
  }
  RespondError(c, reason);
}

void WithSeasons(HttpCall& call, std::function<void(HttpCall&, SeasonService&)> next) {
  HttpCall* c = &call;
  WithPlayer(call, [c, next = std::move(next)](const std::string&) {
    if (t_service == nullptr) return RespondError(*c, "not_ready");
    next(*c, *t_service);
  });
}

void List(HttpCall& call) {
  std::optional<std::string> status = http::GetParam(call.request.query, "status");
  int limit = int(http::IntParam(call.request.query, "limit", 50, 1, 200));
  WithSeasons(call, [status, limit](HttpCall& c, SeasonService& svc) {
    svc.List(status, limit, [&c](Result<std::string> r) {
      if (!r.ok()) return RespondFailure(c, r.error().reason);
      RespondJson(c, "{\"seasons\":" + r.value() + "}");
    });
  });
}

// GET /seasons/:id, and /seasons/current (`current` is never a season id).
void Get(HttpCall& call) {
  std::string id(call.route.Param("id"));
  WithSeasons(call, [id](HttpCall& c, SeasonService& svc) {
    bool current = id == "current";
    auto answer = [&c, current](Result<std::string> r) {
      if (!r.ok()) return RespondFailure(c, r.error().reason, current);
      RespondJson(c, r.value());
    };
    if (current) return svc.Current(std::move(answer));
    svc.Get(id, std::move(answer));
  });
}

void Standings(HttpCall& call) {
  std::string id(call.route.Param("id"));
  std::string board(call.route.Param("leaderboard_id"));
  int limit = int(http::IntParam(call.request.query, "limit", 100, 1, 100));
  WithSeasons(call, [id, board, limit](HttpCall& c, SeasonService& svc) {
    svc.Standings(id, board, limit, [&c, id](Result<std::string> r) {
      if (!r.ok()) return RespondFailure(c, r.error().reason);
      RespondJson(c, "{\"season_id\":\"" + id + "\",\"entries\":" + r.value() + "}");
    });
  });
}

void StandingsAround(HttpCall& call) {
  std::string id(call.route.Param("id"));
  std::string board(call.route.Param("leaderboard_id"));
  std::string player(call.route.Param("player_id"));
  int range = int(http::IntParam(call.request.query, "range", 5, 1, 50));
  WithSeasons(call, [id, board, player, range](HttpCall& c, SeasonService& svc) {
    svc.StandingsAround(id, board, player, range, [&c, id](Result<std::string> r) {
      if (!r.ok()) return RespondFailure(c, r.error().reason);
      RespondJson(c, "{\"season_id\":\"" + id + "\",\"entries\":" + r.value() + "}");
    });
  });
}

}  // namespace

void SetSeasonServiceOnThisShard(SeasonService* svc) { t_service = svc; }

void RegisterSeasonRoutes(HttpApi& api) {
  api.Add("GET", "/api/v1/seasons", &List);
  api.Add("GET", "/api/v1/seasons/:id", &Get);
  api.Add("GET", "/api/v1/seasons/:id/leaderboards/:leaderboard_id", &Standings);
  api.Add("GET", "/api/v1/seasons/:id/leaderboards/:leaderboard_id/around/:player_id",
          &StandingsAround);
}

}  // namespace asobi::season
