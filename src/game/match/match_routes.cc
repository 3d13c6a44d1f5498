#include "game/match/match_routes.h"

#include <algorithm>

#include "base/time_format.h"
#include "base/uuid.h"
#include "db/pg_connection.h"
#include "game/match/match_service.h"
#include "game/match/vote_routes.h"
#include "game/rest_util.h"
#include "http/query.h"
#include "protocol/json_writer.h"

namespace asobi::match {
namespace {

const db::Statement kListRecords(
    "match_list_records",
    "SELECT id::text, mode, status, result::text, "
    "(extract(epoch FROM started_at) * 1000)::bigint, "
    "(extract(epoch FROM finished_at) * 1000)::bigint, "
    "(extract(epoch FROM inserted_at) * 1000)::bigint FROM match_records "
    "WHERE ($1::varchar IS NULL OR mode = $1) AND ($2::varchar IS NULL OR status = $2) "
    "ORDER BY inserted_at DESC, id DESC LIMIT $3",
    {db::PgType::kVarchar, db::PgType::kVarchar, db::PgType::kInt4});
const db::Statement kGetRecord(
    "match_get_record",
    "SELECT id::text, mode, status, result::text, "
    "(extract(epoch FROM started_at) * 1000)::bigint, "
    "(extract(epoch FROM finished_at) * 1000)::bigint, "
    "(extract(epoch FROM inserted_at) * 1000)::bigint FROM match_records WHERE id = $1",
    {db::PgType::kUuid});

void Timestamp(JsonWriter* w, const db::PgResult& r, int row, int col) {
  std::optional<int64_t> ms = r.GetInt64(row, col);
  if (ms) {
    w->String(FormatRfc3339Ms(*ms));
  } else {
    w->Null();
  }
}

// {id, mode, status, result, started_at, finished_at, inserted_at} (rest.md §3.11).
void WriteRecord(JsonWriter* w, const db::PgResult& r, int row) {
  w->BeginObject();
  w->Key("id");
  w->String(r.GetString(row, 0));
  w->Key("mode");
  if (r.IsNull(row, 1)) {
    w->Null();
  } else {
    w->String(r.GetString(row, 1));
  }
  w->Key("status");
  w->String(r.GetString(row, 2));
  w->Key("result");
  w->Raw(r.IsNull(row, 3) ? std::string_view("{}") : r.GetString(row, 3));
  w->Key("started_at");
  Timestamp(w, r, row, 4);
  w->Key("finished_at");
  Timestamp(w, r, row, 5);
  w->Key("inserted_at");
  Timestamp(w, r, row, 6);
  w->EndObject();
}

db::Param OptionalText(const std::optional<std::string>& v) {
  return v ? db::Param::Text(*v) : db::Param::Null();
}

void ListRecords(HttpCall& call) {
  std::string query = call.request.query;
  HttpCall* c = &call;
  WithPlayer(call, [c, query](const std::string&) {
    if (c->game.db == nullptr) return RespondError(*c, "not_ready");
    db::Params p;
    p.push_back(OptionalText(http::GetParam(query, "mode")));
    p.push_back(OptionalText(http::GetParam(query, "status")));
    p.push_back(db::Param::Int32(int32_t(http::IntParam(query, "limit", 50, 1, 200))));
    c->game.db->Execute(kListRecords, std::move(p), [c](db::DbResult<db::PgResult> r) {
      if (!r.ok()) return RespondError(*c, "internal");
      JsonWriter w;
      w.BeginObject();
      w.Key("matches");
      w.BeginArray();
      for (int i = 0; i < r->rows(); ++i) WriteRecord(&w, *r, i);
      w.EndArray();
      w.EndObject();
      RespondJson(*c, w.Take());
    });
  });
}

void GetRecord(HttpCall& call) {
  std::string id(call.route.Param("id"));
  HttpCall* c = &call;
  WithPlayer(call, [c, id](const std::string&) {
    if (!IsCanonicalUuid(id)) return RespondError(*c, "match.not_found", "No such match.");
    if (c->game.db == nullptr) return RespondError(*c, "not_ready");
    db::Params p;
    p.push_back(db::Param::Uuid(id));
    c->game.db->Execute(kGetRecord, std::move(p), [c](db::DbResult<db::PgResult> r) {
      if (!r.ok()) return RespondError(*c, "internal");
      if (r->rows() == 0) return RespondError(*c, "match.not_found", "No such match.");
      JsonWriter w;
      WriteRecord(&w, *r, 0);
      RespondJson(*c, w.Take());
    });
  });
}

void ListLive(HttpCall& call) {
  std::string query = call.request.query;
  HttpCall* c = &call;
  WithPlayer(call, [c, query](const std::string&) {
    MatchService* svc = MatchService::OnThisShard();
    if (svc == nullptr) return RespondJson(*c, R"({"matches":[]})");
    ListFilter f;
    std::optional<std::string> mode = http::GetParam(query, "mode");
    if (mode && mode->size() <= 64) f.mode = *mode;
    f.has_capacity = http::BoolParam(query, "has_capacity").value_or(false);
    f.joinable = http::BoolParam(query, "joinable");
    std::vector<MatchListing> list = svc->node().directory().List(f);
    std::sort(list.begin(), list.end(),
              [](const MatchListing& a, const MatchListing& b) { return a.match_id < b.match_id; });
    std::string body = "{\"matches\":[";
    for (size_t i = 0; i < list.size(); ++i) {
      if (i > 0) body.push_back(',');
      body += ListingJson(list[i]);
    }
    body += "]}";
    RespondJson(*c, std::move(body));
  });
}

}  // namespace

void RegisterMatchRoutes(HttpApi& api) {
  api.Add("GET", "/api/v1/matches", &ListRecords);
  api.Add("GET", "/api/v1/matches/live", &ListLive);
  api.Add("GET", "/api/v1/matches/:id", &GetRecord);
  RegisterVoteRoutes(api);
}

}  // namespace asobi::match
