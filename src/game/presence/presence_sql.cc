#include "game/presence/presence_sql.h"

namespace asobi::presence::sql {

const db::Statement kAcceptedFriends(
    "presence_accepted_friends",
    "WITH ids AS (SELECT DISTINCT (e #>> '{}')::uuid AS id FROM json_array_elements($1) e) "
    "SELECT f.player_id::text, f.friend_id::text FROM friendships f "
    "WHERE f.status = 'accepted' AND (f.player_id IN (SELECT id FROM ids) "
    "OR f.friend_id IN (SELECT id FROM ids))",
    {db::PgType::kJson});

}  // namespace asobi::presence::sql
