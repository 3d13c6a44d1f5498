// GET /ops/players (rest.md §1.4 ops paging, §3.14; docs/decisions.md "Ops player list: keyset
// cursor, index-backed search, capped total"). One statement per sort field and order, so that
// the ORDER BY walks an index (players (inserted_at, id), (updated_at, id), (username)); `q`
// uses the pg_trgm indexes on username and display_name; the guest flag is computed for the
// page's rows only; the total is a count capped at kExactTotalMax rows, skipped on a last page.
//
// Absent filters and cursor are NULL parameters behind `$n IS NULL OR …`. PostgreSQL folds
// those away because it keeps planning these statements with their values (custom plans):
// a generic plan must price the guest EXISTS on every row and costs far more than any custom
// plan, so the plan cache never switches to it (checked with pg_prepared_statements).
#include <algorithm>
#include <charconv>

#include "game/ops/ops_cursor.h"
#include "game/ops/ops_routes.h"
#include "game/ops/ops_runner.h"
#include "game/ops/ops_sql.h"
#include "game/rest_util.h"
#include "http/query.h"

namespace asobi::ops {
namespace {

using db::PgType;

// Beyond this many matching rows `total` is an estimate (page.total_exact false).
constexpr int64_t kExactTotalMax = 10000;

#define PL_GUEST(p)                                                                \
  "(" p                                                                            \
  ".hashed_password IS NULL AND EXISTS (SELECT 1 FROM player_identities gi WHERE " \
  "gi.player_id = " p ".id AND gi.provider = 'guest'))"
// $3 q (ILIKE pattern), $4 guest.
#define PL_FILTER                                                                          \
  "($3::text IS NULL OR p.username ILIKE $3 OR p.display_name ILIKE $3) AND ($4::boolean " \
  "IS NULL OR " PL_GUEST("p") " = $4)"
// A timestamp sort key as text: microseconds since the Unix epoch (exact).
#define PL_TS_KEY(col) "(extract(epoch FROM " col ") * 1000000)::bigint::text"
// $5 key, $6 id of the cursor's row.
#define PL_TS_AFTER(col, cmp)                   \
  "($6::uuid IS NULL OR (p." col ", p.id) " cmp \
  " ('epoch'::timestamptz + $5::bigint * interval '1 microsecond', $6))"
#define PL_NAME_AFTER(cmp) "($6::uuid IS NULL OR p.username " cmp " $5)"
// $1 limit, $2 offset (0 with a cursor). Columns: the count capped at 10 001 (NULL, and not
// run, when this page is the last: then the total is offset + rows), json array text, the
// last row's "<key> <id>", rows, the table's row estimate.
#define PL_LIST(ord, key, after) \
  "SELECT CASE WHEN x.n < $1 AND (x.n > 0 OR $2 = 0) THEN NULL ELSE (SELECT count(*) FROM "     \
  "(SELECT 1 FROM players p WHERE " PL_FILTER " LIMIT 10001) c) END, x.j, x.last, x.n, (SELECT reltuples::bigint FROM pg_class WHERE oid = "     \
  "'players'::regclass) FROM (SELECT coalesce(json_agg(json_build_object('id', id, 'username', " \
  "username, 'display_name', display_name, 'avatar_url', avatar_url, 'guest', " PL_GUEST(        \
      "r") ", 'banned_at', " OPS_TS("banned_at") ", 'inserted_at', " OPS_TS("inserted_at")       \
  ", 'updated_at', " OPS_TS("updated_at") ") ORDER BY " ord "), '[]')::text AS j, "             \
  "(array_agg(" key " || ' ' || id ORDER BY " ord "))[count(*)] AS last, count(*) AS n FROM "    \
  "(SELECT p.id, p.username, p.display_name, p.avatar_url, p.hashed_password, p.banned_at, "     \
  "p.inserted_at, p.updated_at FROM players p WHERE " PL_FILTER " AND " after " ORDER BY " ord   \
  " LIMIT $1 OFFSET $2) r) x"

constexpr PgType kTypes[] = {PgType::kInt4, PgType::kInt4, PgType::kText,
                             PgType::kBool, PgType::kText, PgType::kUuid};

// Indexed by SortIndex * 2 + (order == "desc").
const db::Statement kLists[] = {
    {"ops_players_ins_asc",
     PL_LIST("inserted_at ASC, id ASC", PL_TS_KEY("inserted_at"), PL_TS_AFTER("inserted_at", ">")),
     kTypes},
    {"ops_players_ins_desc",
     PL_LIST("inserted_at DESC, id DESC", PL_TS_KEY("inserted_at"),
             PL_TS_AFTER("inserted_at", "<")),
     kTypes},
    {"ops_players_name_asc", PL_LIST("username ASC, id ASC", "username::text", PL_NAME_AFTER(">")),
     kTypes},
    {"ops_players_name_desc",
     PL_LIST("username DESC, id DESC", "username::text", PL_NAME_AFTER("<")), kTypes},
    {"ops_players_upd_asc",
     PL_LIST("updated_at ASC, id ASC", PL_TS_KEY("updated_at"), PL_TS_AFTER("updated_at", ">")),
     kTypes},
    {"ops_players_upd_desc",
     PL_LIST("updated_at DESC, id DESC", PL_TS_KEY("updated_at"), PL_TS_AFTER("updated_at", "<")),
     kTypes},
};

const std::vector<std::string> kSorts = {"inserted_at", "username", "updated_at"};

size_t SortIndex(const std::string& sort) {
  for (size_t i = 0; i < kSorts.size(); ++i) {
    if (kSorts[i] == sort) return i;
  }
  return 0;
}

// A timestamp key: microseconds since the Unix epoch within ±2^53 (about ±285 years), so
// that PostgreSQL's timestamp arithmetic cannot overflow (that would be a 500, not a 400).
bool IsTimestampKey(const std::string& key) {
  constexpr int64_t kMaxUs = int64_t(1) << 53;
  int64_t v = 0;
  if (!IsInt64Text(key) ||
      std::from_chars(key.data(), key.data() + key.size(), v).ec != std::errc())
    return false;
  return v >= -kMaxUs && v <= kMaxUs;
}

void BadCursor(HttpCall& call) {
  RespondError(call, "ops.invalid_cursor", "Malformed or mismatched cursor.");
}

// Applies `?cursor=` to `page` (sort, order, offset); answers 400 `ops.invalid_cursor` itself
// and returns false when it is malformed, names another list's sort field, carries a key of
// the wrong form, or contradicts an explicit `sort`/`order`.
bool ApplyCursor(HttpCall& call, Page* page, std::optional<OpsCursor>* out) {
  const std::string& q = call.request.query;
  std::optional<std::string> text = http::GetParam(q, "cursor");
  if (!text || text->empty()) return true;
  std::optional<OpsCursor> c = DecodeOpsCursor(*text);
  bool known = false;
  for (const std::string& s : kSorts) known = known || (c && c->sort == s);
  if (!known || (c->sort != "username" && !IsTimestampKey(c->key))) return BadCursor(call), false;
  std::optional<std::string> sort = http::GetParam(q, "sort");
  std::optional<std::string> order = http::GetParam(q, "order");
  if ((sort && !sort->empty() && page->sort != c->sort) ||
      (order && !order->empty() && page->order != c->order)) {
    return BadCursor(call), false;
  }
  page->sort = c->sort;
  page->order = c->order;
  page->offset = int(std::min<int64_t>(c->offset, kOpsCursorOffsetMax));
  *out = std::move(c);
  return true;
}

// `{"data":[…],"page":{"limit","offset","total","total_exact","next_cursor"}}`.
std::string Body(const db::PgResult& r, const Page& page, bool filtered) {
  int64_t rows = r.GetInt64(0, 3).value_or(0);
  int64_t counted = r.IsNull(0, 0) ? page.offset + rows : r.GetInt64(0, 0).value_or(0);
  bool exact = counted <= kExactTotalMax;
  int64_t total = counted;
  if (!exact) {
    total = filtered ? kExactTotalMax + 1
                     : std::max<int64_t>(kExactTotalMax + 1, r.GetInt64(0, 4).value_or(0));
    total = std::max<int64_t>(total, page.offset + rows);
  }
  std::string next = "null";
  if (rows == page.limit && !r.IsNull(0, 2)) {
    std::string_view last = r.GetString(0, 2);
    size_t sp = last.rfind(' ');
    OpsCursor c{page.sort, page.order, std::min(page.offset + rows, kOpsCursorOffsetMax),
                std::string(last.substr(sp + 1)), std::string(last.substr(0, sp))};
    next = "\"";  // base64url: nothing to escape
    next += EncodeOpsCursor(c);
    next += '"';
  }
  return "{\"data\":" + std::string(r.GetString(0, 1)) +
         ",\"page\":{\"limit\":" + std::to_string(page.limit) +
         ",\"offset\":" + std::to_string(page.offset) + ",\"total\":" + std::to_string(total) +
         ",\"total_exact\":" + (exact ? "true" : "false") + ",\"next_cursor\":" + next + "}}";
}

void ListPlayers(HttpCall& call, db::PgConnection& db) {
  std::optional<Page> page = ParsePage(call, kSorts, "desc");
  if (!page) return;
  std::optional<OpsCursor> cursor;
  if (!ApplyCursor(call, &*page, &cursor)) return;
  std::optional<bool> guest = http::BoolParam(call.request.query, "guest");
  bool filtered = page->q_pattern || guest;
  db::Params p;
  p.push_back(db::Param::Int32(page->limit));
  p.push_back(db::Param::Int32(cursor ? 0 : page->offset));
  p.push_back(page->q_pattern ? db::Param::Text(*page->q_pattern) : db::Param::Null());
  p.push_back(guest ? db::Param::Bool(*guest) : db::Param::Null());
  p.push_back(cursor ? db::Param::Text(cursor->key) : db::Param::Null());
  p.push_back(cursor ? db::Param::Uuid(cursor->id) : db::Param::Null());
  const db::Statement& stmt = kLists[SortIndex(page->sort) * 2 + (page->order == "desc")];
  HttpCall* c = &call;
  db.Execute(stmt, std::move(p), [c, pg = *page, filtered](db::DbResult<db::PgResult> r) {
    if (!r.ok()) return RespondDbError(*c, r.error());
    RespondJson(*c, Body(*r, pg, filtered));
  });
}

}  // namespace

void RegisterPlayerListRoute(HttpApi& api) {
  api.Add("GET", "/ops/players", [](HttpCall& call) {
    HttpCall* c = &call;
    WithOpsDb(call, kRead, [c](const OpsActor&, db::PgConnection& db) { ListPlayers(*c, db); });
  });
}

}  // namespace asobi::ops
