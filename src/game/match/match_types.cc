#include "game/match/match_types.h"

#include "protocol/json_writer.h"

namespace asobi::match {

std::string_view StatusName(MatchStatus s) {
  switch (s) {
    case MatchStatus::kWaiting:
      return "waiting";
    case MatchStatus::kRunning:
      return "running";
    case MatchStatus::kFinished:
      return "finished";
  }
  return "waiting";
}

std::string ListingJson(const MatchListing& l) {
  JsonWriter w;
  w.BeginObject();
  w.Key("match_id");
  w.String(l.match_id);
  w.Key("mode");
  w.String(l.mode);
  w.Key("status");
  w.String(StatusName(l.status));
  w.Key("player_count");
  w.Int(l.player_count);
  w.Key("max_players");
  w.Int(l.max_players);
  w.Key("joinable");
  w.Bool(l.joinable);
  if (!l.phase_json.empty()) {
    w.Key("phase");
    w.Raw(l.phase_json);
  }
  w.EndObject();
  return w.Take();
}

}  // namespace asobi::match
