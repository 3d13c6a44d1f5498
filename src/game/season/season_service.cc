#include "game/season/season_service.h"

#include <utility>

#include "base/clock.h"
#include "base/uuid.h"
#include "game/season/season_config.h"
#include "game/season/season_sql.h"
#include "simdjson.h"

namespace asobi::season {
namespace {

Error Fail(std::string_view reason) { return MakeError(std::string(reason)); }

std::string_view DbReason(const db::PgError& e) {
  if (e.reason == db::kDbUnavailable || e.reason == db::kDbOverloaded ||
      e.reason == db::kDbTimeout) {
    return "not_ready";
  }
  return "internal";
}

// Answers the first column of the only row, or `absent` when there is no row.
db::ResultCallback OneJson(JsonCallback done, std::string_view absent) {
  return [done = std::move(done), absent](db::DbResult<db::PgResult> r) {
    if (!r.ok()) return done(Fail(DbReason(r.error())));
    if (r->rows() != 1) return done(Fail(absent));
    done(std::string(r->GetString(0, 0)));
  };
}

// Answers (season exists, entries) rows of kStandings / kStandingsAround.
db::ResultCallback EntriesJson(JsonCallback done) {
  return [done = std::move(done)](db::DbResult<db::PgResult> r) {
    if (!r.ok()) return done(Fail(DbReason(r.error())));
    if (r->rows() != 1) return done(Fail("internal"));
    if (r->GetString(0, 0) != "t") return done(Fail("not_found"));
    done(std::string(r->GetString(0, 1)));
  };
}

// A board id that no board can have (empty, over 255 bytes, not UTF-8) has no entries: "".
std::string UsableBoard(std::string board) {
  if (board.size() > 255 || !simdjson::validate_utf8(board.data(), board.size()) ||
      board.find('\0') != std::string::npos) {
    board.clear();
  }
  return board;
}

}  // namespace

void SeasonService::FailLater(JsonCallback done, std::string reason) {
  reactor_.Post([done = std::move(done), reason = std::move(reason)] { done(Fail(reason)); });
}

void SeasonService::List(std::optional<std::string> status, int limit, JsonCallback done) {
  db_.Execute(sql::kList,
              {db::Param::Int64(UnixMs()), status ? db::Param::Text(*status) : db::Param::Null(),
               db::Param::Int32(limit)},
              OneJson(std::move(done), "internal"));
}

void SeasonService::Get(std::string id, JsonCallback done) {
  if (!ValidSeasonId(id)) return FailLater(std::move(done), "not_found");
  db_.Execute(sql::kGet, {db::Param::Int64(UnixMs()), db::Param::Text(id)},
              OneJson(std::move(done), "not_found"));
}

void SeasonService::Current(JsonCallback done) {
  db_.Execute(sql::kCurrent, {db::Param::Int64(UnixMs())}, OneJson(std::move(done), "not_found"));
}

void SeasonService::Standings(std::string id, std::string board, int limit, JsonCallback done) {
  if (!ValidSeasonId(id)) return FailLater(std::move(done), "not_found");
  db_.Execute(sql::kStandings,
              {db::Param::Text(id), db::Param::Text(UsableBoard(std::move(board))),
               db::Param::Int32(limit)},
              EntriesJson(std::move(done)));
}

void SeasonService::StandingsAround(std::string id, std::string board, std::string player_id,
                                    int range, JsonCallback done) {
  if (!ValidSeasonId(id)) return FailLater(std::move(done), "not_found");
  // No player can have an entry under a malformed id: the nil UUID never matches a player.
  if (!IsCanonicalUuid(player_id)) player_id = "00000000-0000-0000-0000-000000000000";
  db_.Execute(sql::kStandingsAround,
              {db::Param::Text(id), db::Param::Text(UsableBoard(std::move(board))),
               db::Param::Uuid(player_id), db::Param::Int32(range)},
              EntriesJson(std::move(done)));
}

}  // namespace asobi::season
