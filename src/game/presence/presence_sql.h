// The presence domain's prepared statement: accepted friends of a batch of players.
#pragma once

#include "db/statement.h"

namespace asobi::presence::sql {

/// ($1 JSON array of player ids, canonical UUIDs) -> one row per accepted friendship row
/// touching one of them, in either direction: (player_id, friend_id).
extern const db::Statement kAcceptedFriends;

}  // namespace asobi::presence::sql
