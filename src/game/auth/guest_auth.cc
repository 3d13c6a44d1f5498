#include "game/auth/guest_auth.h"

#include <sodium.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/uuid.h"
#include "game/auth/auth_statements.h"
#include "game/auth/new_account.h"
#include "game/auth/password.h"
#include "game/auth/tokens.h"
#include "protocol/json_writer.h"

namespace asobi {
namespace {

using db::Param;
using db::PgType;
using db::Statement;

const Statement kGuestLookup(
    "guest_lookup",
    "SELECT i.player_id::text, i.provider_metadata->>'salt', i.provider_metadata->>'verifier', "
    "coalesce((i.provider_metadata->>'revoked')::boolean, false), p.hashed_password IS NOT NULL, "
    "p.username FROM player_identities i JOIN players p ON p.id = i.player_id "
    "WHERE i.provider = 'guest' AND i.provider_uid = $1",
    {PgType::kText});
const Statement kGuestTouch(
    "guest_touch",
    "UPDATE player_identities SET updated_at = now() WHERE provider = 'guest' "
    "AND provider_uid = $1",
    {PgType::kText});
const Statement kGuestUnlinkedCount(
    "guest_unlinked_count",
    "SELECT count(*) FROM player_identities i JOIN players p ON p.id = i.player_id "
    "WHERE i.provider = 'guest' AND p.hashed_password IS NULL");
const Statement kInsertGuestIdentity(
    "guest_insert_identity",
    "INSERT INTO player_identities (id, player_id, provider, provider_uid, provider_metadata, "
    "inserted_at, updated_at) VALUES ($1, $2, 'guest', $3, $4::jsonb, now(), now())",
    {PgType::kUuid, PgType::kUuid, PgType::kText, PgType::kText});
const Statement kUpgradeCheck(
    "guest_upgrade_check",
    "SELECT p.hashed_password IS NULL, EXISTS (SELECT 1 FROM player_identities i WHERE "
    "i.player_id = p.id AND i.provider = 'guest') FROM players p WHERE p.id = $1",
    {PgType::kUuid});
const Statement kUpgradePlayer("guest_upgrade_player",
                               "UPDATE players SET username = $2, hashed_password = $3, "
                               "display_name = coalesce(display_name, $2), updated_at = now() "
                               "WHERE id = $1 AND hashed_password IS NULL",
                               {PgType::kUuid, PgType::kText, PgType::kText});
const Statement kDeleteGuestIdentity(
    "guest_delete_identity",
    "DELETE FROM player_identities WHERE player_id = $1 AND provider = 'guest'", {PgType::kUuid});
const Statement kDeletePlayerTokens("guest_delete_tokens",
                                    "DELETE FROM player_tokens WHERE user_id = $1",
                                    {PgType::kUuid});

std::string B64(const unsigned char* d, size_t n) {
  std::string out(sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), d, n, sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);
  return out;
}

std::string Verifier(const std::string& pepper, const unsigned char* salt, size_t salt_len,
                     std::string_view secret) {
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(pepper.data()),
                              pepper.size());
  crypto_auth_hmacsha256_update(&st, salt, salt_len);
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(secret.data()),
                                secret.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&st, mac);
  return B64(mac, sizeof mac);
}

bool DecodeB64(std::string_view in, std::string* out) {
  out->assign(in.size(), '\0');
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out->data()), out->size(), in.data(),
                        in.size(), nullptr, &len, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != in.data() + in.size()) {
    return false;
  }
  out->resize(len);
  return true;
}

Error Fail(std::string reason) { return MakeError(std::move(reason)); }

}  // namespace

bool GuestCreateLimiter::Allow(int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  if (now_ms - window_start_ms_ >= 1000) {
    window_start_ms_ = now_ms;
    count_ = 0;
  }
  if (count_ >= 100) return false;
  ++count_;
  return true;
}

