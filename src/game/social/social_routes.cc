// REST routes of friends and groups (rest.md §3.3). Service reasons are rest.md §1.3 codes
// already; 422 answers carry the legacy top-level `errors` map (rest.md §1.3).
#include "game/social/social_routes.h"

#include <string>

#include "game/presence/presence_service.h"
#include "game/rest_util.h"
#include "game/social/group_input.h"
#include "game/social/social_service.h"
#include "http/query.h"
#include "protocol/json_writer.h"
#include "simdjson.h"

namespace asobi::social {
namespace {

using Next = std::function<void(HttpCall&, const std::string&, SocialService&)>;

// Runs `next` with the caller's id and the shard's service, after the bearer check.
void WithSocial(HttpCall& call, Next next) {
  HttpCall* c = &call;
  WithPlayer(call, [c, next = std::move(next)](const std::string& player_id) {
    SocialService* svc = SocialService::OnThisShard();
    if (svc == nullptr) return RespondError(*c, "not_ready");
    next(*c, player_id, *svc);
  });
}

// 422 validation_failed with {"errors":{field:[msg]}} in details and at the top level.
void RespondValidation(HttpCall& call, const FieldProblems& problems) {
  JsonWriter w;
  w.BeginObject();
  for (const auto& [field, msg] : problems) {
    w.Key(field);
    w.BeginArray();
    w.String(msg);
    w.EndArray();
  }
  w.EndObject();
  std::string extra;
  extra.append("\"errors\":").append(w.out());
  std::string details;
  details.append("{").append(extra).append("}");
  RespondError(call, "validation_failed", {}, details, extra);
}

// Answers a JSON row (or `{"<key>":<rows>}` when `key` is set) or the service's error.
JsonCallback Reply(HttpCall& c, std::string key = {}) {
  return [&c, key = std::move(key)](Result<std::string> r) {
    if (!r.ok()) return RespondError(c, r.error().reason);
    if (key.empty()) return RespondJson(c, std::move(r.value()));
    RespondJson(c, "{\"" + key + "\":" + r.value() + "}");
  };
}

DoneCallback ReplySuccess(HttpCall& c) {
  return [&c](Result<bool> r) {
    if (!r.ok()) return RespondError(c, r.error().reason);
    RespondJson(c, "{\"success\":true}");
  };
}

// The rows of GET /friends with the friend's presence added (our extension, docs/decisions.md
// "Presence"): `online` and `presence_status` (null when offline); rows other than `accepted`
// show offline, since presence is shared with accepted friends only.
std::string WithPresence(const std::string& rows_json, const std::vector<std::string>& ids,
                         const std::vector<presence::Presence>& found) {
  simdjson::dom::parser parser;
  simdjson::dom::element rows;
  if (parser.parse(rows_json).get(rows) != simdjson::SUCCESS || !rows.is_array()) return rows_json;
  JsonWriter w;
  w.BeginArray();
  size_t k = 0;
  for (simdjson::dom::element row : rows.get_array()) {
    simdjson::dom::object obj;
    if (row.get(obj) != simdjson::SUCCESS) continue;
    w.BeginObject();
    for (auto field : obj) {
      w.Key(field.key);
      WriteJsonValue(&w, field.value);
    }
    const presence::Presence* p = nullptr;
    std::optional<std::string_view> st = GetString(row, "status");
    std::optional<std::string_view> fid = GetString(row, "friend_id");
    if (st && *st == "accepted" && fid && k < ids.size() && ids[k] == *fid) p = &found[k++];
    w.Key("online");
    w.Bool(p != nullptr && p->online);
    w.Key("presence_status");
    if (p != nullptr && p->online) {
      w.Raw(p->status_json);
    } else {
      w.Null();
    }
    w.EndObject();
  }
  w.EndArray();
  return w.Take();
}

// The friend ids of the accepted rows, in row order.
std::vector<std::string> AcceptedFriendIds(const std::string& rows_json) {
  std::vector<std::string> ids;
  simdjson::dom::parser parser;
  simdjson::dom::element rows;
  if (parser.parse(rows_json).get(rows) != simdjson::SUCCESS || !rows.is_array()) return ids;
  for (simdjson::dom::element row : rows.get_array()) {
    std::optional<std::string_view> st = GetString(row, "status");
    std::optional<std::string_view> fid = GetString(row, "friend_id");
    if (st && *st == "accepted" && fid) ids.emplace_back(*fid);
  }
  return ids;
}

void ListFriends(HttpCall& call) {
  std::optional<std::string> status = http::GetParam(call.request.query, "status");
  int limit = int(http::IntParam(call.request.query, "limit", 50, 1, 200));
  WithSocial(call, [status, limit](HttpCall& c, const std::string& me, SocialService& svc) {
    HttpCall* cp = &c;
    svc.Friends(me, status, limit, [cp](Result<std::string> r) {
      if (!r.ok()) return RespondError(*cp, r.error().reason);
      presence::PresenceService* p = presence::PresenceService::OnThisShard();
      std::vector<std::string> ids = AcceptedFriendIds(r.value());
      if (p == nullptr)
        return RespondJson(*cp, "{\"friends\":" + WithPresence(r.value(), {}, {}) + "}");
      p->Query(ids, [cp, ids, rows = std::move(r.value())](std::vector<presence::Presence> found) {
        RespondJson(*cp, "{\"friends\":" + WithPresence(rows, ids, found) + "}");
      });
    });
  });
}

void AddFriend(HttpCall& call) {
  WithSocial(call, [](HttpCall& c, const std::string& me, SocialService& svc) {
    JsonValue body;
    if (!ParseBody(c, &body)) return;
    std::optional<std::string_view> friend_id = GetString(body, "friend_id");
    if (!friend_id) return RespondError(c, "invalid_payload", "friend_id must be a string.");
    svc.RequestFriend(me, std::string(*friend_id), Reply(c));
  });
}

bool ValidStatus(std::string_view s) { return s == "pending" || s == "accepted" || s == "blocked"; }

void UpdateFriend(HttpCall& call) {
  std::string requester(call.route.Param("friend_id"));
  WithSocial(call, [requester](HttpCall& c, const std::string& me, SocialService& svc) {
    JsonValue body;
    if (!ParseBody(c, &body)) return;
    std::optional<std::string_view> status = GetString(body, "status");
    if (status && ValidStatus(*status)) {
      return svc.UpdateFriend(me, requester, std::string(*status), Reply(c));
    }
    // The row is looked up first (404), then the changeset is checked (422).
    std::string problem = GetField(body, "status") ? "is invalid" : "can't be blank";
    svc.FriendshipExists(me, requester, [&c, problem](Result<bool> r) {
      if (!r.ok()) return RespondError(c, r.error().reason);
      if (!r.value()) return RespondError(c, "social.friendship_not_found");
      RespondValidation(c, {{"status", problem}});
    });
  });
}

void RemoveFriend(HttpCall& call) {
  std::string friend_id(call.route.Param("friend_id"));
  WithSocial(call, [friend_id](HttpCall& c, const std::string& me, SocialService& svc) {
    svc.RemoveFriend(me, friend_id, ReplySuccess(c));
  });
}

void CreateGroup(HttpCall& call) {
  WithSocial(call, [](HttpCall& c, const std::string& me, SocialService& svc) {
    JsonValue body;
    if (!ParseBody(c, &body)) return;
    GroupChanges f;
    FieldProblems problems = ReadGroupFields(body, true, &f);
    if (!problems.empty()) return RespondValidation(c, problems);
    svc.CreateGroup(me, std::move(*f.name), std::move(f.description), *f.max_members, *f.open,
                    Reply(c));
  });
}

void GetGroup(HttpCall& call) {
  std::string id(call.route.Param("id"));
  WithSocial(call, [id](HttpCall& c, const std::string&, SocialService& svc) {
    svc.GetGroup(id, Reply(c));
  });
}

void UpdateGroup(HttpCall& call) {
  std::string id(call.route.Param("id"));
  WithSocial(call, [id](HttpCall& c, const std::string& me, SocialService& svc) {
    JsonValue body;
    if (!ParseBody(c, &body)) return;
    GroupChanges f;
    FieldProblems problems = ReadGroupFields(body, false, &f);
    if (!problems.empty()) return RespondValidation(c, problems);
    svc.UpdateGroup(me, id, std::move(f), Reply(c));
  });
}

void JoinGroup(HttpCall& call) {
  std::string id(call.route.Param("id"));
  WithSocial(call, [id](HttpCall& c, const std::string& me, SocialService& svc) {
    svc.JoinGroup(me, id, [&c, id](Result<bool> r) {
      if (!r.ok()) return RespondError(c, r.error().reason);
      JsonWriter w;
      w.BeginObject();
      w.Key("success");
      w.Bool(true);
      w.Key("group_id");
      w.String(id);
      w.EndObject();
      RespondJson(c, w.Take());
    });
  });
}

void LeaveGroup(HttpCall& call) {
  std::string id(call.route.Param("id"));
  WithSocial(call, [id](HttpCall& c, const std::string& me, SocialService& svc) {
    svc.LeaveGroup(me, id, ReplySuccess(c));
  });
}

void Members(HttpCall& call) {
  std::string id(call.route.Param("id"));
  WithSocial(call, [id](HttpCall& c, const std::string&, SocialService& svc) {
    svc.Members(id, Reply(c, "members"));
  });
}

void SetRole(HttpCall& call) {
  std::string id(call.route.Param("id"));
  std::string target(call.route.Param("player_id"));
  WithSocial(call, [id, target](HttpCall& c, const std::string& me, SocialService& svc) {
    JsonValue body;
    if (!ParseBody(c, &body)) return;
    std::optional<std::string_view> role = GetString(body, "role");
    if (!role) return RespondError(c, "social.invalid_role");
    svc.SetRole(me, id, target, std::string(*role), Reply(c));
  });
}

void Kick(HttpCall& call) {
  std::string id(call.route.Param("id"));
  std::string target(call.route.Param("player_id"));
  WithSocial(call, [id, target](HttpCall& c, const std::string& me, SocialService& svc) {
    svc.Kick(me, id, target, ReplySuccess(c));
  });
}

}  // namespace

void RegisterSocialRoutes(HttpApi& api) {
  api.Add("GET", "/api/v1/friends", &ListFriends);
  api.Add("POST", "/api/v1/friends", &AddFriend);
  api.Add("PUT", "/api/v1/friends/:friend_id", &UpdateFriend);
  api.Add("DELETE", "/api/v1/friends/:friend_id", &RemoveFriend);
  api.Add("POST", "/api/v1/groups", &CreateGroup);
  api.Add("GET", "/api/v1/groups/:id", &GetGroup);
  api.Add("PUT", "/api/v1/groups/:id", &UpdateGroup);
  api.Add("POST", "/api/v1/groups/:id/join", &JoinGroup);
  api.Add("POST", "/api/v1/groups/:id/leave", &LeaveGroup);
  api.Add("GET", "/api/v1/groups/:id/members", &Members);
  api.Add("PUT", "/api/v1/groups/:id/members/:player_id/role", &SetRole);
  api.Add("DELETE", "/api/v1/groups/:id/members/:player_id", &Kick);
}

}  // namespace asobi::social
