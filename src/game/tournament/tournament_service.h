// TournamentService: tournaments (rest.md §3.8, plus list, get and join) on one shard's
// PostgreSQL connection. There is no owner shard for reads and joins: the tournament row lock
// serialises joins, so `max_entries` holds across shards. Every method and callback runs on
// the calling shard, never inside the call.
//
// Error reasons (Error::reason): not_found (unknown id, not a UUID, or not joinable: finished,
// cancelled or past end_at), full, already_joined, not_ready (database unreachable or
// overloaded), internal.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "db/pg_connection.h"
#include "game/tournament/rewards.h"
#include "reactor/reactor.h"

namespace asobi::tournament {

/// A JSON array of tournaments rows, or one row as a JSON object (rest.md §5 columns).
using JsonCallback = std::function<void(Result<std::string>)>;

/// One per shard, borrowing that shard's PgConnection; shard-affine.
class TournamentService {
 public:
  /// `reactor` and `db` (the shard's) must outlive the service.
  TournamentService(Reactor& reactor, db::PgConnection& db) : reactor_(reactor), db_(db) {}

  /// Tournaments by start_at (then id), optionally of one `status`, at most `limit`.
  void List(std::optional<std::string> status, int limit, JsonCallback done);
  /// One tournament row. Errors: not_found.
  void Get(std::string id, JsonCallback done);
  /// Joins `player_id` to tournament `id` (stored in tournament_participants) and charges its
  /// `entry_fee` in the same database transaction (docs/decisions.md "Tournament entry fees").
  /// Errors: not_found, already_joined, full (max_entries reached), insufficient_funds (a
  /// wallet below its fee: nothing joined, nothing charged), internal (unreadable entry_fee),
  /// not_ready.
  void Join(std::string id, std::string player_id, std::function<void(Status)> done);

 private:
  void JoinAndCharge(const std::string& id, const std::string& player_id,
                     const std::vector<EntryFee>& fees, std::function<void(Status)> done);
  void FailLater(std::function<void(Error)> done, std::string reason);

  Reactor& reactor_;
  db::PgConnection& db_;
};

/// Maps a database error to a reason: not_ready when unreachable, overloaded or timed out.
std::string_view TournamentDbReason(const db::PgError& e);

}  // namespace asobi::tournament
