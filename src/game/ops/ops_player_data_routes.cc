// Player export, erasure and the guest purge (rest.md §3.14; erasure as §3.2, with the
// operator as the audit actor). docs/decisions.md "Ops API" has the purge's bounds.
#include <algorithm>
#include <memory>

#include "base/json_escape.h"
#include "base/uuid.h"
#include "game/auth/account_service.h"
#include "game/auth/player_erasure.h"
#include "game/ops/ops_export_sql.h"
#include "game/ops/ops_guard.h"
#include "game/ops/ops_routes.h"
#include "game/rest_util.h"
#include "protocol/json_value.h"

namespace asobi::ops {
namespace {

using db::Param;
using db::PgType;

constexpr int kPurgeLimitDefault = 500;
constexpr int kPurgeLimitMax = 5000;

const db::Statement kEraseTarget("ops_erase_target",
                                 "SELECT username, hashed_password FROM players WHERE id = $1",
                                 {PgType::kUuid});

// Guests (a `guest` identity, no password) whose identity was last used before the cutoff
// (the retention clock of rest.md §2.7): how many, and the oldest $2 of them.
#define INACTIVE_GUESTS                                                                     \
  "FROM players p JOIN player_identities i ON i.player_id = p.id AND i.provider = 'guest' " \
  "WHERE p.hashed_password IS NULL AND i.updated_at < now() - make_interval(secs => $1)"
const db::Statement kGuestCount("ops_guest_count", "SELECT count(*) " INACTIVE_GUESTS,
                                {PgType::kFloat8});
const db::Statement kGuestBatch("ops_guest_batch",
                                "SELECT p.id::text " INACTIVE_GUESTS
                                " ORDER BY i.updated_at, p.id LIMIT $2",
                                {PgType::kFloat8, PgType::kInt4});

std::string Quote(std::string_view s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

ErasureActor ActorFor(const OpsActor& a) { return ErasureActor{a.id, a.display, a.source}; }

void Export(HttpCall& call) {
  std::string id(call.route.Param("id"));
  HttpCall* c = &call;
  WithOpsDb(call, kPlayerData, [c, id](const OpsActor& actor, db::PgConnection& db) {
    if (!IsCanonicalUuid(id)) return RespondError(*c, "ops.invalid_id", "Not a UUID.");
    db.Execute(kExportPlayer, {Param::Uuid(id), Param::Int32(kExportSectionRowsMax)},
               [c, id, actor, &db](db::DbResult<db::PgResult> r) {
                 if (!r.ok()) return RespondDbError(*c, r.error());
                 if (r->IsNull(0, 0)) return RespondError(*c, "ops.not_found", "No such player.");
                 if (r->GetInt64(0, 1).value_or(0) > kExportSectionRowsMax) {
                   return RespondError(*c, "ops.export_incomplete",
                                       "A section of this player's data exceeds the export "
                                       "cap.");
                 }
                 AuditEntry e{"players.export", "player", id};
                 RespondAudited(*c, db, actor, std::move(e),
                                "{\"data\":" + std::string(r->GetString(0, 0)) + "}");
               });
  });
}

void Erase(HttpCall& call) {
  std::string id(call.route.Param("id"));
  JsonValue body;
  if (!ParseBody(call, &body)) return;
  std::optional<std::string> echo;
  if (auto u = GetString(body, "username")) echo = std::string(*u);
  HttpCall* c = &call;
  WithOpsDb(call, kErasure, [c, id, echo](const OpsActor& actor, db::PgConnection& db) {
    if (!IsCanonicalUuid(id)) return RespondError(*c, "ops.invalid_id", "Not a UUID.");
    if (!echo) return RespondError(*c, "ops.confirmation_required", "Echo the username.");
    AccountService* accounts = c->game.accounts;
    if (accounts == nullptr) return RespondError(*c, "not_ready");
    db.Execute(kEraseTarget, {Param::Uuid(id)},
               [c, id, echo, actor, accounts, &db](db::DbResult<db::PgResult> r) {
                 if (!r.ok()) return RespondDbError(*c, r.error());
                 if (r->rows() == 0) return RespondError(*c, "ops.not_found", "No such player.");
                 if (r->GetString(0, 0) != *echo) {
                   return RespondError(*c, "ops.confirmation_mismatch",
                                       "The username does not match.");
                 }
                 std::optional<std::string> hash;
                 if (!r->IsNull(0, 1)) hash = std::string(r->GetString(0, 1));
                 EraseRows(*accounts, db, id, hash, ActorFor(actor), [c, id](db::DbResult<bool> e) {
                   if (!e.ok()) return RespondError(*c, "ops.erase_failed");
                   if (!e.value()) {
                     return RespondError(*c, "ops.not_found", "No such player.");
                   }
                   RespondJson(*c, "{\"data\":{\"player_id\":" + Quote(id) + ",\"erased\":true}}");
                 });
               });
  });
}

// The state of one purge run, shared by its erasure callbacks (all on this shard).
struct PurgeRun {
  HttpCall* call;
  db::PgConnection* db;
  OpsActor actor;
  int64_t matched = 0;
  int64_t inactive_s = 0;
  int limit = 0;
  int pending = 0;
  int deleted = 0;
  int skipped = 0;
  int failed = 0;
};

std::string PurgeJson(const PurgeRun& p, bool dry_run) {
  int64_t remaining = dry_run ? p.matched : std::max<int64_t>(0, p.matched - p.deleted);
  return "{\"data\":{\"matched\":" + std::to_string(p.matched) +
         ",\"deleted\":" + std::to_string(p.deleted) + ",\"skipped\":" + std::to_string(p.skipped) +
         ",\"failed\":" + std::to_string(p.failed) + ",\"remaining\":" + std::to_string(remaining) +
         ",\"dry_run\":" + (dry_run ? "true" : "false") + "}}";
}

void FinishPurge(const std::shared_ptr<PurgeRun>& p) {
  AuditEntry e{"players.guests.purge",
               "players",
               "",
               p->failed == 0 ? "ok" : "partial",
               p->deleted,
               p->failed,
               "{\"matched\":" + std::to_string(p->matched) + ",\"skipped\":" +
                   std::to_string(p->skipped) + ",\"limit\":" + std::to_string(p->limit) +
                   ",\"inactive_for_seconds\":" + std::to_string(p->inactive_s) + "}"};
  if (p->deleted == 0 && p->failed > 0) e.outcome = "error";
  RespondAudited(*p->call, *p->db, p->actor, std::move(e), PurgeJson(*p, false));
}

void EraseBatch(const std::shared_ptr<PurgeRun>& p, AccountService& accounts,
                const db::PgResult& ids) {
  p->pending = ids.rows();
  if (p->pending == 0) return FinishPurge(p);
  for (int i = 0; i < ids.rows(); ++i) {
    EraseRows(accounts, *p->db, std::string(ids.GetString(i, 0)), std::nullopt, ActorFor(p->actor),
              [p](db::DbResult<bool> r) {
                if (!r.ok()) {
                  ++p->failed;
                } else if (r.value()) {
                  ++p->deleted;
                } else {
                  ++p->skipped;  // gained a password or went away meanwhile
                }
                if (--p->pending == 0) FinishPurge(p);
              });
  }
}

void Purge(HttpCall& call) {
  JsonValue body;
  if (!ParseBody(call, &body)) return;
  std::optional<int64_t> inactive = GetInt(body, "inactive_for_seconds");
  bool has_inactive = GetField(body, "inactive_for_seconds").has_value();
  bool dry_run = GetBool(body, "dry_run").value_or(false);
  std::optional<int64_t> confirm = GetInt(body, "confirm_count");
  int limit = int(
      std::clamp<int64_t>(GetInt(body, "limit").value_or(kPurgeLimitDefault), 1, kPurgeLimitMax));
  HttpCall* c = &call;
  WithOpsDb(call, kErasure, [=](const OpsActor& actor, db::PgConnection& db) {
    if (!has_inactive)
      return RespondError(*c, "missing_field", "inactive_for_seconds is required.");
    if (!inactive || *inactive < 0 || *inactive > int64_t(100) * 365 * 86400) {
      return RespondError(*c, "ops.invalid_cutoff", "inactive_for_seconds: 0 to 100 years.");
    }
    if (!dry_run && !confirm) {
      return RespondError(*c, "ops.confirmation_required",
                          "confirm_count (the matched count of a dry run) is required.");
    }
    AccountService* accounts = c->game.accounts;
    if (accounts == nullptr) return RespondError(*c, "not_ready");
    auto p = std::make_shared<PurgeRun>(PurgeRun{c, &db, actor});
    p->inactive_s = *inactive;
    p->limit = limit;
    db.Execute(kGuestCount, {Param::Float64(double(*inactive))},
               [p, dry_run, confirm, accounts](db::DbResult<db::PgResult> r) {
                 if (!r.ok()) return RespondDbError(*p->call, r.error());
                 p->matched = r->GetInt64(0, 0).value_or(0);
                 if (dry_run) return RespondJson(*p->call, PurgeJson(*p, true));
                 if (*confirm != p->matched) {
                   return RespondError(*p->call, "ops.purge_count_mismatch",
                                       "confirm_count differs from the matched count.",
                                       "{\"matched\":" + std::to_string(p->matched) + "}");
                 }
                 p->db->Execute(kGuestBatch,
                                {Param::Float64(double(p->inactive_s)), Param::Int32(p->limit)},
                                [p, accounts](db::DbResult<db::PgResult> b) {
                                  if (!b.ok()) return RespondError(*p->call, "ops.purge_failed");
                                  EraseBatch(p, *accounts, *b);
                                });
               });
  });
}

}  // namespace

void RegisterPlayerDataRoutes(HttpApi& api) {
  api.Add("GET", "/ops/players/:id/export", &Export);
  api.Add("POST", "/ops/players/:id/erase", &Erase);
  api.Add("POST", "/ops/players/guests/purge", &Purge);
}

}  // namespace asobi::ops
