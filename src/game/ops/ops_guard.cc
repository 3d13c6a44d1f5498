#include "game/ops/ops_guard.h"

#include <cctype>

#include "base/clock.h"
#include "base/json_escape.h"
#include "base/uuid.h"
#include "game/ops/ops_console_sessions.h"
#include "game/rest_util.h"
#include "http/query.h"

namespace asobi::ops {
namespace {

using db::Param;
using db::PgType;

const db::Statement kInsertAudit(
    "ops_audit_insert",
    "INSERT INTO ops_audit_entries (id, actor_id, actor_display, actor_source, actor_attested, "
    "action, target_type, target_id, outcome, succeeded_count, failed_count, details, "
    "occurred_at) VALUES ($1, $2, $3, $4, false, $5, $6, $7, $8, $9, $10, $11, now())",
    {PgType::kUuid, PgType::kVarchar, PgType::kVarchar, PgType::kVarchar, PgType::kVarchar,
     PgType::kVarchar, PgType::kVarchar, PgType::kVarchar, PgType::kInt4, PgType::kInt4,
     PgType::kJsonb});

Param OptText(const std::string& s) { return s.empty() ? Param::Null() : Param::Text(s); }

std::string JsonQuote(std::string_view s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

}  // namespace

int64_t NowS() { return UnixMs() / 1000; }

void WithOps(HttpCall& call, uint32_t cls, std::function<void(const OpsActor&)> next) {
  if (!AllowByIp(call)) return;
  OpsAuth* auth = OpsAuth::Node();
  // A console cookie on a node with a database: the session lives in PostgreSQL.
  if (auth != nullptr && auth->secret_set() && auth->console() && call.game.db != nullptr &&
      call.request.Header("authorization").empty()) {
    std::optional<std::string_view> sid =
        CookieValue(call.request.Header("cookie"), "asobi_console");
    std::string_view csrf = call.request.Header("x-csrf-token");
    if (!sid || csrf.empty()) return RespondError(call, "forbidden");
    HttpCall* c = &call;
    LookupConsoleSession(
        *call.game.db, *sid, csrf,
        [c, cls, next = std::move(next)](const db::PgError* err, std::optional<OpsActor> actor) {
          if (err != nullptr) return RespondDbError(*c, *err);
          if (!actor || (actor->classes & cls) != cls) return RespondError(*c, "forbidden");
          next(*actor);
        });
    return;
  }
  std::optional<OpsActor> actor;
  if (auth != nullptr) actor = auth->Resolve(call.request, NowS());
  if (!actor || (actor->classes & cls) != cls) return RespondError(call, "forbidden");
  next(*actor);
}

void WithOpsDb(HttpCall& call, uint32_t cls,
               std::function<void(const OpsActor&, db::PgConnection&)> next) {
  HttpCall* c = &call;
  WithOps(call, cls, [c, next = std::move(next)](const OpsActor& actor) {
    if (c->game.db == nullptr) return RespondError(*c, "not_ready");
    next(actor, *c->game.db);
  });
}

db::StatementCall AuditCall(const OpsActor& actor, const AuditEntry& e) {
  db::Params p;
  p.push_back(Param::Uuid(NewUuidV7()));
  p.push_back(Param::Text(actor.id.substr(0, 255)));
  p.push_back(Param::Text(actor.display.substr(0, 255)));
  p.push_back(Param::Text(actor.source));
  p.push_back(Param::Text(e.action));
  p.push_back(OptText(e.target_type));
  p.push_back(OptText(e.target_id.substr(0, 255)));
  p.push_back(Param::Text(e.outcome));
  p.push_back(Param::Int32(e.succeeded_count));
  p.push_back(Param::Int32(e.failed_count));
  p.push_back(Param::Jsonb(e.details_json));
  return db::StatementCall{&kInsertAudit, std::move(p)};
}

void RespondAudited(HttpCall& call, db::PgConnection& db, const OpsActor& actor, AuditEntry e,
                    std::string body) {
  db::StatementCall a = AuditCall(actor, e);
  HttpCall* c = &call;
  db.Execute(*a.stmt, std::move(a.params),
             [c, body = std::move(body)](db::DbResult<db::PgResult> r) mutable {
               if (!r.ok()) return RespondDbError(*c, r.error());
               RespondJson(*c, std::move(body));
             });
}

void RespondDbError(HttpCall& call, const db::PgError& e) {
  if (e.reason == db::kDbUnavailable || e.reason == db::kDbOverloaded ||
      e.reason == db::kDbTimeout) {
    return RespondError(call, "not_ready");
  }
  RespondError(call, "ops.query_failed", "The ops query failed.");
}

std::optional<Page> ParsePage(HttpCall& call, const std::vector<std::string>& sorts,
                              std::string_view default_order) {
  const std::string& q = call.request.query;
  Page p;
  p.limit = int(http::IntParam(q, "limit", 50, 1, 200));
  int64_t page = http::IntParam(q, "page", 0, 0, 10000);
  int64_t offset = http::IntParam(q, "offset", 0, 0, 100000);
  p.offset = page >= 1 ? int((page - 1) * p.limit) : int(offset - offset % p.limit);
  std::optional<std::string> sort = http::GetParam(q, "sort");
  p.sort = sort && !sort->empty() ? *sort : sorts.front();
  bool known = false;
  for (const std::string& s : sorts) known = known || s == p.sort;
  if (!known) {
    RespondError(call, "ops.unknown_sort_field", "Unknown sort field.", "{}",
                 "\"field\":" + JsonQuote(p.sort));
    return std::nullopt;
  }
  std::optional<std::string> order = http::GetParam(q, "order");
  p.order = order && !order->empty() ? *order : std::string(default_order);
  for (char& ch : p.order) ch = char(std::tolower(static_cast<unsigned char>(ch)));
  if (p.order != "asc" && p.order != "desc") {
    RespondError(call, "ops.unknown_sort_order", "Unknown sort order.", "{}",
                 "\"order\":" + JsonQuote(order.value_or("")));
    return std::nullopt;
  }
  std::optional<std::string> text = http::GetParam(q, "q");
  if (text && !text->empty()) {
    std::string pat = "%";
    for (char ch : text->substr(0, 255)) {
      if (ch == '%' || ch == '_' || ch == '\\') pat.push_back('\\');
      pat.push_back(ch);
    }
    pat.push_back('%');
    p.q_pattern = std::move(pat);
  }
  return p;
}

std::string PageBody(std::string_view data_array, const Page& page, int64_t total) {
  std::string out = "{\"data\":";
  out += data_array;
  out += ",\"page\":{\"limit\":" + std::to_string(page.limit) +
         ",\"offset\":" + std::to_string(page.offset) + ",\"total\":" + std::to_string(total) +
         "}}";
  return out;
}

}  // namespace asobi::ops
