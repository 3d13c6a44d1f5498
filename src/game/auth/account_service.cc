#include "game/auth/account_service.h"

#include "base/clock.h"
#include "base/log.h"
#include "base/uuid.h"
#include "game/auth/auth_statements.h"
#include "game/auth/new_account.h"
#include "game/auth/password.h"
#include "game/auth/tokens.h"

namespace asobi {
namespace {

using db::Param;
using db::PgType;
using db::Statement;

constexpr PgType kT = PgType::kText;
constexpr PgType kU = PgType::kUuid;

#define ASOBI_TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

}  // namespace

const db::Statement kInsertPlayer(
    "acct_insert_player",
    "INSERT INTO players (id, username, display_name, hashed_password, metadata, inserted_at, "
    "updated_at) VALUES ($1, $2, $3, $4, '{}'::jsonb, now(), now())",
    {db::PgType::kUuid, db::PgType::kText, db::PgType::kText, db::PgType::kText});
const db::Statement kInsertStats(
    "acct_insert_stats", "INSERT INTO player_stats (player_id, updated_at) VALUES ($1, now())",
    {db::PgType::kUuid});
const db::Statement kInsertToken(
    "acct_insert_token",
    "INSERT INTO player_tokens (id, user_id, token, context, family_id, inserted_at) "
    "VALUES ($1, $2, $3, $4, $5, now())",
    {db::PgType::kUuid, db::PgType::kUuid, db::PgType::kText, db::PgType::kText,
     db::PgType::kText});

namespace {

const Statement kLoginLookup("acct_login_lookup",
                             "SELECT id::text, hashed_password FROM players WHERE username = $1",
                             {kT});
const Statement kSetHash(
    "acct_set_hash", "UPDATE players SET hashed_password = $2, updated_at = now() WHERE id = $1",
    {kU, kT});
const Statement kResolveAccess(
    "acct_resolve_access",
    "SELECT t.user_id::text, (extract(epoch FROM (now() - t.inserted_at)) * 1000)::bigint, "
    "p.banned_at IS NOT NULL FROM player_tokens t JOIN players p ON p.id = t.user_id "
    "WHERE t.token = $1 AND t.context = 'access'",
    {kT});
const Statement kUseRefresh(
    "acct_use_refresh",
    "UPDATE player_tokens SET used_at = now() WHERE token = $1 AND context = 'refresh' "
    "AND used_at IS NULL AND inserted_at > now() - interval '30 days' "
    "RETURNING user_id::text, family_id",
    {kT});
const Statement kRefreshState(
    "acct_refresh_state",
    "SELECT family_id, used_at IS NOT NULL FROM player_tokens WHERE token = $1 "
    "AND context = 'refresh'",
    {kT});
// Burning a family returns its rows so that its access tokens can be evicted and their
// sockets revoked (docs/decisions.md "Revocation").
const Statement kDeleteFamily(
    "acct_delete_family",
    "DELETE FROM player_tokens WHERE family_id = $1 RETURNING user_id::text, token, context", {kT});
const Statement kDeleteRefresh("acct_delete_refresh",
                               "DELETE FROM player_tokens WHERE token = $1 AND context = 'refresh'",
                               {kT});
const Statement kDeleteFamilyOf(
    "acct_delete_family_of",
    "DELETE FROM player_tokens WHERE family_id = (SELECT family_id FROM player_tokens "
    "WHERE token = $1 AND context = 'refresh') RETURNING user_id::text, token, context",
    {kT});
const Statement kDeleteAccess("acct_delete_access",
                              "DELETE FROM player_tokens WHERE token = $1 AND context = 'access'",
                              {kT});
const Statement kGetPlayer("acct_get_player",
                           "SELECT jsonb_build_object('id', id, 'username', username, "
                           "'display_name', display_name, "
                           "'avatar_url', avatar_url, 'metadata', metadata, "
                           "'inserted_at', " ASOBI_TS("inserted_at") ", 'updated_at', " ASOBI_TS(
                               "updated_at") ")::text FROM players WHERE id = $1",
                           {kU});
const Statement kUpdatePlayer(
    "acct_update_player",
    "UPDATE players SET display_name = CASE WHEN $2 THEN $3 ELSE display_name END, "
    "avatar_url = CASE WHEN $4 THEN $5 ELSE avatar_url END, "
    "metadata = CASE WHEN $6 THEN $7::jsonb ELSE metadata END, updated_at = now() "
    "WHERE id = $1 RETURNING jsonb_build_object('id', id, 'username', username, "
    "'display_name', display_name, 'avatar_url', avatar_url, 'metadata', metadata, "
    "'inserted_at', " ASOBI_TS("inserted_at") ", 'updated_at', " ASOBI_TS("updated_at") ")::text",
    {kU, PgType::kBool, kT, PgType::kBool, kT, PgType::kBool, kT});

Error Fail(std::string reason) { return MakeError(std::move(reason)); }

}  // namespace

void AccountService::IssueTokensFor(std::string player_id, std::string username, TokensCb done) {
  IssueTokens(std::move(player_id), std::move(username), NewFamilyId(), std::move(done));
}

void AccountService::EvictPlayerEverywhere(const std::string& player_id) {
  EvictPlayerOnNode(player_id);
  if (cluster_publisher_) cluster_publisher_(ClusterEvent::kEvictPlayer, player_id, {});
}

void AccountService::EvictPlayerOnNode(const std::string& player_id) {
  cache_.ErasePlayer(player_id);
  ShardSet& set = shard_.set();
  for (int i = 0; i < set.size(); ++i) {
    if (i == shard_.id()) continue;
    shard_.SubmitReplyTo(i, [p = player_id] {
      if (AccountService* s = OnThisShard()) s->cache_.ErasePlayer(p);
    });
  }
}

void AccountService::RevokeSessionsEverywhere(const std::string& player_id) {
  RevokeSessionsOnNode(player_id);
  if (cluster_publisher_) cluster_publisher_(ClusterEvent::kRevokeSessions, player_id, {});
}

void AccountService::RevokeSessionsOnNode(const std::string& player_id) {
  if (revoke_hook_) revoke_hook_(player_id);
  ShardSet& set = shard_.set();
  for (int i = 0; i < set.size(); ++i) {
    if (i == shard_.id()) continue;
    shard_.SubmitReplyTo(i, [p = player_id] {
      AccountService* s = OnThisShard();
      if (s && s->revoke_hook_) s->revoke_hook_(p);
    });
  }
}

void AccountService::BurnAccessTokensEverywhere(std::vector<std::string> token_hashes) {
  if (token_hashes.empty()) return;
  if (cluster_publisher_) cluster_publisher_(ClusterEvent::kBurnTokens, {}, token_hashes);
  BurnAccessTokensOnNode(std::move(token_hashes));
}

void AccountService::BurnAccessTokensOnNode(std::vector<std::string> token_hashes) {
  if (token_hashes.empty()) return;
  BurnLocal(token_hashes);
  ShardSet& set = shard_.set();
  for (int i = 0; i < set.size(); ++i) {
    if (i == shard_.id()) continue;
    shard_.SubmitReplyTo(i, [h = token_hashes] {
      if (AccountService* s = OnThisShard()) s->BurnLocal(h);
    });
  }
}

void AccountService::BurnLocal(const std::vector<std::string>& token_hashes) {
  for (const std::string& h : token_hashes) {
    cache_.EraseToken(h);
    for (const ClientRef& ref : sockets_.Find(h)) {
      sockets_.Forget(ref);
      if (socket_revoker_) socket_revoker_(ref);
    }
  }
}

void AccountService::BurnDeletedRows(const db::PgResult& deleted) {
  std::vector<std::string> access;
  for (int i = 0; i < deleted.rows(); ++i) {
    if (deleted.GetString(i, 2) == "access") access.emplace_back(deleted.GetString(i, 1));
  }
  BurnAccessTokensEverywhere(std::move(access));
}

std::string DbReason(const db::PgError& e) {
  if (e.reason == db::kDbUnavailable || e.reason == db::kDbOverloaded ||
      e.reason == db::kDbTimeout) {
    return "not_ready";
  }
  return "internal";
}

namespace {
thread_local AccountService* t_accounts = nullptr;
}

AccountService::AccountService(Shard& shard, db::PgConnection& db, WorkerPool& workers)
    : shard_(shard), db_(db), workers_(workers) {
  t_accounts = this;
}

AccountService::~AccountService() {
  if (t_accounts == this) t_accounts = nullptr;
}

AccountService* AccountService::OnThisShard() { return t_accounts; }

void AccountService::Register(std::string username, std::string password, std::string display_name,
                              TokensCb done, WorkerPool::CancelFlag gone) {
  auto shared_done = std::make_shared<TokensCb>(std::move(done));
  bool queued = workers_.Run<std::optional<std::string>>(
      shard_, [pw = std::move(password)] { return HashPassword(pw); },
      [this, username = std::move(username), display_name = std::move(display_name),
       shared_done](std::optional<std::string> hash) mutable {
        TokensCb done = std::move(*shared_done);
        if (!hash) return done(Fail("internal"));
        std::vector<db::StatementCall> calls;
        IssuedTokens t =
            AppendNewAccount(&calls, NewUuidV7(), username, display_name, Param::Text(*hash));
        db_.ExecuteTransaction(std::move(calls),
                               [t = std::move(t), done = std::move(done)](auto r) mutable {
                                 if (!r.ok()) {
                                   if (r.error().IsUniqueViolation()) {
                                     return done(Fail("auth.username_taken"));
                                   }
                                   return done(Fail(DbReason(r.error())));
                                 }
                                 done(std::move(t));
                               });
      },
      // Waited too long for a worker, or the client went away: answer without hashing.
      [shared_done] { (*shared_done)(Fail("not_ready")); }, std::move(gone));
  if (!queued) (*shared_done)(Fail("not_ready"));
}

void AccountService::IssueTokens(std::string player_id, std::string username, std::string family_id,
                                 TokensCb done) {
  std::vector<db::StatementCall> calls;
  IssuedTokens t = AppendTokenPair(&calls, player_id, username, family_id);
  db_.ExecuteTransaction(std::move(calls),
                         [t = std::move(t), done = std::move(done)](auto r) mutable {
                           if (!r.ok()) return done(Fail(DbReason(r.error())));
                           done(std::move(t));
                         });
}

void AccountService::Login(std::string username, std::string password, TokensCb done,
                           WorkerPool::CancelFlag gone) {
  db_.Execute(
      kLoginLookup, {Param::Text(username)},
      [this, username, password = std::move(password), done = std::move(done),
       gone = std::move(gone)](db::DbResult<db::PgResult> r) mutable {
        if (!r.ok()) return done(Fail(DbReason(r.error())));
        std::string id, stored;
        if (r->rows() == 1 && !r->IsNull(0, 1)) {
          id = std::string(r->GetString(0, 0));
          stored = std::string(r->GetString(0, 1));
        }
        struct Outcome {
          PasswordCheck check;
          std::optional<std::string> rehash;
        };
        auto shared_done = std::make_shared<TokensCb>(std::move(done));
        bool queued = workers_.Run<Outcome>(
            shard_,
            [stored, password]() {
              if (stored.empty()) {
                DummyVerify(password);
                return Outcome{PasswordCheck::kMismatch, std::nullopt};
              }
              Outcome o{VerifyPassword(stored, password), std::nullopt};
              if (o.check == PasswordCheck::kMatchNeedsRehash) o.rehash = HashPassword(password);
              return o;
            },
            [this, id, username, shared_done](Outcome o) mutable {
              TokensCb done = std::move(*shared_done);
              if (o.check != PasswordCheck::kMatch && o.check != PasswordCheck::kMatchNeedsRehash) {
                return done(Fail("auth.invalid_credentials"));
              }
              if (o.rehash) {
                db_.Execute(kSetHash, {Param::Uuid(id), Param::Text(*o.rehash)},
                            [](db::DbResult<db::PgResult> r2) {
                              if (!r2.ok()) {
                                LOG_WARN("password rehash failed").KV("error", r2.error().message);
                              }
                            });
              }
              IssueTokens(id, username, NewFamilyId(), std::move(done));
            },
            [shared_done] { (*shared_done)(Fail("not_ready")); }, std::move(gone));
        if (!queued) (*shared_done)(Fail("not_ready"));
      });
}

void AccountService::Refresh(std::string refresh_token, PairCb done) {
  std::optional<std::string> hash = TokenStorageHash(refresh_token);
  if (!hash) return done(Fail("unauthenticated"));
  db_.Execute(kUseRefresh, {Param::Text(*hash)},
              [this, h = *hash, done = std::move(done)](db::DbResult<db::PgResult> r) mutable {
                if (!r.ok()) return done(Fail(DbReason(r.error())));
                if (r->rows() == 1) {
                  std::string player(r->GetString(0, 0)), family(r->GetString(0, 1));
                  return IssueTokens(player, "", family, [done = std::move(done)](auto t) {
                    if (t.ok()) {
                      t.value().player_id.clear();
                    }
                    done(std::move(t));
                  });
                }
                // Not usable: reuse (burn the family), expiry (delete it) or unknown.
                db_.Execute(kRefreshState, {Param::Text(h)},
                            [this, h, done = std::move(done)](db::DbResult<db::PgResult> s) {
                              if (s.ok() && s->rows() == 1) {
                                bool used = s->GetBool(0, 1).value_or(false);
                                if (used) {
                                  // Answer only once the family is gone: a client that gets
                                  // the 401 and tries the newer token must find it dead.
                                  std::string family(s->GetString(0, 0));
                                  LOG_WARN("refresh token reuse: family revoked");
                                  db_.Execute(kDeleteFamily, {Param::Text(family)},
                                              [this, done](db::DbResult<db::PgResult> d) {
                                                if (d.ok()) BurnDeletedRows(d.value());
                                                done(Fail(d.ok() ? "unauthenticated"
                                                                 : DbReason(d.error())));
                                              });
                                  return;
                                } else {
                                  db_.Execute(kDeleteRefresh, {Param::Text(h)}, [](auto) {});
                                }
                              }
                              done(Fail(s.ok() ? "unauthenticated" : DbReason(s.error())));
                            });
              });
}

void AccountService::Logout(std::optional<std::string> refresh_token,
                            std::optional<std::string> access_token, std::function<void()> done) {
  int pending = 0;
  auto remaining = std::make_shared<int>(0);
  auto finish = [remaining, done = std::move(done)]() {
    if (--*remaining == 0) done();
  };
  std::optional<std::string> rh = refresh_token ? TokenStorageHash(*refresh_token) : std::nullopt;
  std::optional<std::string> ah = access_token ? TokenStorageHash(*access_token) : std::nullopt;
  pending = (rh ? 1 : 0) + (ah ? 1 : 0);
  *remaining = pending + 1;
  if (rh) {
    db_.Execute(kDeleteFamilyOf, {Param::Text(*rh)},
                [this, finish](db::DbResult<db::PgResult> r) mutable {
                  if (r.ok()) BurnDeletedRows(r.value());
                  finish();
                });
  }
  if (ah) {
    // Evicted once the row is gone: a lookup that raced the delete cannot re-cache it (the
    // eviction bumps the cache epoch), and one that starts later finds no row.
    db_.Execute(kDeleteAccess, {Param::Text(*ah)}, [this, h = *ah, finish](auto) mutable {
      BurnAccessTokensEverywhere({h});
      finish();
    });
  }
  finish();
}

void AccountService::ResolveAccess(std::string_view access_token, PlayerCb done) {
  std::optional<std::string> hash = TokenStorageHash(access_token);
  if (!hash) return done(Fail("unauthenticated"));
  int64_t now = UnixMs();
  if (auto hit = cache_.Find(*hash, now)) {
    if (hit->player_id.empty()) return done(Fail("unauthenticated"));
    return done(hit->player_id);
  }
  uint64_t epoch = cache_.epoch();
  db_.Execute(kResolveAccess, {Param::Text(*hash)},
              [this, h = *hash, epoch, done = std::move(done)](db::DbResult<db::PgResult> r) {
                if (!r.ok()) return done(Fail(DbReason(r.error())));
                int64_t now2 = UnixMs();
                if (r->rows() != 1) {
                  cache_.Put(h, "", 0, epoch, now2);
                  return done(Fail("unauthenticated"));
                }
                int64_t age_ms = r->GetInt64(0, 1).value_or(kAccessTtlMs);
                bool banned = r->GetBool(0, 2).value_or(true);
                if (banned || age_ms >= kAccessTtlMs) {
                  cache_.Put(h, "", 0, epoch, now2);
                  return done(Fail("unauthenticated"));
                }
                std::string player(r->GetString(0, 0));
                cache_.Put(h, player, now2 + (kAccessTtlMs - age_ms), epoch, now2);
                done(player);
              });
}

void AccountService::GetPlayer(const std::string& player_id, JsonCb done) {
  if (!IsCanonicalUuid(player_id)) return done(Fail("player.not_found"));
  db_.Execute(kGetPlayer, {Param::Uuid(player_id)},
              [done = std::move(done)](db::DbResult<db::PgResult> r) {
                if (!r.ok()) return done(Fail(DbReason(r.error())));
                if (r->rows() != 1) return done(Fail("player.not_found"));
                done(PlayerJson{std::string(r->GetString(0, 0))});
              });
}

void AccountService::UpdatePlayer(const std::string& player_id,
                                  std::optional<std::string> display_name,
                                  std::optional<std::optional<std::string>> avatar_url,
                                  std::optional<std::string> metadata_json, JsonCb done) {
  db::Params p{Param::Uuid(player_id),
               Param::Bool(display_name.has_value()),
               display_name ? Param::Text(*display_name) : Param::Null(),
               Param::Bool(avatar_url.has_value()),
               avatar_url && *avatar_url ? Param::Text(**avatar_url) : Param::Null(),
               Param::Bool(metadata_json.has_value()),
               metadata_json ? Param::Text(*metadata_json) : Param::Null()};
  db_.Execute(kUpdatePlayer, std::move(p), [done = std::move(done)](db::DbResult<db::PgResult> r) {
    if (!r.ok()) return done(Fail(DbReason(r.error())));
    if (r->rows() != 1) return done(Fail("player.not_found"));
    done(PlayerJson{std::string(r->GetString(0, 0))});
  });
}

}  // namespace asobi
