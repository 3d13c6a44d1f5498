// Item definitions and store listings edited from the console (ops_console_edits.h;
// docs/decisions.md "Console edit routes"). Each change is one statement; its audit row is
// written once it committed (ops_guard.h RespondAudited), and a change that matched nothing
// (404) or was refused (409, 422) writes none.
#include <string>

#include "base/uuid.h"
#include "db/statement.h"
#include "game/ops/ops_console_edits.h"
#include "game/ops/ops_console_fields.h"
#include "game/ops/ops_guard.h"
#include "game/rest_util.h"

namespace asobi::ops {
namespace {

using db::PgType;

#define OPS_TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
#define OPS_ITEM_DEF_JSON                                                                   \
  "json_build_object('id', id, 'slug', slug, 'name', name, 'category', category, "          \
  "'rarity', rarity, 'stackable', stackable, 'metadata', coalesce(metadata, '{}'::jsonb), " \
  "'inserted_at', " OPS_TS("inserted_at") ", 'updated_at', " OPS_TS("updated_at") ")::text"
#define OPS_LISTING_JSON                                                                     \
  "json_build_object('id', id, 'item_def_id', item_def_id, 'currency', currency, 'price', "  \
  "price, 'active', active, 'valid_from', " OPS_TS("valid_from") ", 'valid_until', " OPS_TS( \
      "valid_until") ", 'metadata', coalesce(metadata, '{}'::jsonb))::text"

const db::Statement kInsertItemDef(
    "ops_console_item_insert",
    "INSERT INTO item_defs (id, slug, name, category, rarity, stackable, metadata, inserted_at, "
    "updated_at) VALUES ($1, $2, $3, $4, coalesce($5, 'common'), coalesce($6, true), "
    "coalesce($7, '{}'::jsonb), now(), now()) ON CONFLICT (slug) DO NOTHING "
    "RETURNING " OPS_ITEM_DEF_JSON,
    {PgType::kUuid, PgType::kVarchar, PgType::kVarchar, PgType::kVarchar, PgType::kVarchar,
     PgType::kBool, PgType::kJsonb});

const db::Statement kUpdateItemDef(
    "ops_console_item_update",
    "UPDATE item_defs SET slug = coalesce($2, slug), name = coalesce($3, name), "
    "category = coalesce($4, category), rarity = coalesce($5, rarity), "
    "stackable = coalesce($6, stackable), metadata = coalesce($7, metadata), updated_at = now() "
    "WHERE id = $1 RETURNING " OPS_ITEM_DEF_JSON,
    {PgType::kUuid, PgType::kVarchar, PgType::kVarchar, PgType::kVarchar, PgType::kVarchar,
     PgType::kBool, PgType::kJsonb});

const db::Statement kInsertListing(
    "ops_console_listing_insert",
    "INSERT INTO store_listings (id, item_def_id, currency, price, active, metadata) "
    "SELECT $1, d.id, $3, $4, coalesce($5, true), coalesce($6, '{}'::jsonb) FROM item_defs d "
    "WHERE d.id = $2 RETURNING " OPS_LISTING_JSON,
    {PgType::kUuid, PgType::kUuid, PgType::kVarchar, PgType::kInt4, PgType::kBool, PgType::kJsonb});

// An unknown item_def_id fails the foreign key (23503), answered as a field problem.
const db::Statement kUpdateListing(
    "ops_console_listing_update",
    "UPDATE store_listings SET item_def_id = coalesce($2, item_def_id), "
    "currency = coalesce($3, currency), price = coalesce($4, price), "
    "active = coalesce($5, active), metadata = coalesce($6, metadata) "
    "WHERE id = $1 RETURNING " OPS_LISTING_JSON,
    {PgType::kUuid, PgType::kUuid, PgType::kVarchar, PgType::kInt4, PgType::kBool, PgType::kJsonb});

constexpr int64_t kPriceMax = 2147483647;

// Runs `stmt`; a row answers 200 {"data":<row>} with an audit row, none calls `on_empty`.
void RunEdit(HttpCall& call, db::PgConnection& db, const OpsActor& actor, const db::Statement& stmt,
             db::Params params, AuditEntry audit, void (*on_empty)(HttpCall&)) {
  HttpCall* c = &call;
  db::PgConnection* conn = &db;
  db.Execute(
      stmt, std::move(params),
      [c, conn, actor, audit = std::move(audit), on_empty](db::DbResult<db::PgResult> r) mutable {
        if (!r.ok()) {
          const db::PgError& e = r.error();
          if (e.IsUniqueViolation()) return RespondFieldProblem(*c, "slug", "is taken");
          if (e.sqlstate == "23503") {
            return RespondFieldProblem(*c, "item_def_id", "names no item definition");
          }
          return RespondDbError(*c, e);
        }
        if (r.value().rows() == 0) return on_empty(*c);
        std::string body = "{\"data\":";
        body.append(r.value().GetString(0, 0)).append("}");
        RespondAudited(*c, *conn, actor, std::move(audit), std::move(body));
      });
}

void NotFound(HttpCall& call) { RespondError(call, "ops.not_found"); }
void SlugTaken(HttpCall& call) { RespondFieldProblem(call, "slug", "is taken"); }
void UnknownItemDef(HttpCall& call) {
  RespondFieldProblem(call, "item_def_id", "names no item definition");
}

// Reads the item members; `creating` makes slug, name and category required.
db::Params ItemParams(EditFields& f, std::string id, bool creating) {
  db::Params p;
  p.push_back(db::Param::Uuid(id));
  p.push_back(f.Text("slug", creating));
  p.push_back(f.Text("name", creating));
  p.push_back(f.Text("category", creating));
  p.push_back(f.Text("rarity", false));
  p.push_back(f.Bool("stackable"));
  p.push_back(f.Object("metadata"));
  return p;
}

db::Params ListingParams(EditFields& f, std::string id, bool creating) {
  db::Params p;
  p.push_back(db::Param::Uuid(id));
  p.push_back(f.Uuid("item_def_id", creating));
  p.push_back(f.Text("currency", creating));
  p.push_back(f.Int32("price", 0, kPriceMax, creating));
  p.push_back(f.Bool("active"));
  p.push_back(f.Object("metadata"));
  return p;
}

// Shared body of the four routes: parse, validate, run.
void Edit(HttpCall& call, bool item, bool creating) {
  WithOpsDb(call, kConfig, [&call, item, creating](const OpsActor& actor, db::PgConnection& db) {
    std::string id = creating ? NewUuidV7() : std::string(call.route.Param("id"));
    if (!creating && !IsCanonicalUuid(id)) return RespondError(call, "ops.invalid_id");
    JsonValue body;
    if (!ParseBody(call, &body)) return;
    EditFields f(body);
    db::Params params = item ? ItemParams(f, id, creating) : ListingParams(f, id, creating);
    if (!f.ok()) return f.RespondProblems(call);
    if (!creating && f.NonePresent({"slug", "name", "category", "rarity", "stackable", "metadata",
                                    "item_def_id", "currency", "price", "active"})) {
      return RespondFieldProblem(call, "body", "names nothing to change");
    }
    AuditEntry audit;
    audit.action = std::string(item ? "economy.items." : "economy.listings.") +
                   (creating ? "create" : "update");
    audit.target_type = item ? "item_def" : "store_listing";
    audit.target_id = id;
    audit.details_json = ToJson(body);
    if (audit.details_json.size() > 2 * kEditJsonBytesMax) audit.details_json = "{}";
    const db::Statement& stmt = item ? (creating ? kInsertItemDef : kUpdateItemDef)
                                     : (creating ? kInsertListing : kUpdateListing);
    void (*on_empty)(HttpCall&) = !creating ? NotFound : item ? SlugTaken : UnknownItemDef;
    RunEdit(call, db, actor, stmt, std::move(params), std::move(audit), on_empty);
  });
}

}  // namespace

void RegisterConsoleStoreRoutes(HttpApi& api) {
  api.Add("POST", "/ops/economy/items", [](HttpCall& c) { Edit(c, true, true); });
  api.Add("PUT", "/ops/economy/items/:id", [](HttpCall& c) { Edit(c, true, false); });
  api.Add("POST", "/ops/economy/listings", [](HttpCall& c) { Edit(c, false, true); });
  api.Add("PUT", "/ops/economy/listings/:id", [](HttpCall& c) { Edit(c, false, false); });
}

}  // namespace asobi::ops