std::string_view ValidateGuestInput(std::string_view device_id, std::string_view secret) {
  if (device_id.empty() || device_id.size() > 255) return "guest.invalid_device_id";
  std::string raw;
  if (secret.size() > 1024 || !DecodeB64(secret, &raw) || raw.size() < 32 || raw.size() > 128) {
    return "guest.weak_device_secret";
  }
  return {};
}

GuestAuth::GuestAuth(AccountService& accounts, db::PgConnection& db,
                     std::shared_ptr<GuestConfig> config,
                     std::shared_ptr<GuestCreateLimiter> limiter)
    : accounts_(accounts), db_(db), config_(std::move(config)), limiter_(std::move(limiter)) {}

void GuestAuth::SignIn(std::string device_id, std::string secret,
                       std::function<void(Result<GuestResult>)> done) {
  db_.Execute(kGuestLookup, {Param::Text(device_id)},
              [this, device_id, secret, done = std::move(done)](auto r) mutable {
                if (!r.ok()) return done(Fail(DbReason(r.error())));
                if (r->rows() == 0) return Create(device_id, secret, std::move(done), 0);
                if (r->GetBool(0, 3).value_or(false)) return done(Fail("guest.revoked"));
                std::string salt;
                if (!DecodeB64(r->GetString(0, 1), &salt)) {
                  return done(Fail("guest.invalid_device_secret"));
                }
                std::string expect(r->GetString(0, 2));
                std::string got =
                    Verifier(config_->pepper, reinterpret_cast<const unsigned char*>(salt.data()),
                             salt.size(), secret);
                if (expect.size() != got.size() ||
                    sodium_memcmp(expect.data(), got.data(), got.size()) != 0) {
                  return done(Fail("guest.invalid_device_secret"));
                }
                if (r->GetBool(0, 4).value_or(false)) return done(Fail("guest.already_upgraded"));
                std::string player(r->GetString(0, 0)), username(r->GetString(0, 5));
                db_.Execute(kGuestTouch, {Param::Text(device_id)}, [](auto) {});
                accounts_.IssueTokensFor(player, username, [done = std::move(done)](auto t) {
                  if (!t.ok()) return done(t.error());
                  done(GuestResult{std::move(t.value()), false});
                });
              });
}

void GuestAuth::Create(std::string device_id, std::string secret,
                       std::function<void(Result<GuestResult>)> done, int attempt) {
  if (attempt == 0 && config_->posture != nullptr &&
      config_->posture->Registration() == RegistrationPosture::kClosed) {
    return done(Fail("auth.registration_closed"));
  }
  if (attempt == 0 && !limiter_->Allow(MonoMs())) return done(Fail("guest.rate_limited"));
  db_.Execute(
      kGuestUnlinkedCount, {},
      [this, device_id, secret, done = std::move(done), attempt](auto c) mutable {
        if (!c.ok()) return done(Fail("guest.unavailable"));
        if (c->GetInt64(0, 0).value_or(0) >= config_->unlinked_cap) {
          return done(Fail("guest.capacity_reached"));
        }
        unsigned char salt[16], name_bytes[8];
        randombytes_buf(salt, sizeof salt);
        randombytes_buf(name_bytes, sizeof name_bytes);
        char hex[17];
        sodium_bin2hex(hex, sizeof hex, name_bytes, sizeof name_bytes);
        std::string username = std::string("guest_") + hex;
        JsonWriter meta;
        meta.BeginObject();
        meta.Key("salt");
        meta.String(B64(salt, sizeof salt));
        meta.Key("key_id");
        meta.String(config_->key_id);
        meta.Key("verifier");
        meta.String(Verifier(config_->pepper, salt, sizeof salt, secret));
        meta.Key("revoked");
        meta.Bool(false);
        meta.EndObject();
        std::string id = NewUuidV7();
        std::vector<db::StatementCall> calls;
        db::StatementCall identity{&kInsertGuestIdentity,
                                   {Param::Uuid(NewUuidV7()), Param::Uuid(id),
                                    Param::Text(device_id), Param::Text(meta.out())}};
        GuestResult result{
            AppendNewAccount(&calls, id, username, username, Param::Null(), std::move(identity)),
            true};
        db_.ExecuteTransaction(std::move(calls), [this, device_id, secret, result, attempt,
                                                  done = std::move(done)](auto r) mutable {
          if (r.ok()) return done(std::move(result));
          if (r.error().IsUniqueViolation()) {
            // The transaction rolled back whole, so no half-made player remains.
            if (r.error().constraint.find("provider") != std::string::npos) {
              return done(Fail("guest.device_already_registered"));
            }
            if (attempt < 2) return Create(device_id, secret, std::move(done), attempt + 1);
          }
          done(Fail(r.error().IsUniqueViolation() ? "guest.create_failed" : DbReason(r.error())));
        });
      });
}

