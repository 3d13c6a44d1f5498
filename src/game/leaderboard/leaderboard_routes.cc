// REST routes of the leaderboards (rest.md §3.7). Each runs on the shard of the HTTP
// connection and reaches the board's owner through that shard's LeaderboardService; without
// a database every route answers 503 `not_ready`.
#include "game/leaderboard/leaderboard_routes.h"

#include <cmath>
#include <string>

#include "base/time_format.h"
#include "game/leaderboard/leaderboard_service.h"
#include "game/rest_util.h"
#include "http/query.h"
#include "protocol/json_writer.h"

namespace asobi::leaderboard {
namespace {

using Entries = std::vector<RankedEntry>;

void WriteEntry(JsonWriter& w, std::string_view board_id, const RankedEntry& e, int64_t sub_score) {
  w.BeginObject();
  w.Key("leaderboard_id");
  w.String(board_id);
  w.Key("player_id");
  w.String(e.player_id);
  w.Key("score");
  w.Int(e.score);
  w.Key("sub_score");
  w.Int(sub_score);
  w.Key("rank");
  w.Int(e.rank);
  w.Key("updated_at");
  if (e.updated_at_ms > 0) {
    w.String(FormatRfc3339Ms(e.updated_at_ms));
  } else {
    w.Null();
  }
  w.EndObject();
}

void RespondFailure(HttpCall& c, const std::string& reason) {
  if (reason == "capacity_reached") {
    return RespondError(c, "leaderboard.capacity_reached", "Too many live leaderboards.");
  }
  if (reason == "invalid_board") {
    return RespondError(c, "invalid_payload", "A leaderboard id is 1-255 bytes of UTF-8.");
  }
  if (reason == "invalid_player") return RespondError(c, "invalid_payload", "Not a player id.");
  RespondError(c, reason);
}

void RespondEntries(HttpCall& c, const std::string& board_id, const Result<Entries>& r) {
  if (!r.ok()) return RespondFailure(c, r.error().reason);
  JsonWriter w;
  w.BeginObject();
  w.Key("entries");
  w.BeginArray();
  for (const RankedEntry& e : r.value()) WriteEntry(w, board_id, e, 0);
  w.EndArray();
  w.EndObject();
  RespondJson(c, w.Take());
}

// Runs `next` with the caller's id and the shard's service, after the bearer check.
void WithBoards(HttpCall& call,
                std::function<void(HttpCall&, const std::string&, LeaderboardService&)> next) {
  HttpCall* c = &call;
  WithPlayer(call, [c, next = std::move(next)](const std::string& player_id) {
    LeaderboardService* svc = LeaderboardService::OnThisShard();
    if (svc == nullptr) return RespondError(*c, "not_ready");
    next(*c, player_id, *svc);
  });
}

void Top(HttpCall& call) {
  std::string board(call.route.Param("id"));
  size_t limit = size_t(http::IntParam(call.request.query, "limit", 100, 1, 100));
  WithBoards(call, [board, limit](HttpCall& c, const std::string&, LeaderboardService& svc) {
    svc.Top(board, limit, [&c, board](Result<Entries> r) { RespondEntries(c, board, r); });
  });
}

void Around(HttpCall& call) {
  std::string board(call.route.Param("id"));
  std::string player(call.route.Param("player_id"));
  size_t range = size_t(http::IntParam(call.request.query, "range", 5, 1, 50));
  WithBoards(call,
             [board, player, range](HttpCall& c, const std::string&, LeaderboardService& svc) {
               svc.Around(board, player, range,
                          [&c, board](Result<Entries> r) { RespondEntries(c, board, r); });
             });
}

// A JSON number as a score: integers as they are, other numbers truncated toward zero, then
// clamped to ±kMaxScore; anything else is 0 (rest.md §3.7 "non-number → 0").
int64_t NumberField(JsonValue body, std::string_view key) {
  if (std::optional<int64_t> i = GetInt(body, key)) {
    return std::clamp(*i, -kMaxScore, kMaxScore);
  }
  std::optional<double> d = GetNumber(body, key);
  if (!d || std::isnan(*d)) return 0;
  double t = std::trunc(*d);
  if (t >= double(kMaxScore)) return kMaxScore;
  if (t <= -double(kMaxScore)) return -kMaxScore;
  return int64_t(t);
}

void Submit(HttpCall& call, std::shared_ptr<const ClientSubmitPolicy> policy) {
  std::string board(call.route.Param("id"));
  WithBoards(
      call, [board, policy](HttpCall& c, const std::string& player_id, LeaderboardService& svc) {
        if (!policy->Allows(board)) {
          return RespondError(c, "leaderboard.client_submit_disabled",
                              "Clients may not submit scores to this leaderboard.");
        }
        JsonValue body;
        if (!ParseBody(c, &body)) return;
        int64_t score = NumberField(body, "score");
        int64_t sub_score = NumberField(body, "sub_score");
        SubmitOp op = SubmitOp::kBest;
        if (GetField(body, "op")) {
          std::optional<std::string_view> name = GetString(body, "op");
          std::optional<SubmitOp> parsed = name ? ParseSubmitOp(*name) : std::nullopt;
          if (!parsed) return RespondError(c, "invalid_payload", "op is best, set or incr.");
          op = *parsed;
        }
        svc.Submit(board, player_id, score, op, [&c, board, sub_score](Result<RankedEntry> r) {
          if (!r.ok()) return RespondFailure(c, r.error().reason);
          JsonWriter w;
          WriteEntry(w, board, r.value(), sub_score);
          RespondJson(c, w.Take());
        });
      });
}

}  // namespace

void RegisterLeaderboardRoutes(HttpApi& api, std::shared_ptr<const ClientSubmitPolicy> policy) {
  api.Add("GET", "/api/v1/leaderboards/:id", &Top);
  api.Add("GET", "/api/v1/leaderboards/:id/around/:player_id", &Around);
  api.Add("POST", "/api/v1/leaderboards/:id", [policy](HttpCall& call) { Submit(call, policy); });
}

}  // namespace asobi::leaderboard
