// /ops/players/:id (rest.md §3.14, class `read`); the list is in ops_player_list.cc.
#include "game/ops/ops_routes.h"
#include "game/ops/ops_runner.h"
#include "game/ops/ops_sql.h"

namespace asobi::ops {
namespace {

using db::PgType;

#define GUEST_EXPR(p)                                                              \
  "(" p                                                                            \
  ".hashed_password IS NULL AND EXISTS (SELECT 1 FROM player_identities gi WHERE " \
  "gi.player_id = " p ".id AND gi.provider = 'guest'))"

const db::Statement kGetPlayer(
    "ops_players_get",
    "SELECT json_build_object('id', p.id, 'username', p.username, 'display_name', "
    "p.display_name, 'avatar_url', p.avatar_url, 'metadata', coalesce(p.metadata, '{}'), "
    "'guest', " GUEST_EXPR("p") ", 'banned_at', " OPS_TS("p.banned_at") ", 'inserted_at', " OPS_TS(
        "p.inserted_at") ", 'updated_at', " OPS_TS("p.updated_at")
    ", 'stats', (SELECT json_build_object('games_played', games_played, 'wins', wins, 'losses', "
    "losses, 'rating', rating, 'rating_deviation', rating_deviation) FROM player_stats WHERE "
    "player_id = p.id), "
    "'identities', (SELECT coalesce(json_agg(json_build_object('provider', provider, "
    "'inserted_at', " OPS_TS("inserted_at") ") ORDER BY inserted_at), '[]') FROM "
    "player_identities WHERE player_id = p.id), "
    "'wallets', (SELECT coalesce(json_agg(json_build_object('currency', currency, 'balance', "
    "balance) ORDER BY currency), '[]') FROM wallets WHERE player_id = p.id), "
    "'items', (SELECT coalesce(json_agg(x.j), '[]') FROM (SELECT json_build_object('id', pi.id, "
    "'item_def_id', pi.item_def_id, 'slug', d.slug, 'name', d.name, 'quantity', pi.quantity) "
    "AS j FROM player_items pi JOIN item_defs d ON d.id = pi.item_def_id WHERE pi.player_id = "
    "p.id ORDER BY pi.acquired_at DESC, pi.id LIMIT 200) x), "
    "'saves', (SELECT coalesce(json_agg(json_build_object('slot', slot, 'version', version, "
    "'updated_at', " OPS_TS("updated_at") ") ORDER BY slot), '[]') FROM cloud_saves WHERE "
    "player_id = p.id), "
    "'matches', (SELECT coalesce(json_agg(x.j), '[]') FROM (SELECT json_build_object('id', "
    "m.id, 'mode', m.mode, 'status', m.status, 'started_at', " OPS_TS("m.started_at")
    ", 'finished_at', " OPS_TS("m.finished_at") ") AS j FROM match_records m WHERE m.players "
    "@> jsonb_build_array(p.id::text) ORDER BY m.inserted_at DESC LIMIT 20) x))::text "
    "FROM players p WHERE p.id = $1",
    {PgType::kUuid});

}  // namespace

void RegisterPlayerReadRoutes(HttpApi& api) {
  RegisterPlayerListRoute(api);
  api.Add("GET", "/ops/players/:id", UuidLookupRoute(kGetPlayer));
}

}  // namespace asobi::ops
