#include "game/world/runtime/world_routes.h"

#include "game/rest_util.h"
#include "game/world/runtime/world.h"
#include "game/world/runtime/world_create.h"
#include "game/world/runtime/world_service.h"
#include "http/query.h"

namespace asobi::world {
namespace {

void ListWorlds(HttpCall& call) {
  std::string query = call.request.query;
  HttpCall* c = &call;
  WithPlayer(call, [c, query](const std::string&) {
    WorldService* svc = WorldService::OnThisShard();
    if (svc == nullptr) return RespondJson(*c, R"({"worlds":[]})");
    std::optional<std::string> mode = http::GetParam(query, "mode");
    if (mode && mode->size() > 64) mode.reset();  // rest.md: ignored if > 64 bytes
    const bool has_capacity = http::BoolParam(query, "has_capacity").value_or(false);
    std::string body = "{\"worlds\":[";
    bool first = true;
    for (const WorldListing& l : svc->node().List(mode, has_capacity)) {
      if (!first) body.push_back(',');
      first = false;
      body += ListingJson(l);
    }
    body += "]}";
    RespondJson(*c, std::move(body));
  });
}

void GetWorld(HttpCall& call) {
  std::string id(call.route.Param("id"));
  HttpCall* c = &call;
  WithPlayer(call, [c, id](const std::string&) {
    WorldService* svc = WorldService::OnThisShard();
    std::optional<WorldListing> l = svc ? svc->node().Find(id) : std::nullopt;
    if (!l || l->status == "finished") {
      return RespondError(*c, "world.not_found", "No live world has this id.");
    }
    RespondJson(*c, ListingJson(*l));
  });
}

void CreateWorldRoute(HttpCall& call) {
  JsonValue body;
  if (!ParseBody(call, &body)) return;
  std::optional<std::string> mode;
  if (auto v = GetField(body, "mode")) {
    std::string_view m;
    if (v->get(m) == simdjson::SUCCESS) mode = std::string(m);
  }
  HttpCall* c = &call;
  WithPlayer(call, [c, mode](const std::string& player) {
    if (!mode) return RespondError(*c, "invalid_payload", "mode is required.");
    WorldService* svc = WorldService::OnThisShard();
    if (svc == nullptr) {
      return RespondError(*c, "world.create_failed", "",
                          R"({"reason":"world_server_not_started"})");
    }
    std::string cap = svc->node().CapacityError(player);
    if (cap == "world_capacity_reached") return RespondError(*c, "world.capacity_reached");
    if (!cap.empty()) return RespondError(*c, "world.player_limit_reached");
    auto config = svc->node().modes().Current()->Find(*mode);
    if (!config) return RespondError(*c, "world.create_failed", "", R"({"reason":"not_found"})");
    if (!config->is_world) {
      return RespondError(*c, "world.create_failed", "", R"({"reason":"wrong_mode_type"})");
    }
    const int caller = svc->host().shard_id();
    CreateWorld(
        *svc, config, player,
        [c, caller](World& w) {
          std::string id = w.id();
          WorldService* owner = WorldService::OnThisShard();
          owner->host().SubmitReplyTo(caller, [c, id] {
            WorldService* s = WorldService::OnThisShard();
            std::optional<WorldListing> l = s->node().Find(id);
            if (!l) return RespondError(*c, "world.create_failed", "", R"({"reason":"finished"})");
            RespondJson(*c, ListingJson(*l), 201);
          });
        },
        [c](std::string reason) {
          if (reason == "world_capacity_reached") return RespondError(*c, "world.capacity_reached");
          if (reason == "player_world_limit_reached") {
            return RespondError(*c, "world.player_limit_reached");
          }
          RespondError(*c, "world.create_failed", "", "{\"reason\":\"" + reason + "\"}");
        });
  });
}

}  // namespace

void RegisterWorldRoutes(HttpApi& api) {
  api.Add("GET", "/api/v1/worlds", &ListWorlds);
  api.Add("GET", "/api/v1/worlds/:id", &GetWorld);
  api.Add("POST", "/api/v1/worlds", &CreateWorldRoute);
}

}  // namespace asobi::world
