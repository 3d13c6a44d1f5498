// /ops/players, /ops/players/:id (rest.md §3.14, class `read`).
#include "game/ops/ops_routes.h"
#include "game/ops/ops_runner.h"
#include "game/ops/ops_sql.h"
#include "http/query.h"

namespace asobi::ops {
namespace {

using db::PgType;

#define GUEST_EXPR(p)                                                              \
  "(" p                                                                            \
  ".hashed_password IS NULL AND EXISTS (SELECT 1 FROM player_identities gi WHERE " \
  "gi.player_id = " p ".id AND gi.provider = 'guest'))"

const db::Statement kListPlayers(
    "ops_players_list",
    "WITH f AS (SELECT p.*, " GUEST_EXPR("p") " AS guest FROM players p WHERE ($5::text IS NULL "
    "OR p.username ILIKE $5 OR p.display_name ILIKE $5)), g AS (SELECT * FROM f WHERE "
    "$6::boolean IS NULL OR guest = $6) "
    "SELECT (SELECT count(*) FROM g), (SELECT " OPS_AGG " FROM (SELECT json_build_object('id', "
    "id, 'username', username, 'display_name', display_name, 'avatar_url', avatar_url, "
    "'guest', guest, 'banned_at', " OPS_TS("banned_at") ", 'inserted_at', " OPS_TS(
        "inserted_at") ", 'updated_at', " OPS_TS("updated_at") ") AS j FROM g ORDER BY " OPS_ORD(
        "inserted_at", "inserted_at") OPS_ORD("username", "username")
        OPS_ORD("updated_at", "updated_at") "id LIMIT $1 OFFSET $2) s)",
    {PgType::kInt4, PgType::kInt4, PgType::kText, PgType::kText, PgType::kText, PgType::kBool});

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

bool PlayerFilters(HttpCall& call, const Page& page, db::Params* out) {
  out->push_back(page.q_pattern ? db::Param::Text(*page.q_pattern) : db::Param::Null());
  std::optional<bool> guest = http::BoolParam(call.request.query, "guest");
  out->push_back(guest ? db::Param::Bool(*guest) : db::Param::Null());
  return true;
}

}  // namespace

void RegisterPlayerReadRoutes(HttpApi& api) {
  api.Add("GET", "/ops/players",
          ListRoute(kListPlayers, {"inserted_at", "username", "updated_at"}, &PlayerFilters));
  api.Add("GET", "/ops/players/:id", UuidLookupRoute(kGetPlayer));
}

}  // namespace asobi::ops
