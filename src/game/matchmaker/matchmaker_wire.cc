#include "game/matchmaker/matchmaker_wire.h"

#include "protocol/frame.h"
#include "protocol/json_writer.h"

namespace asobi::matchmaker {

std::string QueuedPayload(const AddReply& reply) {
  JsonWriter w;
  w.BeginObject();
  w.Key("ticket_id");
  w.String(reply.ticket_id);
  w.Key("status");
  w.String("pending");
  w.Key("players_needed");
  if (reply.players_needed > 0) {
    w.Int(reply.players_needed);
  } else {
    w.Null();
  }
  w.Key("already_queued");
  w.Bool(reply.already_queued);
  w.EndObject();
  return w.Take();
}

std::string MatchedFrame(std::string_view match_id, const std::vector<std::string>& players) {
  JsonWriter w;
  BeginFrame(&w, "match.matched", nullptr);
  w.BeginObject();
  w.Key("match_id");
  w.String(match_id);
  w.Key("players");
  w.BeginArray();
  for (const std::string& p : players) w.String(p);
  w.EndArray();
  w.EndObject();
  EndFrame(&w);
  return w.Take();
}

std::string ExpiredFrame(std::string_view ticket_id) {
  JsonWriter w;
  BeginFrame(&w, "match.matchmaker_expired", nullptr);
  w.BeginObject();
  w.Key("ticket_id");
  w.String(ticket_id);
  w.EndObject();
  EndFrame(&w);
  return w.Take();
}

std::string FailedFrame(std::string_view reason) {
  JsonWriter w;
  BeginFrame(&w, "match.matchmaker_failed", nullptr);
  w.BeginObject();
  w.Key("reason");
  w.String(reason);
  w.EndObject();
  EndFrame(&w);
  return w.Take();
}

std::string TicketStatusJson(const TicketStatus& s) {
  JsonWriter w;
  w.BeginObject();
  w.Key("id");
  w.String(s.id);
  w.Key("mode");
  w.String(s.mode);
  w.Key("status");
  w.String(s.status);
  w.Key("properties");
  w.Raw(s.properties_json.empty() ? std::string_view("{}") : std::string_view(s.properties_json));
  w.Key("submitted_at");
  w.Int(s.submitted_at_ms);
  if (!s.match_id.empty()) {
    w.Key("match_id");
    w.String(s.match_id);
  }
  w.EndObject();
  return w.Take();
}

}  // namespace asobi::matchmaker
