#include "game/auth/player_erasure.h"

#include "base/uuid.h"
#include "game/auth/erasure_hooks.h"
#include "game/auth/password.h"

namespace asobi {
namespace {

using db::Param;
using db::PgType;

const db::Statement kEraseHash("erase_hash", "SELECT hashed_password FROM players WHERE id = $1",
                               {PgType::kUuid});

// Every table that references players today; later domains add theirs here (one place).
// Data-modifying CTEs share one snapshot and NO ACTION foreign keys are checked at the end
// of the statement, so children and parent go in one atomic statement.
const db::Statement kErase(
    "erase_player",
    "WITH target AS (SELECT id FROM players WHERE id = $1 AND hashed_password IS NOT DISTINCT "
    "FROM $2 FOR UPDATE), "
    "d_tokens AS (DELETE FROM player_tokens WHERE user_id IN (SELECT id FROM target)), "
    "d_ident AS (DELETE FROM player_identities WHERE player_id IN (SELECT id FROM target)), "
    "d_stats AS (DELETE FROM player_stats WHERE player_id IN (SELECT id FROM target)), "
    // Social (rest.md §3.2 erase list): friendships on either side, memberships, chat and
    // notifications; groups the player created stay, without a creator.
    "d_friends AS (DELETE FROM friendships WHERE player_id IN (SELECT id FROM target) OR "
    "friend_id IN (SELECT id FROM target)), "
    "d_members AS (DELETE FROM group_members WHERE player_id IN (SELECT id FROM target)), "
    "u_groups AS (UPDATE groups SET creator_id = NULL WHERE creator_id IN (SELECT id FROM "
    "target)), "
    "d_chat AS (DELETE FROM chat_messages WHERE sender_id IN (SELECT id FROM target)), "
    "d_notes AS (DELETE FROM notifications WHERE player_id IN (SELECT id FROM target)), "
    // Economy (rest.md §3.2 erase list): IAP claims stay, without their player (a receipt
    // cannot be claimed again by a new account); the ledger goes with the wallets.
    "u_iap AS (UPDATE iap_transactions SET player_id = NULL WHERE player_id IN (SELECT id FROM "
    "target)), "
    "d_ledger AS (DELETE FROM transactions WHERE wallet_id IN (SELECT w.id FROM wallets w WHERE "
    "w.player_id IN (SELECT id FROM target))), "
    "d_wallets AS (DELETE FROM wallets WHERE player_id IN (SELECT id FROM target)), "
    "d_items AS (DELETE FROM player_items WHERE player_id IN (SELECT id FROM target)), "
    // Leaderboards: stored entries go; live boards drop the player through the erasure hook
    // (LeaderboardService::RemovePlayer on every shard).
    "d_boards AS (DELETE FROM leaderboard_entries WHERE player_id IN (SELECT id FROM target)), "
    "d_tourn AS (DELETE FROM tournament_participants WHERE player_id IN (SELECT id FROM "
    "target)), "
    "d_saves AS (DELETE FROM cloud_saves WHERE player_id IN (SELECT id FROM target)), "
    "d_storage AS (DELETE FROM storage WHERE player_id IN (SELECT id FROM target)), "
    // Seasons: archived standings go (the other ranks stay as they were archived).
    "d_season AS (DELETE FROM season_standings WHERE player_id IN (SELECT id FROM target)), "
    "audit AS (INSERT INTO ops_audit_entries (id, actor_id, actor_display, actor_source, action, "
    "target_type, target_id, outcome, succeeded_count, occurred_at) SELECT $3, "
    "coalesce($4, id::text), coalesce($5, id::text), $6, 'players.erase', 'player', id::text, "
    "'ok', 1, now() FROM target), "
    "d_player AS (DELETE FROM players WHERE id IN (SELECT id FROM target) RETURNING id) "
    "SELECT count(*) FROM d_player",
    {PgType::kUuid, PgType::kText, PgType::kUuid, PgType::kVarchar, PgType::kVarchar,
     PgType::kVarchar});

Status Fail(std::string reason) { return MakeError(std::move(reason)); }

}  // namespace

void EraseRows(AccountService& accounts, db::PgConnection& db, const std::string& player_id,
               const std::optional<std::string>& hash, const ErasureActor& actor,
               std::function<void(db::DbResult<bool>)> done) {
  auto opt = [](const std::string& v) { return v.empty() ? Param::Null() : Param::Text(v); };
  db.Execute(
      kErase,
      {Param::Uuid(player_id), hash ? Param::Text(*hash) : Param::Null(), Param::Uuid(NewUuidV7()),
       opt(actor.id), opt(actor.display), Param::Text(actor.source)},
      [&accounts, player_id, done = std::move(done)](auto e) {
        if (!e.ok()) return done(e.error());
        if (e->GetInt64(0, 0).value_or(0) != 1) return done(false);
        accounts.EvictPlayerEverywhere(player_id);
        accounts.RevokeSessionsEverywhere(player_id);
        RunPlayerErasedHooks(player_id);
        done(true);
      });
}

void ErasePlayer(AccountService& accounts, db::PgConnection& db, std::string player_id,
                 std::optional<std::string> password, std::function<void(Status)> done,
                 WorkerPool::CancelFlag gone) {
  db.Execute(kEraseHash, {Param::Uuid(player_id)},
             [&accounts, &db, player_id, password, done = std::move(done),
              gone = std::move(gone)](auto r) mutable {
               if (!r.ok()) return done(Fail(DbReason(r.error())));
               if (r->rows() == 0) return done(Fail("unauthenticated"));
               std::optional<std::string> hash;
               if (!r->IsNull(0, 0)) hash = std::string(r->GetString(0, 0));
               // Runs the erasure, or reports `refusal` when the password check said no.
               auto erase = [&accounts, &db, player_id, hash,
                             done = std::move(done)](std::string_view refusal) mutable {
                 if (!refusal.empty()) return done(Fail(std::string(refusal)));
                 EraseRows(
                     accounts, db, player_id, hash, ErasureActor{},
                     [hash, done = std::move(done)](db::DbResult<bool> e) {
                       if (!e.ok()) return done(Fail(DbReason(e.error())));
                       if (!e.value()) {
                         return done(Fail(hash ? "player.credentials_changed" : "unauthenticated"));
                       }
                       done(Ok{});
                     });
               };
               if (!hash) return erase("");
               if (!password) return erase("missing_field");
               auto shared_erase = std::make_shared<decltype(erase)>(std::move(erase));
               bool queued = accounts.workers().Run<PasswordCheck>(
                   accounts.shard(), [h = *hash, p = *password] { return VerifyPassword(h, p); },
                   [shared_erase](PasswordCheck c) {
                     bool ok = c == PasswordCheck::kMatch || c == PasswordCheck::kMatchNeedsRehash;
                     (*shared_erase)(ok ? "" : "player.confirmation_failed");
                   },
                   [shared_erase] { (*shared_erase)("not_ready"); }, std::move(gone));
               if (!queued) (*shared_erase)("not_ready");
             });
}

}  // namespace asobi
