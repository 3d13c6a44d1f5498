// REST routes of the storage collections (rest.md §3.9). Each runs on the shard of the HTTP
// connection through that shard's StorageService; without a database they answer 503
// `not_ready`.
#include "game/saves/storage_routes.h"

#include <optional>
#include <string>

#include "game/rest_util.h"
#include "game/saves/storage_service.h"
#include "http/query.h"

namespace asobi::saves {
namespace {

thread_local StorageService* t_service = nullptr;

struct Path {
  std::string collection;
  std::string key;
  bool valid() const {
    return !collection.empty() && collection.size() <= kMaxStorageNameBytes &&
           key.size() <= kMaxStorageNameBytes;
  }
};

void WithStorage(HttpCall& call,
                 std::function<void(HttpCall&, const std::string&, StorageService&)> next) {
  HttpCall* c = &call;
  WithPlayer(call, [c, next = std::move(next)](const std::string& player_id) {
    if (t_service == nullptr) return RespondError(*c, "not_ready");
    next(*c, player_id, *t_service);
  });
}

void RespondFailure(HttpCall& c, const std::string& reason) {
  if (reason == "not_found") return RespondError(c, "storage.not_found", "No such object.");
  if (reason == "forbidden") {
    return RespondError(c, "storage.forbidden", "The object's permissions do not allow it.");
  }
  if (reason == "conflict") {
    return RespondError(c, "storage.conflict", "Several players hold this key.");
  }
  if (reason == "query_failed") return RespondError(c, "storage.query_failed");
  RespondError(c, reason);
}

Path PathOf(const HttpCall& call) {
  return Path{std::string(call.route.Param("collection")), std::string(call.route.Param("key"))};
}

void List(HttpCall& call) {
  std::string collection(call.route.Param("collection"));
  int limit = int(http::IntParam(call.request.query, "limit", 50, 1, 200));
  WithStorage(call,
              [collection, limit](HttpCall& c, const std::string& player_id, StorageService& svc) {
                if (collection.size() > kMaxStorageNameBytes)
                  return RespondJson(c, "{\"objects\":[]}");
                svc.List(collection, player_id, limit, [&c](Result<std::string> r) {
                  if (!r.ok()) return RespondFailure(c, r.error().reason);
                  RespondJson(c, "{\"objects\":" + r.value() + "}");
                });
              });
}

void Get(HttpCall& call) {
  Path p = PathOf(call);
  WithStorage(call, [p](HttpCall& c, const std::string& player_id, StorageService& svc) {
    if (!p.valid()) return RespondFailure(c, "not_found");
    svc.Get(p.collection, p.key, player_id, [&c](Result<std::string> r) {
      if (!r.ok()) return RespondFailure(c, r.error().reason);
      RespondJson(c, r.value());
    });
  });
}

// A perm field: absent/null -> nullopt; "public"/"owner"; anything else -> false.
bool ReadPerm(JsonValue body, std::string_view field, std::optional<std::string>* out) {
  std::optional<JsonValue> v = GetField(body, field);
  if (!v || v->is_null()) return true;
  std::optional<std::string_view> s = GetString(body, field);
  if (!s || (*s != "public" && *s != "owner")) return false;
  *out = std::string(*s);
  return true;
}

void Put(HttpCall& call) {
  Path p = PathOf(call);
  WithStorage(call, [p](HttpCall& c, const std::string& player_id, StorageService& svc) {
    JsonValue body;
    if (!ParseBody(c, &body)) return;
    if (!p.valid()) {
      return RespondError(c, "storage.invalid_request", "collection and key are 1-255 bytes.");
    }
    std::string value = "{}";
    if (std::optional<JsonValue> v = GetField(body, "value"); v && !v->is_null()) {
      if (!v->is_object()) {
        return RespondError(c, "storage.invalid_request", "value must be an object.");
      }
      value = ToJson(*v);
      if (value.size() > kMaxStorageValueBytes) {
        return RespondError(c, "storage.value_too_large", "value must be 262144 bytes or less.");
      }
    }
    std::optional<std::string> read_perm, write_perm;
    if (!ReadPerm(body, "read_perm", &read_perm) || !ReadPerm(body, "write_perm", &write_perm)) {
      return RespondError(c, "storage.invalid_perm", "Permissions are public or owner.");
    }
    svc.Put(p.collection, p.key, player_id, std::move(value), std::move(read_perm),
            std::move(write_perm), [&c](Result<std::string> r) {
              if (!r.ok()) return RespondFailure(c, r.error().reason);
              RespondJson(c, r.value());
            });
  });
}

void Delete(HttpCall& call) {
  Path p = PathOf(call);
  WithStorage(call, [p](HttpCall& c, const std::string& player_id, StorageService& svc) {
    if (!p.valid()) return RespondFailure(c, "not_found");
    svc.Delete(p.collection, p.key, player_id, [&c](Status r) {
      if (!r.ok()) return RespondFailure(c, r.error().reason);
      RespondJson(c, "{\"success\":true}");
    });
  });
}

}  // namespace

void SetStorageServiceOnThisShard(StorageService* svc) { t_service = svc; }

void RegisterStorageRoutes(HttpApi& api) {
  api.Add("GET", "/api/v1/storage/:collection", &List);
  api.Add("GET", "/api/v1/storage/:collection/:key", &Get);
  api.Add("PUT", "/api/v1/storage/:collection/:key", &Put);
  api.Add("DELETE", "/api/v1/storage/:collection/:key", &Delete);
}

}  // namespace asobi::saves
