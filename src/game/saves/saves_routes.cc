// REST routes of the cloud saves (rest.md §3.9): GET /saves, GET /saves/:slot, PUT
// /saves/:slot. Each runs on the shard of the HTTP connection through that shard's
// SavesService; without a database they answer 503 `not_ready`.
#include "game/saves/saves_routes.h"

#include <optional>
#include <string>

#include "game/rest_util.h"
#include "game/saves/saves_service.h"
#include "protocol/json_writer.h"

namespace asobi::saves {
namespace {

thread_local SavesService* t_service = nullptr;

void WithSaves(HttpCall& call,
               std::function<void(HttpCall&, const std::string&, SavesService&)> next) {
  HttpCall* c = &call;
  WithPlayer(call, [c, next = std::move(next)](const std::string& player_id) {
    if (t_service == nullptr) return RespondError(*c, "not_ready");
    next(*c, player_id, *t_service);
  });
}

bool ValidSlot(std::string_view slot) { return !slot.empty() && slot.size() <= kMaxSlotBytes; }

void List(HttpCall& call) {
  WithSaves(call, [](HttpCall& c, const std::string& player_id, SavesService& svc) {
    svc.List(player_id, [&c](Result<std::string> r) {
      if (!r.ok()) return RespondError(c, r.error().reason);
      RespondJson(c, "{\"saves\":" + r.value() + "}");
    });
  });
}

void Get(HttpCall& call) {
  std::string slot(call.route.Param("slot"));
  WithSaves(call, [slot](HttpCall& c, const std::string& player_id, SavesService& svc) {
    if (!ValidSlot(slot)) return RespondError(c, "save.not_found", "No such save.");
    svc.Get(player_id, slot, [&c](Result<std::string> r) {
      if (!r.ok()) {
        if (r.error().reason == "not_found") {
          return RespondError(c, "save.not_found", "No such save.");
        }
        return RespondError(c, r.error().reason);
      }
      RespondJson(c, r.value());
    });
  });
}

void RespondPutError(HttpCall& c, const std::string& reason, int64_t current_version) {
  if (reason == "version_conflict") {
    JsonWriter d;
    d.BeginObject();
    d.Key("current_version");
    d.Int(current_version);
    d.EndObject();
    return RespondError(c, "save.version_conflict", "The save has another version.", d.Take());
  }
  if (reason == "slot_limit_reached") {
    return RespondError(c, "save.slot_limit_reached", "At most 10 save slots.");
  }
  RespondError(c, reason);
}

void Put(HttpCall& call) {
  std::string slot(call.route.Param("slot"));
  WithSaves(call, [slot](HttpCall& c, const std::string& player_id, SavesService& svc) {
    JsonValue body;
    if (!ParseBody(c, &body)) return;
    if (!ValidSlot(slot)) return RespondError(c, "invalid_payload", "A slot is 1-255 bytes.");
    std::string data = "{}";
    if (std::optional<JsonValue> d = GetField(body, "data"); d && !d->is_null()) {
      if (!d->is_object()) return RespondError(c, "invalid_payload", "data must be an object.");
      data = ToJson(*d);
      if (data.size() > kMaxDataBytes) {
        return RespondError(c, "save.too_large", "data must be 262144 bytes or less.");
      }
    }
    std::optional<int64_t> version;
    if (std::optional<JsonValue> v = GetField(body, "version"); v && !v->is_null()) {
      version = GetInt(body, "version");
      if (!version || *version < 0 || *version > 2147483647) {
        return RespondError(c, "invalid_payload", "version must be an integer >= 0.");
      }
    }
    svc.Put(player_id, slot, std::move(data), version,
            [&c](Result<std::string> r, int64_t current_version) {
              if (!r.ok()) return RespondPutError(c, r.error().reason, current_version);
              RespondJson(c, r.value());
            });
  });
}

}  // namespace

void SetSavesServiceOnThisShard(SavesService* svc) { t_service = svc; }

void RegisterSavesRoutes(HttpApi& api) {
  api.Add("GET", "/api/v1/saves", &List);
  api.Add("GET", "/api/v1/saves/:slot", &Get);
  api.Add("PUT", "/api/v1/saves/:slot", &Put);
}

}  // namespace asobi::saves
