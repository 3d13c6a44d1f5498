#include "game/ops/ops_runner.h"

#include <vector>

#include "base/uuid.h"
#include "game/rest_util.h"

namespace asobi::ops {

void RunList(HttpCall& call, db::PgConnection& db, const db::Statement& stmt, const Page& page,
             db::Params filters) {
  db::Params p;
  p.push_back(db::Param::Int32(page.limit));
  p.push_back(db::Param::Int32(page.offset));
  p.push_back(db::Param::Text(page.sort));
  p.push_back(db::Param::Text(page.order));
  for (db::Param& f : filters) p.push_back(std::move(f));
  HttpCall* c = &call;
  db.Execute(stmt, std::move(p), [c, page](db::DbResult<db::PgResult> r) {
    if (!r.ok()) return RespondDbError(*c, r.error());
    RespondJson(*c, PageBody(r->GetString(0, 1), page, r->GetInt64(0, 0).value_or(0)));
  });
}

void RunLookup(HttpCall& call, db::PgConnection& db, const db::Statement& stmt, db::Params params) {
  HttpCall* c = &call;
  db.Execute(stmt, std::move(params), [c](db::DbResult<db::PgResult> r) {
    if (!r.ok()) return RespondDbError(*c, r.error());
    if (r->rows() == 0 || r->IsNull(0, 0)) return RespondError(*c, "ops.not_found", "Not found.");
    RespondJson(*c, "{\"data\":" + std::string(r->GetString(0, 0)) + "}");
  });
}

HttpHandler ListRoute(const db::Statement& stmt, std::vector<std::string> sorts, FilterFn filters,
                      std::string default_order) {
  std::vector<std::string> sort_list(sorts.begin(), sorts.end());
  return [&stmt, sort_list, filters, default_order](HttpCall& call) {
    HttpCall* c = &call;
    WithOpsDb(call, kRead,
              [c, &stmt, sort_list, filters, default_order](const OpsActor&, db::PgConnection& db) {
                std::optional<Page> page = ParsePage(*c, sort_list, default_order);
                if (!page) return;
                db::Params extra;
                if (filters && !filters(*c, *page, &extra)) return;
                RunList(*c, db, stmt, *page, std::move(extra));
              });
  };
}

HttpHandler UuidLookupRoute(const db::Statement& stmt) {
  return [&stmt](HttpCall& call) {
    std::string id(call.route.Param("id"));
    HttpCall* c = &call;
    WithOpsDb(call, kRead, [c, &stmt, id](const OpsActor&, db::PgConnection& db) {
      if (!IsCanonicalUuid(id)) return RespondError(*c, "ops.invalid_id", "Not a UUID.");
      RunLookup(*c, db, stmt, {db::Param::Uuid(id)});
    });
  };
}

}  // namespace asobi::ops
