#include "game/oauth/oauth_service.h"

#include <sodium.h>

#include "base/clock.h"
#include "base/uuid.h"
#include "game/auth/auth_statements.h"
#include "game/auth/new_account.h"
#include "game/auth/tokens.h"

namespace asobi::oauth {
namespace {

using db::Param;
using db::PgType;
using db::Statement;

const Statement kIdentityLookup(
    "oauth_identity_lookup",
    "SELECT i.player_id::text, p.username FROM player_identities i JOIN players p ON "
    "p.id = i.player_id WHERE i.provider = $1 AND i.provider_uid = $2",
    {PgType::kText, PgType::kText});
const Statement kInsertIdentity(
    "oauth_insert_identity",
    "INSERT INTO player_identities (id, player_id, provider, provider_uid, provider_email, "
    "provider_display_name, provider_metadata, inserted_at, updated_at) VALUES ($1, $2, $3, $4, "
    "nullif($5, ''), nullif($6, ''), '{}'::jsonb, now(), now())",
    {PgType::kUuid, PgType::kUuid, PgType::kText, PgType::kText, PgType::kText, PgType::kText});
// Rows of this provider that matter to a link: the identity itself (any owner) and the
// player's own identity with this provider.
const Statement kLinkState(
    "oauth_link_state",
    "SELECT player_id::text, provider_uid FROM player_identities WHERE provider = $1 AND "
    "(provider_uid = $2 OR player_id = $3)",
    {PgType::kText, PgType::kText, PgType::kUuid});
// Locks the player row (two unlinks of one player run one after the other), then what an
// unlink needs: has a password, identities of this provider, identities of others.
const Statement kUnlinkState(
    "oauth_unlink_state",
    "SELECT p.hashed_password IS NOT NULL, (SELECT count(*) FROM player_identities i WHERE "
    "i.player_id = p.id AND i.provider = $2), (SELECT count(*) FROM player_identities i WHERE "
    "i.player_id = p.id AND i.provider <> $2) FROM players p WHERE p.id = $1 FOR UPDATE",
    {PgType::kUuid, PgType::kText});
const Statement kUnlinkDelete(
    "oauth_unlink_delete",
    "DELETE FROM player_identities i USING players p WHERE p.id = $1 AND i.player_id = p.id "
    "AND i.provider = $2 AND (p.hashed_password IS NOT NULL OR EXISTS (SELECT 1 FROM "
    "player_identities o WHERE o.player_id = p.id AND o.provider <> $2))",
    {PgType::kUuid, PgType::kText});

Error Fail(std::string reason, std::string message = {}) {
  return MakeError(std::move(reason), std::move(message));
}

Error NotReady() { return Fail("not_ready", "sign-in verification is busy"); }

// `<provider>_<first 8 chars of uid>_<8 hex>` (rest.md §2.8); uid characters outside the
// username alphabet become '_'.
std::string NewUsername(const std::string& provider, const std::string& uid) {
  std::string head = uid.substr(0, 8);
  for (char& ch : head) {
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '-';
    if (!ok) ch = '_';
  }
  unsigned char rnd[4];
  randombytes_buf(rnd, sizeof rnd);
  char hex[9];
  sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
  return provider + "_" + head + "_" + hex;
}

thread_local OauthService* t_service = nullptr;

}  // namespace

OauthService::OauthService(Shard& shard, db::PgConnection& db, AccountService& accounts,
                           const AuthPosture* posture, std::shared_ptr<OauthProviders> providers)
    : shard_(shard),
      db_(db),
      accounts_(accounts),
      posture_(posture),
      providers_(std::move(providers)) {
  t_service = this;
}

OauthService::~OauthService() {
  if (t_service == this) t_service = nullptr;
}

OauthService* OauthService::OnThisShard() { return t_service; }

bool OauthService::Supports(const std::string& provider) const {
  return providers_->verifiers.count(provider) != 0;
}

void OauthService::VerifyOnPool(const std::string& provider, std::string token,
                                WorkerPool::CancelFlag gone,
                                std::function<void(Result<IdClaims>)> done) {
  auto shared_done = std::make_shared<std::function<void(Result<IdClaims>)>>(std::move(done));
  auto it = providers_->verifiers.find(provider);
  if (it == providers_->verifiers.end()) {
    shard_.reactor().Post([shared_done] { (*shared_done)(Fail("auth.unsupported_provider")); });
    return;
  }
  IdentityVerifier* p = it->second.get();
  OauthProviders::Counters* counters = providers_->counters.at(provider).get();
  std::atomic<uint64_t>* busy = &providers_->busy;
  bool queued = providers_->workers->Run<Result<IdClaims>>(
      shard_,
      [p, counters, token = std::move(token)] {
        Result<IdClaims> r = p->Verify(token, UnixMs());
        (r.ok() ? counters->accepted : counters->rejected).fetch_add(1, std::memory_order_relaxed);
        return r;
      },
      [shared_done](Result<IdClaims> r) { (*shared_done)(std::move(r)); },
      [shared_done, busy] {
        busy->fetch_add(1, std::memory_order_relaxed);
        (*shared_done)(NotReady());
      },
      std::move(gone));
  if (!queued) {
    busy->fetch_add(1, std::memory_order_relaxed);
    shard_.reactor().Post([shared_done] { (*shared_done)(NotReady()); });
  }
}

void OauthService::SignIn(std::string provider, std::string token, WorkerPool::CancelFlag gone,
                          std::function<void(Result<OauthSignIn>)> done) {
  VerifyOnPool(provider, std::move(token), std::move(gone),
               [this, provider, done = std::move(done)](Result<IdClaims> r) mutable {
                 if (!r.ok()) return done(r.error());
                 Resume(provider, std::move(r.value()), std::move(done));
               });
}

void OauthService::Resume(std::string provider, IdClaims claims,
                          std::function<void(Result<OauthSignIn>)> done) {
  db_.Execute(kIdentityLookup, {Param::Text(provider), Param::Text(claims.sub)},
              [this, provider, claims, done = std::move(done)](auto r) mutable {
                if (!r.ok()) return done(Fail(DbReason(r.error())));
                if (r->rows() == 0) return Create(provider, claims, std::move(done), 0);
                std::string player(r->GetString(0, 0)), username(r->GetString(0, 1));
                accounts_.IssueTokensFor(player, username, [done = std::move(done)](auto t) {
                  if (!t.ok()) return done(t.error());
                  done(OauthSignIn{std::move(t.value()), false});
                });
              });
}

void OauthService::Create(std::string provider, IdClaims claims,
                          std::function<void(Result<OauthSignIn>)> done, int attempt) {
  // rest.md §2.6: `closed` refuses every first-time create; `oauth_only` allows this one.
  if (posture_ != nullptr && posture_->Registration() == RegistrationPosture::kClosed) {
    return done(Fail("auth.registration_closed"));
  }
  std::string id = NewUuidV7();
  std::string username = NewUsername(provider, claims.sub);
  std::string display = claims.name.empty() ? username : claims.name;
  std::vector<db::StatementCall> calls;
  db::StatementCall identity{
      &kInsertIdentity,
      {Param::Uuid(NewUuidV7()), Param::Uuid(id), Param::Text(provider), Param::Text(claims.sub),
       Param::Text(claims.email), Param::Text(claims.name)}};
  OauthSignIn result{
      AppendNewAccount(&calls, id, username, display, Param::Null(), std::move(identity)), true};
  db_.ExecuteTransaction(std::move(calls), [this, provider, claims, result, attempt,
                                            done = std::move(done)](auto r) mutable {
    if (r.ok()) return done(std::move(result));
    if (r.error().IsUniqueViolation()) {
      // The whole transaction rolled back: no half-made player remains.
      if (r.error().constraint.find("provider") != std::string::npos) {
        return done(Fail("auth.already_registering"));
      }
      if (attempt < 2) return Create(provider, claims, std::move(done), attempt + 1);
      return done(Fail("auth.registration_failed"));
    }
    done(Fail(DbReason(r.error())));
  });
}

void OauthService::Link(std::string player_id, std::string provider, std::string token,
                        WorkerPool::CancelFlag gone,
                        std::function<void(Result<std::string>)> done) {
  VerifyOnPool(
      provider, std::move(token), std::move(gone),
      [this, player_id, provider, done = std::move(done)](Result<IdClaims> r) mutable {
        if (!r.ok()) return done(r.error());
        IdClaims claims = std::move(r.value());
        db_.Execute(
            kLinkState, {Param::Text(provider), Param::Text(claims.sub), Param::Uuid(player_id)},
            [this, player_id, provider, claims, done = std::move(done)](auto s) mutable {
              if (!s.ok()) {
                return done(
                    Fail(DbReason(s.error()) == "not_ready" ? "not_ready" : "auth.link_failed"));
              }
              bool mine = false;
              for (int i = 0; i < s->rows(); ++i) {
                bool same_uid = s->GetString(i, 1) == claims.sub;
                bool same_player = s->GetString(i, 0) == player_id;
                if (same_uid && same_player) {
                  mine = true;
                } else {
                  // Another player's identity, or this player's other identity of the
                  // provider (one per provider).
                  return done(Fail("auth.provider_already_linked"));
                }
              }
              if (mine) return done(claims.sub);
              db_.Execute(
                  kInsertIdentity,
                  {Param::Uuid(NewUuidV7()), Param::Uuid(player_id), Param::Text(provider),
                   Param::Text(claims.sub), Param::Text(claims.email), Param::Text(claims.name)},
                  [uid = claims.sub, done = std::move(done)](auto w) {
                    if (w.ok()) return done(uid);
                    if (w.error().IsUniqueViolation()) {
                      return done(Fail("auth.provider_already_linked"));
                    }
                    done(Fail(DbReason(w.error()) == "not_ready" ? "not_ready"
                                                                 : "auth.link_failed"));
                  });
            });
      });
}

void OauthService::Unlink(std::string player_id, std::string provider,
                          std::function<void(Status)> done) {
  std::vector<db::StatementCall> calls;
  calls.push_back({&kUnlinkState, {Param::Uuid(player_id), Param::Text(provider)}});
  calls.push_back({&kUnlinkDelete, {Param::Uuid(player_id), Param::Text(provider)}});
  db_.ExecuteTransaction(std::move(calls), [done = std::move(done)](auto r) {
    if (!r.ok()) return done(Fail(DbReason(r.error())));
    const db::PgResult& state = (*r)[0];
    if (state.rows() == 0 || state.GetInt64(0, 1).value_or(0) == 0) {
      return done(Fail("auth.identity_not_found"));
    }
    if ((*r)[1].affected_rows() == 0) return done(Fail("auth.last_auth_method"));
    done(Ok{});
  });
}

}  // namespace asobi::oauth
