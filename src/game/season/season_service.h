// SeasonService: the REST reads of seasons (docs/seasons.md) on one shard's PostgreSQL
// connection: the list, one season, the running one, and the archived standings of a
// season's leaderboard. Every method and callback runs on the calling shard, never inside the
// call. Times are the server's Unix ms.
//
// Error reasons (Error::reason): not_found (unknown or malformed season id; no running season
// for Current), not_ready (database unreachable or overloaded), internal.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "base/result.h"
#include "db/pg_connection.h"
#include "reactor/reactor.h"

namespace asobi::season {

/// A JSON array of seasons, one season as a JSON object, or a JSON array of entries.
using JsonCallback = std::function<void(Result<std::string>)>;

class SeasonService {
 public:
  /// `reactor` and `db` (the shard's) must outlive the service.
  SeasonService(Reactor& reactor, db::PgConnection& db) : reactor_(reactor), db_(db) {}

  /// Seasons by starts_at (then id), optionally only those of `status`, at most `limit`.
  void List(std::optional<std::string> status, int limit, JsonCallback done);
  /// One season. Errors: not_found.
  void Get(std::string id, JsonCallback done);
  /// The running season. Errors: not_found when none runs.
  void Current(JsonCallback done);
  /// The first `limit` archived entries of `board` in season `id`, by rank; `[]` when the
  /// board was not archived (yet) in that season. Errors: not_found (unknown season).
  void Standings(std::string id, std::string board, int limit, JsonCallback done);
  /// The archived entries of `board` in season `id` ranked within `range` of `player_id`'s rank
  /// (the player's included); `[]` when the player has no archived entry there (or is not a
  /// UUID). Errors: not_found (unknown season).
  void StandingsAround(std::string id, std::string board, std::string player_id, int range,
                       JsonCallback done);

 private:
  void FailLater(JsonCallback done, std::string reason);

  Reactor& reactor_;
  db::PgConnection& db_;
};

}  // namespace asobi::season
