// Database-backed ops reads (rest.md §3.14, class `read`): leaderboards and their entries,
// economy items and listings, chat channels and messages, tournaments, notifications, and the
// audit log (ours, for the console: docs/decisions.md "Ops API").
#include "base/uuid.h"
#include "game/ops/ops_routes.h"
#include "game/ops/ops_runner.h"
#include "game/ops/ops_sql.h"
#include "game/rest_util.h"
#include "http/query.h"

namespace asobi::ops {
namespace {

using db::Param;
using db::PgType;

#define PAGE_TYPES PgType::kInt4, PgType::kInt4, PgType::kText, PgType::kText

const db::Statement kLeaderboards(
    "ops_leaderboards_list",
    "WITH g AS (SELECT leaderboard_id AS id, count(*) AS entries, max(score) AS top_score, "
    "max(updated_at) AS updated_at FROM leaderboard_entries WHERE $5::text IS NULL OR "
    "leaderboard_id ILIKE $5 GROUP BY leaderboard_id) "
    "SELECT (SELECT count(*) FROM g), (SELECT " OPS_AGG
    " FROM (SELECT json_build_object('id', "
    "id, 'entries', entries, 'top_score', top_score, 'updated_at', " OPS_TS(
        "updated_at") ") AS j FROM g ORDER BY " OPS_ORD("id", "id") OPS_ORD("entries", "entries")
        OPS_ORD("updated_at", "updated_at") "id LIMIT $1 OFFSET $2) s)",
    {PAGE_TYPES, PgType::kText});

const db::Statement kBoardEntries(
    "ops_leaderboard_entries",
    "WITH g AS (SELECT e.*, p.username, rank() OVER (ORDER BY e.score DESC, e.sub_score DESC) "
    "AS rank FROM leaderboard_entries e LEFT JOIN players p ON p.id = e.player_id WHERE "
    "e.leaderboard_id = $5) "
    "SELECT (SELECT count(*) FROM g), (SELECT " OPS_AGG
    " FROM (SELECT json_build_object("
    "'player_id', player_id, 'username', username, 'score', score, 'sub_score', sub_score, "
    "'rank', rank, 'metadata', coalesce(metadata, '{}'), 'updated_at', " OPS_TS(
        "updated_at") ") AS j FROM g ORDER BY " OPS_ORD("rank", "rank")
        OPS_ORD("updated_at", "updated_at") "player_id LIMIT $1 OFFSET $2) s)",
    {PAGE_TYPES, PgType::kText});

#define ITEM_JSON(p)                                                                      \
  "json_build_object('id', " p "id, 'slug', " p "slug, 'name', " p "name, 'category', " p \
  "category, 'rarity', " p "rarity, 'stackable', " p "stackable, 'metadata', coalesce(" p \
  "metadata, '{}'), 'inserted_at', " OPS_TS(p "inserted_at") ", 'updated_at', " OPS_TS(   \
      p "updated_at") ")"

const db::Statement kItems(
    "ops_items_list",
    "WITH g AS (SELECT * FROM item_defs WHERE $5::text IS NULL OR slug ILIKE $5 OR name ILIKE "
    "$5) SELECT (SELECT count(*) FROM g), (SELECT " OPS_AGG
    " FROM (SELECT " ITEM_JSON("") " AS j FROM g ORDER BY " OPS_ORD("slug", "slug")
        OPS_ORD("name", "name") OPS_ORD("inserted_at", "inserted_at") "id LIMIT $1 OFFSET $2) s)",
    {PAGE_TYPES, PgType::kText});
const db::Statement kItem("ops_items_get",
                          "SELECT " ITEM_JSON("") "::text FROM item_defs WHERE id = $1",
                          {PgType::kUuid});

#define LISTING_JSON                                                                    \
  "json_build_object('id', l.id, 'item_def_id', l.item_def_id, 'item_slug', d.slug, "   \
  "'item_name', d.name, 'currency', l.currency, 'price', l.price, 'active', l.active, " \
  "'valid_from', " OPS_TS("l.valid_from") ", 'valid_until', " OPS_TS(                   \
      "l.valid_until") ", 'metadata', coalesce(l.metadata, '{}'))"

const db::Statement kListings(
    "ops_listings_list",
    "WITH g AS (SELECT l.*, d.slug, d.name FROM store_listings l JOIN item_defs d ON d.id = "
    "l.item_def_id WHERE ($5::text IS NULL OR d.slug ILIKE $5 OR d.name ILIKE $5) AND "
    "($6::boolean IS NULL OR l.active = $6)) "
    "SELECT (SELECT count(*) FROM g), (SELECT " OPS_AGG " FROM (SELECT json_build_object('id', "
    "id, 'item_def_id', item_def_id, 'item_slug', slug, 'item_name', name, 'currency', "
    "currency, 'price', price, 'active', active, 'valid_from', " OPS_TS("valid_from")
    ", 'valid_until', " OPS_TS("valid_until") ", 'metadata', coalesce(metadata, '{}')) AS j "
    "FROM g ORDER BY " OPS_ORD("slug", "slug") OPS_ORD("price", "price")
    "id LIMIT $1 OFFSET $2) s)",
    {PAGE_TYPES, PgType::kText, PgType::kBool});
const db::Statement kListing("ops_listings_get",
                             "SELECT " LISTING_JSON
                             "::text FROM store_listings l JOIN "
                             "item_defs d ON d.id = l.item_def_id WHERE l.id = $1",
                             {PgType::kUuid});

const db::Statement kChannels(
    "ops_chat_channels",
    // chat_channel_stats: one row per channel, kept by triggers on chat_messages (migration
    // 20260404120000); grouping the whole history per page load took ~1 s at 290,000 rows.
    "WITH g AS NOT MATERIALIZED (SELECT channel_id AS id, channel_type AS type, messages, "
    "last_message_at AS "
    "last_at FROM chat_channel_stats WHERE $5::text IS NULL OR channel_id ILIKE $5) "
    // Not materialized, so the default order walks chat_channel_stats_last_index; the page
    // is cut before its JSON is built (building it for every row, then sorting, cost 10x).
    "SELECT (SELECT count(*) FROM g), (SELECT " OPS_AGG
    " FROM (SELECT json_build_object('id', "
    "id, 'type', type, 'messages', messages, 'last_message_at', " OPS_TS(
        "last_at") ") AS j FROM (SELECT * FROM g ORDER BY " OPS_ORD("last_message_at", "last_at")
        OPS_ORD("id", "id") OPS_ORD("messages", "messages") "id LIMIT $1 OFFSET $2) p) s)",
    {PAGE_TYPES, PgType::kText});

const db::Statement kMessages(
    "ops_chat_messages",
    "WITH g AS (SELECT m.*, p.username FROM chat_messages m LEFT JOIN players p ON p.id = "
    "m.sender_id WHERE m.channel_id = $5 AND ($6::text IS NULL OR m.content ILIKE $6)) "
    "SELECT (SELECT count(*) FROM g), (SELECT " OPS_AGG
    " FROM (SELECT json_build_object('id', "
    "id, 'channel_id', channel_id, 'channel_type', channel_type, 'sender_id', sender_id, "
    "'sender_username', username, 'content', content, 'metadata', coalesce(metadata, '{}'), "
    "'sent_at', " OPS_TS("sent_at") ") AS j FROM g ORDER BY " OPS_ORD(
        "sent_at", "sent_at") "id DESC LIMIT $1 OFFSET $2) s)",
    {PAGE_TYPES, PgType::kText, PgType::kText});

#define TOURNAMENT_JSON \
  "json_build_object('id', t.id, 'name', t.name, 'leaderboard_id', t.leaderboard_id, "         \
  "'max_entries', t.max_entries, 'entry_fee', coalesce(t.entry_fee, '{}'), 'rewards', "        \
  "coalesce(t.rewards, '{}'), 'status', t.status, 'start_at', " OPS_TS("t.start_at")           \
  ", 'end_at', " OPS_TS("t.end_at") ", 'metadata', coalesce(t.metadata, '{}'), 'inserted_at', " \
  OPS_TS("t.inserted_at") ", 'participants', (SELECT count(*) FROM tournament_participants tp " \
  "WHERE tp.tournament_id = t.id))"

const db::Statement kTournaments(
    "ops_tournaments_list",
    "WITH g AS (SELECT * FROM tournaments WHERE ($5::text IS NULL OR name ILIKE $5) AND "
    "($6::text IS NULL OR status = $6)) "
    "SELECT (SELECT count(*) FROM g), (SELECT " OPS_AGG " FROM (SELECT " TOURNAMENT_JSON
    " AS j FROM g t ORDER BY " OPS_ORD("start_at", "t.start_at")
        OPS_ORD("inserted_at", "t.inserted_at")
            OPS_ORD("name", "t.name") "t.id LIMIT $1 OFFSET $2) s)",
    {PAGE_TYPES, PgType::kText, PgType::kText});
const db::Statement kTournament("ops_tournaments_get",
                                "SELECT " TOURNAMENT_JSON
                                "::text FROM tournaments t WHERE t.id = $1",
                                {PgType::kUuid});

const db::Statement kNotifications(
    "ops_notifications_list",
    "WITH g AS (SELECT * FROM notifications WHERE ($5::uuid IS NULL OR player_id = $5) AND "
    "($6::text IS NULL OR type = $6)) "
    "SELECT (SELECT count(*) FROM g), (SELECT " OPS_AGG
    " FROM (SELECT json_build_object('id', "
    "id, 'player_id', player_id, 'type', type, 'subject', subject, 'content', coalesce(content, "
    "'{}'), 'read', read, 'sent_at', " OPS_TS("sent_at") ") AS j FROM g ORDER BY " OPS_ORD(
        "sent_at", "sent_at") "id DESC LIMIT $1 OFFSET $2) s)",
    {PAGE_TYPES, PgType::kUuid, PgType::kText});

const db::Statement kAudit(
    "ops_audit_list",
    "WITH g AS (SELECT * FROM ops_audit_entries WHERE ($5::text IS NULL OR action = $5) AND "
    "($6::text IS NULL OR actor_id = $6) AND ($7::text IS NULL OR target_id = $7)) "
    "SELECT (SELECT count(*) FROM g), (SELECT " OPS_AGG
    " FROM (SELECT json_build_object('id', "
    "id, 'actor_id', actor_id, 'actor_display', actor_display, 'actor_source', "
    "actor_source, "
    "'actor_attested', actor_attested, 'action', action, 'target_type', target_type, "
    "'target_id', target_id, 'outcome', outcome, 'succeeded_count', succeeded_count, "
    "'failed_count', failed_count, 'details', coalesce(details, '{}'), "
    "'occurred_at', " OPS_TS("occurred_at") ") AS j FROM g ORDER BY " OPS_ORD(
        "occurred_at", "occurred_at") "id DESC LIMIT $1 OFFSET $2) s)",
    {PAGE_TYPES, PgType::kText, PgType::kText, PgType::kText});

Param OptParam(const std::string& query, std::string_view name) {
  std::optional<std::string> v = http::GetParam(query, name);
  return v && !v->empty() ? Param::Text(v->substr(0, 255)) : Param::Null();
}
Param QParam(const Page& p) { return p.q_pattern ? Param::Text(*p.q_pattern) : Param::Null(); }

bool QOnly(HttpCall&, const Page& p, db::Params* out) {
  out->push_back(QParam(p));
  return true;
}

// `:id` of a leaderboard or chat channel: 1-255 bytes (the column width).
bool NameParam(HttpCall& call, std::string_view code, db::Params* out) {
  std::string_view id = call.route.Param("id");
  if (id.empty() || id.size() > 255) {
    RespondError(call, code, "Invalid id.");
    return false;
  }
  out->push_back(Param::Text(id));
  return true;
}

}  // namespace

void RegisterDataReadRoutes(HttpApi& api) {
  api.Add("GET", "/ops/leaderboards",
          ListRoute(kLeaderboards, {"id", "entries", "updated_at"}, &QOnly));
  api.Add("GET", "/ops/leaderboards/:id/entries",
          ListRoute(
              kBoardEntries, {"rank", "updated_at"},
              [](HttpCall& c, const Page&, db::Params* out) {
                return NameParam(c, "ops.invalid_board_id", out);
              },
              "asc"));
  api.Add("GET", "/ops/economy/items", ListRoute(kItems, {"slug", "name", "inserted_at"}, &QOnly));
  api.Add("GET", "/ops/economy/items/:id", UuidLookupRoute(kItem));
  api.Add("GET", "/ops/economy/listings",
          ListRoute(kListings, {"slug", "price"}, [](HttpCall& c, const Page& p, db::Params* out) {
            out->push_back(QParam(p));
            std::optional<bool> active = http::BoolParam(c.request.query, "active");
            out->push_back(active ? Param::Bool(*active) : Param::Null());
            return true;
          }));
  api.Add("GET", "/ops/economy/listings/:id", UuidLookupRoute(kListing));
  api.Add("GET", "/ops/chat/channels",
          ListRoute(kChannels, {"last_message_at", "id", "messages"}, &QOnly));
  api.Add("GET", "/ops/chat/channels/:id/messages",
          ListRoute(kMessages, {"sent_at"}, [](HttpCall& c, const Page& p, db::Params* out) {
            if (!NameParam(c, "ops.invalid_id", out)) return false;
            out->push_back(QParam(p));
            return true;
          }));
  api.Add("GET", "/ops/tournaments",
          ListRoute(kTournaments, {"start_at", "inserted_at", "name"},
                    [](HttpCall& c, const Page& p, db::Params* out) {
                      out->push_back(QParam(p));
                      out->push_back(OptParam(c.request.query, "status"));
                      return true;
                    }));
  api.Add("GET", "/ops/tournaments/:id", UuidLookupRoute(kTournament));
  api.Add("GET", "/ops/notifications",
          ListRoute(kNotifications, {"sent_at"}, [](HttpCall& c, const Page&, db::Params* out) {
            std::optional<std::string> pid = http::GetParam(c.request.query, "player_id");
            if (pid && !pid->empty() && !IsCanonicalUuid(*pid)) {
              RespondError(c, "ops.invalid_filter", "player_id is not a UUID.");
              return false;
            }
            out->push_back(pid && !pid->empty() ? Param::Uuid(*pid) : Param::Null());
            out->push_back(OptParam(c.request.query, "type"));
            return true;
          }));
  api.Add("GET", "/ops/audit",
          ListRoute(kAudit, {"occurred_at"}, [](HttpCall& c, const Page&, db::Params* out) {
            out->push_back(OptParam(c.request.query, "action"));
            out->push_back(OptParam(c.request.query, "actor_id"));
            out->push_back(OptParam(c.request.query, "target_id"));
            return true;
          }));
}

}  // namespace asobi::ops
