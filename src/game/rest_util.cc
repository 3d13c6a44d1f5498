#include "game/rest_util.h"

#include "base/clock.h"
#include "game/auth/account_service.h"
#include "game/rate_limits.h"
#include "http/error_response.h"
#include "protocol/errors.h"

namespace asobi {
namespace {

thread_local simdjson::dom::parser t_parser;
thread_local simdjson::dom::document_stream* t_unused = nullptr;

std::string_view DefaultMessage(std::string_view code) {
  if (code == "unauthenticated") return "Missing or invalid bearer token.";
  if (code == "invalid_json") return "The request body is not valid JSON.";
  if (code == "invalid_payload") return "The request body must be a JSON object.";
  if (code == "missing_field") return "A required field is missing.";
  if (code == "rate_limited") return "Too many requests; retry later.";
  if (code == "not_ready") return "The service is not ready (database unavailable).";
  if (code == "validation_failed") return "Some fields are invalid.";
  if (code == "auth.username_taken") return "That username is taken.";
  if (code == "auth.invalid_credentials") return "Wrong username or password.";
  if (code == "player.not_found") return "No such player.";
  if (code == "forbidden") return "Not allowed.";
  if (code == "internal") return "Internal server error.";
  return "Request failed.";
}

bool RateLimited(HttpCall& call, std::string_view key) {
  if (call.game.rate_limits == nullptr) return false;
  int64_t retry_ms = 0;
  std::string_view group = RateGroupForPath(call.request.path);
  if (call.game.rate_limits->Allow(group, key, MonoMs(), &retry_ms)) return false;
  int64_t secs = retry_ms / 1000;
  std::string extra = "\"retry_after\":" + std::to_string(secs);
  http::HttpResponse r =
      http::ErrorResponse("rate_limited", DefaultMessage("rate_limited"),
                          "{\"retry_after\":" + std::to_string(secs) + "}", extra);
  r.extra_headers.push_back({"retry-after", std::to_string(secs)});
  call.respond(std::move(r));
  return true;
}

}  // namespace

bool ParseBody(HttpCall& call, JsonValue* out) {
  (void)t_unused;
  std::string_view body = call.request.body;
  size_t i = body.find_first_not_of(" \t\r\n");
  std::string_view text = i == std::string_view::npos ? std::string_view("{}") : body;
  simdjson::dom::element el;
  if (t_parser.parse(text.data(), text.size(), true).get(el) != simdjson::SUCCESS) {
    RespondError(call, "invalid_json");
    return false;
  }
  if (!IsObject(el)) {
    RespondError(call, "invalid_payload");
    return false;
  }
  *out = el;
  return true;
}

void RespondError(HttpCall& call, std::string_view code, std::string_view message,
                  std::string_view details_json, std::string_view extra_members) {
  call.respond(http::ErrorResponse(code, message.empty() ? DefaultMessage(code) : message,
                                   details_json, extra_members));
}

void RespondJson(HttpCall& call, std::string body, int status) {
  http::HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  call.respond(std::move(r));
}

std::string_view BearerToken(const http::HttpRequest& req) {
  std::string_view h = req.Header("authorization");
  if (h.substr(0, 7) != "Bearer ") return {};
  return h.substr(7);
}

bool AllowByIp(HttpCall& call) { return !RateLimited(call, call.peer_ip); }

void WithPlayer(HttpCall& call, std::function<void(const std::string& player_id)> next) {
  std::string_view token = BearerToken(call.request);
  if (token.empty() || call.game.accounts == nullptr) {
    if (!RateLimited(call, call.peer_ip)) RespondError(call, "unauthenticated");
    return;
  }
  HttpCall* c = &call;
  // HttpCall lives until respond() is called, so it is safe to use from the callback.
  call.game.accounts->ResolveAccess(token, [c, next = std::move(next)](Result<std::string> r) {
    if (!r.ok()) {
      if (!RateLimited(*c, c->peer_ip)) RespondError(*c, r.error().reason);
      return;
    }
    if (RateLimited(*c, r.value())) return;
    next(r.value());
  });
}

}  // namespace asobi
