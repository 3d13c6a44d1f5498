// REST routes of the tournaments (rest.md §3.8). Each runs on the shard of the HTTP connection
// through that shard's TournamentService; without a database they answer 503 `not_ready`.
#include "game/tournament/tournament_routes.h"

#include <optional>
#include <string>

#include "game/rest_util.h"
#include "game/tournament/tournament_service.h"
#include "http/query.h"

namespace asobi::tournament {
namespace {

thread_local TournamentService* t_service = nullptr;

void RespondFailure(HttpCall& c, const std::string& reason) {
  if (reason == "not_found") return RespondError(c, "tournament.not_found", "No such tournament.");
  if (reason == "full") return RespondError(c, "tournament.full", "The tournament is full.");
  if (reason == "already_joined") {
    return RespondError(c, "tournament.already_joined", "You already joined this tournament.");
  }
  if (reason == "insufficient_funds") {
    return RespondError(c, "economy.insufficient_funds", "The wallet balance is too low.");
  }
  RespondError(c, reason);
}

void WithTournaments(HttpCall& call,
                     std::function<void(HttpCall&, const std::string&, TournamentService&)> next) {
  HttpCall* c = &call;
  WithPlayer(call, [c, next = std::move(next)](const std::string& player_id) {
    if (t_service == nullptr) return RespondError(*c, "not_ready");
    next(*c, player_id, *t_service);
  });
}

void List(HttpCall& call) {
  std::optional<std::string> status = http::GetParam(call.request.query, "status");
  int limit = int(http::IntParam(call.request.query, "limit", 50, 1, 200));
  WithTournaments(call, [status, limit](HttpCall& c, const std::string&, TournamentService& svc) {
    svc.List(status, limit, [&c](Result<std::string> r) {
      if (!r.ok()) return RespondFailure(c, r.error().reason);
      RespondJson(c, "{\"tournaments\":" + r.value() + "}");
    });
  });
}

void Get(HttpCall& call) {
  std::string id(call.route.Param("id"));
  WithTournaments(call, [id](HttpCall& c, const std::string&, TournamentService& svc) {
    svc.Get(id, [&c](Result<std::string> r) {
      if (!r.ok()) return RespondFailure(c, r.error().reason);
      RespondJson(c, r.value());
    });
  });
}

void Join(HttpCall& call) {
  std::string id(call.route.Param("id"));
  WithTournaments(call, [id](HttpCall& c, const std::string& player_id, TournamentService& svc) {
    // No body is read: the SDK sends an empty one (rest.md §1.1).
    svc.Join(id, player_id, [&c, id](Status r) {
      if (!r.ok()) return RespondFailure(c, r.error().reason);
      RespondJson(c, "{\"success\":true,\"tournament_id\":\"" + id + "\"}");
    });
  });
}

}  // namespace

void SetTournamentServiceOnThisShard(TournamentService* svc) { t_service = svc; }

void RegisterTournamentRoutes(HttpApi& api) {
  api.Add("GET", "/api/v1/tournaments", &List);
  api.Add("GET", "/api/v1/tournaments/:id", &Get);
  api.Add("POST", "/api/v1/tournaments/:id/join", &Join);
}

}  // namespace asobi::tournament
