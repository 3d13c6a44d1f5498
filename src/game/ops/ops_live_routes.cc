// Live ops reads (rest.md §3.14, class `read`): /ops/stats, /ops/matches[/:id] (the node's
// match directory, plus the stored record), /ops/worlds[/:id] (ours, for the console: live
// worlds and their players), /ops/matchmaker and /ops/features.
#include <algorithm>

#include "base/json_escape.h"
#include "base/uuid.h"
#include "game/match/match_router.h"
#include "game/match/match_service.h"
#include "game/matchmaker/matchmaker.h"
#include "game/ops/ops.h"
#include "game/ops/ops_guard.h"
#include "game/ops/ops_sql.h"
#include "game/rest_util.h"
#include "game/world/runtime/world_service.h"
#include "http/query.h"

namespace asobi::ops {
namespace {

using db::Param;
using db::PgType;

// Whole-table counts grow with the game's history (a count(*) of 300,000 chat rows took
// ~50 ms); past 100,000 rows by the planner's estimate, the table's `reltuples`
// estimate is shown instead and its name listed in `estimated` (docs/decisions.md "Ops stats:
// estimated totals"). The branch not taken is never run (subplans run on first use).
#define STATS_EST(t) "(SELECT reltuples::bigint FROM pg_class WHERE oid = '" t "'::regclass)"
#define STATS_BIG(t) "(" STATS_EST(t) " > 100000)"
#define STATS_COUNT(t) \
  "CASE WHEN " STATS_BIG(t) " THEN " STATS_EST(t) " ELSE (SELECT count(*) FROM " t ") END"
#define STATS_IF_BIG(t, name) "CASE WHEN " STATS_BIG(t) " THEN '" name "' END"

const db::Statement kStats(
    "ops_stats",
    "SELECT json_build_object('players', " STATS_COUNT("players") ", 'guests', (SELECT "
    "count(*) FROM players p WHERE p.hashed_password IS NULL AND EXISTS (SELECT 1 FROM "
    "player_identities i WHERE i.player_id = p.id AND i.provider = 'guest')), "
    "'match_records', " STATS_COUNT("match_records") ", 'tournaments_running', (SELECT "
    "count(*) FROM tournaments WHERE status = 'running'), 'chat_messages', " STATS_COUNT(
        "chat_messages") ", 'notifications_unread', (SELECT count(*) FROM notifications WHERE NOT "
    "read), 'audit_entries', " STATS_COUNT("ops_audit_entries") ", 'estimated', "
    "coalesce(array_to_json(array_remove(ARRAY["                              //
    STATS_IF_BIG("players", "players") ", "                                   //
    STATS_IF_BIG("match_records", "match_records") ", "                       //
    STATS_IF_BIG("chat_messages", "chat_messages") ", "                       //
    STATS_IF_BIG("ops_audit_entries", "audit_entries") "]::text[], NULL)), '[]'))::text");

const db::Statement kMatchRecord(
    "ops_match_record",
    "SELECT json_build_object('id', id, 'mode', mode, 'status', status, 'players', players, "
    "'result', coalesce(result, '{}'), 'metadata', coalesce(metadata, '{}'), 'started_at', " OPS_TS(
        "started_at") ", 'finished_at', " OPS_TS("finished_at") ", 'inserted_at', " OPS_TS(
        "inserted_at") ")::text FROM match_records WHERE id = $1",
    {PgType::kUuid});

std::vector<match::MatchListing> LiveMatches() {
  match::MatchService* svc = match::MatchService::OnThisShard();
  if (svc == nullptr) return {};
  match::ListFilter all;
  all.include_unlisted = true;  // operators see every live match, listed or not
  std::vector<match::MatchListing> list = svc->node().directory().List(all);
  std::sort(list.begin(), list.end(),
            [](const auto& a, const auto& b) { return a.match_id < b.match_id; });
  return list;
}

std::string MatchJson(const match::MatchListing& l) {
  std::string j = match::ListingJson(l);
  j.pop_back();  // '}'
  j += ",\"listed\":" + std::string(l.listed ? "true" : "false") +
       ",\"owner_shard\":" + std::to_string(l.owner_shard) +
       ",\"phase\":" + (l.phase_json.empty() ? std::string("null") : l.phase_json) + "}";
  return j;
}

std::vector<world::WorldListing> LiveWorlds() {
  world::WorldService* svc = world::WorldService::OnThisShard();
  if (svc == nullptr) return {};
  std::vector<world::WorldListing> list = svc->node().List(std::nullopt, false);
  std::sort(list.begin(), list.end(),
            [](const auto& a, const auto& b) { return a.world_id < b.world_id; });
  return list;
}

// Pages an in-memory list (rest.md §1.4; only the default sort by id).
template <class T, class F>
void RespondPaged(HttpCall& call, const std::vector<T>& all, F to_json) {
  std::optional<Page> page = ParsePage(call, {"id"}, "asc");
  if (!page) return;
  std::string data = "[";
  size_t from = std::min(all.size(), size_t(page->offset));
  size_t to = std::min(all.size(), from + size_t(page->limit));
  for (size_t i = from; i < to; ++i) {
    if (i > from) data.push_back(',');
    data += to_json(all[i]);
  }
  data += "]";
  RespondJson(call, PageBody(data, *page, int64_t(all.size())));
}

void Stats(HttpCall& call) {
  HttpCall* c = &call;
  WithOpsDb(call, kRead, [c](const OpsActor&, db::PgConnection& db) {
    db.Execute(kStats, {}, [c](db::DbResult<db::PgResult> r) {
      if (!r.ok()) return RespondDbError(*c, r.error());
      std::string j(r->GetString(0, 0));
      j.pop_back();
      int64_t world_players = 0;
      std::vector<world::WorldListing> worlds = LiveWorlds();
      for (const auto& w : worlds) world_players += w.player_count;
      int64_t match_players = 0;
      std::vector<match::MatchListing> matches = LiveMatches();
      for (const auto& m : matches) match_players += m.player_count;
      matchmaker::Matchmaker* mm = matchmaker::Matchmaker::OnThisShard();
      j += ",\"matches_live\":" + std::to_string(matches.size()) +
           ",\"match_players\":" + std::to_string(match_players) +
           ",\"worlds_live\":" + std::to_string(worlds.size()) +
           ",\"world_players\":" + std::to_string(world_players) +
           ",\"matchmaker_pending\":" + std::to_string(mm ? mm->node().pending_tickets() : 0) + "}";
      RespondJson(*c, "{\"data\":" + j + "}");
    });
  });
}

void Matches(HttpCall& call) {
  HttpCall* c = &call;
  WithOps(call, kRead, [c](const OpsActor&) { RespondPaged(*c, LiveMatches(), &MatchJson); });
}

// A live match (from the directory) and/or its stored record; 404 when neither exists.
// The stored record of match `id` joined with `live` (its listing with the roster, or
// "null"), answered as {"data":{id, live, record}}.
void AnswerMatch(HttpCall* c, db::PgConnection& db, const std::string& id, std::string live) {
  db.Execute(kMatchRecord, {Param::Uuid(id)}, [c, id, live](db::DbResult<db::PgResult> r) {
    if (!r.ok()) return RespondDbError(*c, r.error());
    std::string record = r->rows() == 0 ? "null" : std::string(r->GetString(0, 0));
    if (live == "null" && record == "null") return RespondError(*c, "ops.not_found");
    RespondJson(
        *c, "{\"data\":{\"id\":\"" + id + "\",\"live\":" + live + ",\"record\":" + record + "}}");
  });
}

void Match(HttpCall& call) {
  std::string id(call.route.Param("id"));
  HttpCall* c = &call;
  WithOpsDb(call, kRead, [c, id](const OpsActor&, db::PgConnection& db) {
    if (!IsCanonicalUuid(id)) return RespondError(*c, "ops.invalid_id", "Not a UUID.");
    std::string live = "null";
    for (const auto& m : LiveMatches()) {
      if (m.match_id == id) live = MatchJson(m);
    }
    if (live == "null") return AnswerMatch(c, db, id, live);
    // A live match: its roster comes from the owner shard (players and their sockets).
    db::PgConnection* conn = &db;
    match::RouteRosterJson(id, [c, conn, id, live](std::string roster) mutable {
      live.pop_back();  // '}'
      live += ",\"players\":" + (roster.empty() ? std::string("[]") : roster) + "}";
      AnswerMatch(c, *conn, id, std::move(live));
    });
  });
}

void Worlds(HttpCall& call) {
  HttpCall* c = &call;
  WithOps(call, kRead, [c](const OpsActor&) {
    RespondPaged(*c, LiveWorlds(),
                 [](const world::WorldListing& w) { return world::JoinedJson(w); });
  });
}

void World(HttpCall& call) {
  std::string id(call.route.Param("id"));
  HttpCall* c = &call;
  WithOps(call, kRead, [c, id](const OpsActor&) {
    if (!IsCanonicalUuid(id)) return RespondError(*c, "ops.invalid_id", "Not a UUID.");
    world::WorldService* svc = world::WorldService::OnThisShard();
    std::optional<world::WorldListing> w = svc ? svc->node().Find(id) : std::nullopt;
    if (!w) return RespondError(*c, "ops.not_found");
    RespondJson(*c, "{\"data\":" + world::JoinedJson(*w) + "}");
  });
}

void Matchmaker(HttpCall& call) {
  HttpCall* c = &call;
  WithOps(call, kRead, [c](const OpsActor&) {
    matchmaker::Matchmaker* mm = matchmaker::Matchmaker::OnThisShard();
    if (mm == nullptr) {
      return RespondJson(*c, R"({"data":{"enabled":false,"pending_tickets":0}})");
    }
    matchmaker::MatchmakerNode& n = mm->node();
    matchmaker::MatchmakerMetrics& m = n.metrics();
    auto v = [](const std::atomic<uint64_t>& a) { return std::to_string(a.load()); };
    RespondJson(*c, "{\"data\":{\"enabled\":true,\"pending_tickets\":" +
                        std::to_string(n.pending_tickets()) +
                        ",\"queue_max\":" + std::to_string(n.options().queue_max) +
                        ",\"tickets_added\":" + v(m.tickets_added) + ",\"tickets_removed\":" +
                        v(m.tickets_removed) + ",\"tickets_expired\":" + v(m.tickets_expired) +
                        ",\"groups_formed\":" + v(m.groups_formed) + ",\"groups_failed\":" +
                        v(m.groups_failed) + ",\"bots_queued\":" + v(m.bots_queued) + "}}");
  });
}

}  // namespace

void RegisterLiveRoutes(HttpApi& api, std::shared_ptr<const OpsOptions> opts) {
  api.Add("GET", "/ops/stats", &Stats);
  api.Add("GET", "/ops/matches", &Matches);
  api.Add("GET", "/ops/matches/:id", &Match);
  api.Add("GET", "/ops/worlds", &Worlds);
  api.Add("GET", "/ops/worlds/:id", &World);
  api.Add("GET", "/ops/matchmaker", &Matchmaker);
  api.Add("GET", "/ops/features", [opts](HttpCall& call) {
    HttpCall* c = &call;
    WithOps(call, kRead, [c, opts](const OpsActor&) {
      std::string modes = "[";
      if (opts->modes != nullptr) {
        for (const auto& [name, mode] : opts->modes->Current()->modes) {
          if (modes.size() > 1) modes.push_back(',');
          modes += "{\"name\":";
          AppendJsonString(&modes, name);
          modes += std::string(",\"type\":\"") + (mode->is_world ? "world" : "match") +
                   "\",\"max_players\":" + std::to_string(mode->max_players) + "}";
        }
      }
      modes += "]";
      RespondJson(*c, "{\"data\":{\"flags\":" + opts->features_json + ",\"modes\":" + modes + "}}");
    });
  });
}

}  // namespace asobi::ops
