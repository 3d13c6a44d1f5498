// REST reads of resolved votes (rest.md §3.11): GET /api/v1/matches/:id/votes (participants
// only: on the match record's roster or the live match's roster; newest first, at most 50)
// and GET /api/v1/votes/:id (no participant check).
#include "game/match/vote_routes.h"

#include "base/time_format.h"
#include "base/uuid.h"
#include "db/pg_connection.h"
#include "game/match/match_router.h"
#include "game/match/match_service.h"
#include "game/rest_util.h"
#include "protocol/json_writer.h"

namespace asobi::match {
namespace {

#define VOTE_COLUMNS                                                                         \
  "SELECT id, match_id::text, template, method, options::text, votes_cast::text, "           \
  "result::text, distribution::text, turnout, eligible_count, window_ms, "                   \
  "(extract(epoch FROM opened_at) * 1000)::bigint, (extract(epoch FROM closed_at) * 1000)::" \
  "bigint, (extract(epoch FROM inserted_at) * 1000)::bigint FROM votes "

const db::Statement kListVotes("vote_list_by_match",
                               VOTE_COLUMNS
                               "WHERE match_id = $1 ORDER BY inserted_at DESC, id DESC LIMIT 50",
                               {db::PgType::kUuid});
const db::Statement kGetVote("vote_get", VOTE_COLUMNS "WHERE id = $1", {db::PgType::kVarchar});
const db::Statement kOnRecord(
    "vote_on_record",
    "SELECT 1 FROM match_records WHERE id = $1 AND players @> jsonb_build_array($2::text)",
    {db::PgType::kUuid, db::PgType::kVarchar});

#undef VOTE_COLUMNS

void Timestamp(JsonWriter* w, const db::PgResult& r, int row, int col) {
  std::optional<int64_t> ms = r.GetInt64(row, col);
  if (ms) {
    w->String(FormatRfc3339Ms(*ms));
  } else {
    w->Null();
  }
}

// One votes row (rest.md §5 "votes").
void WriteVote(JsonWriter* w, const db::PgResult& r, int row) {
  w->BeginObject();
  w->Key("id");
  w->String(r.GetString(row, 0));
  w->Key("match_id");
  w->String(r.GetString(row, 1));
  w->Key("template");
  w->String(r.GetString(row, 2));
  w->Key("method");
  w->String(r.GetString(row, 3));
  const char* json_keys[] = {"options", "votes_cast", "result", "distribution"};
  for (int i = 0; i < 4; ++i) {
    w->Key(json_keys[i]);
    w->Raw(r.GetString(row, 4 + i));
  }
  w->Key("turnout");
  w->Double(r.GetDouble(row, 8).value_or(0.0));
  w->Key("eligible_count");
  w->Int(r.GetInt64(row, 9).value_or(0));
  w->Key("window_ms");
  w->Int(r.GetInt64(row, 10).value_or(0));
  w->Key("opened_at");
  Timestamp(w, r, row, 11);
  w->Key("closed_at");
  Timestamp(w, r, row, 12);
  w->Key("inserted_at");
  Timestamp(w, r, row, 13);
  w->EndObject();
}

void RespondVotes(HttpCall* c, const std::string& match_id) {
  db::Params p;
  p.push_back(db::Param::Uuid(match_id));
  c->game.db->Execute(kListVotes, std::move(p), [c](db::DbResult<db::PgResult> r) {
    if (!r.ok()) return RespondError(*c, "internal");
    JsonWriter w;
    w.BeginObject();
    w.Key("votes");
    w.BeginArray();
    for (int i = 0; i < r->rows(); ++i) WriteVote(&w, *r, i);
    w.EndArray();
    w.EndObject();
    RespondJson(*c, w.Take());
  });
}

void ListMatchVotes(HttpCall& call) {
  std::string id(call.route.Param("id"));
  HttpCall* c = &call;
  WithPlayer(call, [c, id](const std::string& player_id) {
    if (!IsCanonicalUuid(id)) return RespondError(*c, "forbidden");
    if (c->game.db == nullptr) return RespondError(*c, "not_ready");
    db::Params p;
    p.push_back(db::Param::Uuid(id));
    p.push_back(db::Param::Text(player_id));
    c->game.db->Execute(kOnRecord, std::move(p), [c, id, player_id](db::DbResult<db::PgResult> r) {
      if (!r.ok()) return RespondError(*c, "internal");
      if (r->rows() > 0) return RespondVotes(c, id);
      // Not on a record (yet): a member of the live match may read its votes too.
      RouteIsMember(id, player_id, [c, id](bool member) {
        if (!member) return RespondError(*c, "forbidden");
        RespondVotes(c, id);
      });
    });
  });
}

void GetVote(HttpCall& call) {
  std::string id(call.route.Param("id"));
  HttpCall* c = &call;
  WithPlayer(call, [c, id](const std::string&) {
    if (id.empty() || id.size() > 64) return RespondError(*c, "vote.not_found", "No such vote.");
    if (c->game.db == nullptr) return RespondError(*c, "not_ready");
    db::Params p;
    p.push_back(db::Param::Text(id));
    c->game.db->Execute(kGetVote, std::move(p), [c](db::DbResult<db::PgResult> r) {
      if (!r.ok()) return RespondError(*c, "internal");
      if (r->rows() == 0) return RespondError(*c, "vote.not_found", "No such vote.");
      JsonWriter w;
      WriteVote(&w, *r, 0);
      RespondJson(*c, w.Take());
    });
  });
}

}  // namespace

void RegisterVoteRoutes(HttpApi& api) {
  api.Add("GET", "/api/v1/matches/:id/votes", &ListMatchVotes);
  api.Add("GET", "/api/v1/votes/:id", &GetVote);
}

}  // namespace asobi::match
