#include "game/notification/notification_routes.h"

#include <string>

#include "game/notification/notification_service.h"
#include "game/rest_util.h"
#include "http/query.h"

namespace asobi::notification {
namespace {

using Next = std::function<void(HttpCall&, const std::string&, NotificationService&)>;

// Runs `next` with the caller's id and the shard's service, after the bearer check.
void WithService(HttpCall& call, Next next) {
  HttpCall* c = &call;
  WithPlayer(call, [c, next = std::move(next)](const std::string& player_id) {
    NotificationService* svc = NotificationService::OnThisShard();
    if (svc == nullptr) return RespondError(*c, "not_ready");
    next(*c, player_id, *svc);
  });
}

void List(HttpCall& call) {
  int limit = int(http::IntParam(call.request.query, "limit", 50, 1, 200));
  std::optional<bool> read = http::BoolParam(call.request.query, "read");
  WithService(call, [limit, read](HttpCall& c, const std::string& me, NotificationService& svc) {
    svc.List(me, read, limit, [&c](Result<std::string> r) {
      if (!r.ok()) return RespondError(c, r.error().reason);
      RespondJson(c, "{\"notifications\":" + r.value() + "}");
    });
  });
}

void MarkRead(HttpCall& call) {
  std::string id(call.route.Param("id"));
  WithService(call, [id](HttpCall& c, const std::string& me, NotificationService& svc) {
    svc.MarkRead(me, id, [&c](Result<std::string> r) {
      if (!r.ok()) return RespondError(c, r.error().reason);
      RespondJson(c, std::move(r.value()));
    });
  });
}

void Delete(HttpCall& call) {
  std::string id(call.route.Param("id"));
  WithService(call, [id](HttpCall& c, const std::string& me, NotificationService& svc) {
    svc.Delete(me, id, [&c](Result<bool> r) {
      if (!r.ok()) return RespondError(c, r.error().reason);
      RespondJson(c, "{\"success\":true}");
    });
  });
}

}  // namespace

void RegisterNotificationRoutes(HttpApi& api) {
  api.Add("GET", "/api/v1/notifications", &List);
  api.Add("PUT", "/api/v1/notifications/:id/read", &MarkRead);
  api.Add("DELETE", "/api/v1/notifications/:id", &Delete);
}

}  // namespace asobi::notification
