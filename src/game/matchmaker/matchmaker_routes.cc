#include "game/matchmaker/matchmaker_routes.h"

#include "game/matchmaker/matchmaker.h"
#include "game/matchmaker/matchmaker_handlers.h"
#include "game/matchmaker/matchmaker_wire.h"
#include "game/rest_util.h"
#include "http/error_response.h"

namespace asobi::matchmaker {
namespace {

// Maps a matchmaker reason to the REST error envelope (rest.md §1.3).
http::HttpResponse ErrorFor(std::string_view reason) {
  if (reason == "unknown_mode") {
    return http::ErrorResponse("matchmaker.unknown_mode", "No game mode has that name.");
  }
  if (reason == "queue_full") {
    return http::ErrorResponse("matchmaker.queue_full", "The matchmaking queue is full.");
  }
  if (reason == "not_found") {
    return http::ErrorResponse("matchmaker.ticket_not_found", "No such ticket.");
  }
  if (reason == "not_owner") return http::ErrorResponse("forbidden", "Not your ticket.");
  if (reason == "invalid_payload") {
    return http::ErrorResponse("invalid_payload", "mode must be a string, properties an object.");
  }
  if (reason == "internal") return http::ErrorResponse("internal", "Internal server error.");
  std::string details = "{\"reason\":\"" + std::string(reason) + "\"}";
  return http::ErrorResponse("ws.request_failed", "The matchmaker refused the request.", details);
}

http::HttpResponse JsonOk(std::string body) {
  http::HttpResponse r;
  r.body = std::move(body);
  return r;
}

void Post(HttpCall& call) {
  HttpCall* c = &call;
  WithPlayer(call, [c](const std::string& player_id) {
    Matchmaker* mm = Matchmaker::OnThisShard();
    if (mm == nullptr) return c->respond(ErrorFor("internal"));
    JsonValue body;
    if (!ParseBody(*c, &body)) return;
    AddRequest req;
    Status parsed = ParseAddRequest(body, true, &req);
    if (!parsed.ok()) return c->respond(ErrorFor(parsed.error().reason));
    if (!mm->node().FindMode(req.mode)) return c->respond(ErrorFor("unknown_mode"));
    req.player_id = player_id;
    HttpRespond respond = c->respond;  // the call may be gone when the reply arrives
    mm->Add(std::move(req), [respond](Result<AddReply> r) {
      respond(r.ok() ? JsonOk(QueuedPayload(r.value())) : ErrorFor(r.error().reason));
    });
  });
}

void Get(HttpCall& call) {
  HttpCall* c = &call;
  WithPlayer(call, [c](const std::string& player_id) {
    Matchmaker* mm = Matchmaker::OnThisShard();
    if (mm == nullptr) return c->respond(ErrorFor("internal"));
    HttpRespond respond = c->respond;
    mm->Get(std::string(c->route.Param("ticket_id")), player_id, [respond](Result<TicketStatus> r) {
      respond(r.ok() ? JsonOk(TicketStatusJson(r.value())) : ErrorFor(r.error().reason));
    });
  });
}

void Delete(HttpCall& call) {
  HttpCall* c = &call;
  WithPlayer(call, [c](const std::string& player_id) {
    Matchmaker* mm = Matchmaker::OnThisShard();
    if (mm == nullptr) return c->respond(ErrorFor("internal"));
    HttpRespond respond = c->respond;
    mm->Remove(std::string(c->route.Param("ticket_id")), player_id, [respond](Status st) {
      respond(st.ok() ? JsonOk(R"({"success":true})") : ErrorFor(st.error().reason));
    });
  });
}

}  // namespace

void RegisterMatchmakerRoutes(HttpApi& api) {
  for (const char* base : {"/api/v1/matchmaker", "/api/v1/matchmaker/tickets"}) {
    std::string b = base;
    api.Add("POST", b, &Post);
    api.Add("GET", b + "/:ticket_id", &Get);
    api.Add("DELETE", b + "/:ticket_id", &Delete);
  }
}

}  // namespace asobi::matchmaker