void GuestAuth::Upgrade(std::string player_id, std::string username, std::string password,
                        std::function<void(Result<IssuedTokens>)> done,
                        WorkerPool::CancelFlag gone) {
  db_.Execute(
      kUpgradeCheck, {Param::Uuid(player_id)},
      [this, player_id, username, password, done = std::move(done),
       gone = std::move(gone)](auto c) mutable {
        if (!c.ok()) return done(Fail(DbReason(c.error())));
        if (c->rows() == 0) return done(Fail("player.not_found"));
        if (!c->GetBool(0, 0).value_or(false) || !c->GetBool(0, 1).value_or(false)) {
          return done(Fail("guest.not_unclaimed"));
        }
        auto shared_done =
            std::make_shared<std::function<void(Result<IssuedTokens>)>>(std::move(done));
        bool queued = accounts_.workers().Run<std::optional<std::string>>(
            accounts_.shard(), [password] { return HashPassword(password); },
            [this, player_id, username, shared_done](std::optional<std::string> h) mutable {
              auto done = std::move(*shared_done);
              if (!h) return done(Fail("internal"));
              std::string access = NewToken(), refresh = NewToken(), family = NewFamilyId();
              std::vector<db::StatementCall> calls;
              calls.push_back({&kUpgradePlayer,
                               {Param::Uuid(player_id), Param::Text(username), Param::Text(*h)}});
              calls.push_back({&kDeleteGuestIdentity, {Param::Uuid(player_id)}});
              calls.push_back({&kDeletePlayerTokens, {Param::Uuid(player_id)}});
              calls.push_back({&kInsertToken,
                               {Param::Uuid(NewUuidV7()), Param::Uuid(player_id),
                                Param::Text(*TokenStorageHash(access)), Param::Text("access"),
                                Param::Text(family)}});
              calls.push_back({&kInsertToken,
                               {Param::Uuid(NewUuidV7()), Param::Uuid(player_id),
                                Param::Text(*TokenStorageHash(refresh)), Param::Text("refresh"),
                                Param::Text(family)}});
              IssuedTokens t{player_id, username, access, refresh};
              db_.ExecuteTransaction(std::move(calls), [this, t, done = std::move(done)](auto r) {
                if (!r.ok()) {
                  return done(Fail(r.error().IsUniqueViolation() ? "auth.username_taken"
                                                                 : DbReason(r.error())));
                }
                if (r.value()[0].affected_rows() != 1) return done(Fail("guest.not_unclaimed"));
                accounts_.EvictPlayerEverywhere(t.player_id);
                // Sockets signed in with the deleted guest tokens: session_revoked, 1008
                // (DECISIONS.md wire 5; issue 11 item 1).
                accounts_.RevokeSessionsEverywhere(t.player_id);
                done(t);
              });
            },
            [shared_done] { (*shared_done)(Fail("not_ready")); }, std::move(gone));
        if (!queued) (*shared_done)(Fail("not_ready"));
      });
}

}  // namespace asobi
