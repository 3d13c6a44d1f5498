#include "game/ops/ops_export_sql.h"

#include "game/ops/ops_sql.h"

namespace asobi::ops {
namespace {
using db::PgType;
}  // namespace

// Every table that holds the player's data (the erase list of rest.md §3.2), each section in
// its own array, timestamps as RFC 3339 (DECISIONS.md REST 1). Secrets (password hash, token
// hashes, guest verifiers) are left out.
#define SECTION(name, json, from)                                                        \
  ", '" name "', (SELECT coalesce(json_agg(x.j), '[]') FROM (SELECT " json " AS j " from \
  " LIMIT $2) x)"
#define COUNT(from) "(SELECT count(*) " from ")"

#define F_IDENT "FROM player_identities WHERE player_id = $1"
#define F_WALLETS "FROM wallets WHERE player_id = $1"
#define F_TX "FROM transactions t JOIN wallets w ON w.id = t.wallet_id WHERE w.player_id = $1"
#define F_ITEMS "FROM player_items WHERE player_id = $1"
#define F_SAVES "FROM cloud_saves WHERE player_id = $1"
#define F_STORAGE "FROM storage WHERE player_id = $1"
#define F_NOTES "FROM notifications WHERE player_id = $1"
#define F_BOARDS "FROM leaderboard_entries WHERE player_id = $1"
#define F_CHAT "FROM chat_messages WHERE sender_id = $1"
#define F_FRIENDS "FROM friendships WHERE player_id = $1 OR friend_id = $1"
#define F_GROUPS "FROM group_members WHERE player_id = $1"
#define F_TOURN "FROM tournament_participants WHERE player_id = $1"
#define F_IAP "FROM iap_transactions WHERE player_id = $1"
#define F_MATCHES "FROM match_records WHERE players @> jsonb_build_array($1::text)"

const db::Statement kExportPlayer(
    "ops_player_export",
    "SELECT (SELECT json_build_object('player', json_build_object('id', p.id, 'username', "
    "p.username, 'display_name', p.display_name, 'avatar_url', p.avatar_url, 'metadata', "
    "coalesce(p.metadata, '{}'), 'banned_at', " OPS_TS("p.banned_at") ", 'inserted_at', " OPS_TS(
        "p.inserted_at") ", 'updated_at', " OPS_TS("p.updated_at")
    "), 'stats', (SELECT json_build_object('games_played', games_played, 'wins', wins, "
    "'losses', losses, 'rating', rating, 'rating_deviation', rating_deviation, 'metadata', "
    "coalesce(metadata, '{}')) FROM player_stats WHERE player_id = p.id)" SECTION(
        "identities",
        "json_build_object('provider', provider, 'provider_uid', provider_uid, 'email', "
        "provider_email, 'display_name', provider_display_name, 'inserted_at', " OPS_TS(
            "inserted_at") ")",
        F_IDENT " ORDER BY inserted_at")
        SECTION("wallets",
                "json_build_object('currency', currency, 'balance', balance, 'inserted_at', " OPS_TS(
                    "inserted_at") ")",
                F_WALLETS " ORDER BY currency")
            SECTION("transactions",
                    "json_build_object('id', t.id, 'currency', w.currency, 'amount', t.amount, "
                    "'balance_after', t.balance_after, 'reason', t.reason, 'reference_type', "
                    "t.reference_type, 'reference_id', t.reference_id, 'metadata', "
                    "coalesce(t.metadata, '{}'), 'inserted_at', " OPS_TS("t.inserted_at") ")",
                    F_TX " ORDER BY t.inserted_at, t.id")
                SECTION("items",
                        "json_build_object('id', id, 'item_def_id', item_def_id, 'quantity', "
                        "quantity, 'metadata', coalesce(metadata, '{}'), 'acquired_at', " OPS_TS(
                            "acquired_at") ")",
                        F_ITEMS " ORDER BY acquired_at, id")
                    SECTION("saves",
                            "json_build_object('slot', slot, 'version', version, 'data', data, "
                            "'updated_at', " OPS_TS("updated_at") ")",
                            F_SAVES " ORDER BY slot")
                        SECTION("storage",
                                "json_build_object('collection', collection, 'key', key, "
                                "'value', value, 'version', version, 'updated_at', " OPS_TS(
                                    "updated_at") ")",
                                F_STORAGE " ORDER BY collection, key")
                            SECTION("notifications",
                                    "json_build_object('id', id, 'type', type, 'subject', "
                                    "subject, 'content', content, 'read', read, 'sent_at', " OPS_TS(
                                        "sent_at") ")",
                                    F_NOTES " ORDER BY sent_at, id")
                                SECTION("leaderboard_entries",
                                        "json_build_object('leaderboard_id', leaderboard_id, "
                                        "'score', score, 'sub_score', sub_score, 'updated_at', " OPS_TS(
                                            "updated_at") ")",
                                        F_BOARDS " ORDER BY leaderboard_id")
                                    SECTION("chat_messages",
                                            "json_build_object('id', id, 'channel_id', "
                                            "channel_id, 'content', content, 'sent_at', " OPS_TS(
                                                "sent_at") ")",
                                            F_CHAT " ORDER BY sent_at, id")
                                        SECTION("friendships",
                                                "json_build_object('player_id', player_id, "
                                                "'friend_id', friend_id, 'status', status)",
                                                F_FRIENDS " ORDER BY inserted_at")
                                            SECTION("groups",
                                                    "json_build_object('group_id', group_id, "
                                                    "'role', role, 'joined_at', " OPS_TS(
                                                        "joined_at") ")",
                                                    F_GROUPS " ORDER BY joined_at")
                                                SECTION("tournaments",
                                                        "json_build_object('tournament_id', "
                                                        "tournament_id, 'joined_at', " OPS_TS(
                                                            "joined_at") ")",
                                                        F_TOURN " ORDER BY joined_at")
                                                    SECTION("iap_transactions",
                                                            "json_build_object('provider', "
                                                            "provider, 'transaction_id', "
                                                            "transaction_id, 'product_id', "
                                                            "product_id, 'inserted_at', " OPS_TS(
                                                                "inserted_at") ")",
                                                            F_IAP " ORDER BY inserted_at")
                                                        SECTION("matches",
                                                                "json_build_object('id', id, "
                                                                "'mode', mode, 'status', status, "
                                                                "'inserted_at', " OPS_TS(
                                                                    "inserted_at") ")",
                                                                F_MATCHES
                                                                " ORDER BY inserted_at") ")::text "
    "FROM players p WHERE p.id = $1), GREATEST(" COUNT(F_TX) ", " COUNT(F_ITEMS) ", " COUNT(
        F_STORAGE) ", " COUNT(F_NOTES) ", " COUNT(F_CHAT) ", " COUNT(F_FRIENDS) ", " COUNT(F_BOARDS)
    ", " COUNT(F_MATCHES) ", " COUNT(F_SAVES) ", " COUNT(F_GROUPS) ", " COUNT(F_TOURN) ", " COUNT(
        F_IAP) ")",
    {PgType::kUuid, PgType::kInt4});

}  // namespace asobi::ops
