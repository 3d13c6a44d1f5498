// Fuzzes the vote rules (src/game/match/match_vote.h): the input's first line is a
// `vote_requested` config as JSON (ParseVoteConfig), each further line a cast
// `<player index digit><option_id JSON>` as vote.cast brings it from the wire. Every cast must
// answer "" or one of the reasons of websocket.md §7.1, the tally and result JSON must parse,
// and counts can never exceed the number of ballots times the options. Weighted votes run with
// frustration weights; Decided() (adaptive windows) runs after every cast.
#include <simdjson.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "game/match/match_vote.h"

namespace {

uint32_t First(uint32_t) { return 0; }

bool KnownReason(const std::string& r) {
  return r.empty() || r == "not_eligible" || r == "invalid_option" || r == "rate_limited";
}

void MustParse(simdjson::dom::parser& p, const std::string& json) {
  simdjson::dom::element e;
  if (p.parse(json).get(e) != simdjson::SUCCESS || !e.is_object()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  const size_t nl = in.find('\n');
  auto config = asobi::match::ParseVoteConfig(in.substr(0, nl));
  if (!config.ok()) return 0;
  asobi::match::Vote vote(std::move(config.value()), {"p0", "p1", "p2"}, 0);
  // Weighted votes: p1 lost one vote before, p2 four (frustration weights 1.5 and 3).
  vote.SetWeights(
      {{"p1", asobi::match::FrustrationWeight(1)}, {"p2", asobi::match::FrustrationWeight(4)}});
  simdjson::dom::parser parser;
  simdjson::dom::parser out_parser;
  size_t pos = nl == std::string_view::npos ? in.size() : nl + 1;
  while (pos < in.size()) {
    size_t end = in.find('\n', pos);
    if (end == std::string_view::npos) end = in.size();
    std::string_view line = in.substr(pos, end - pos);
    pos = end + 1;
    if (line.size() < 2) continue;
    std::string player = "p";
    player.push_back(line[0]);
    simdjson::dom::element option;
    std::string body(line.substr(1));
    if (parser.parse(body).get(option) != simdjson::SUCCESS) continue;
    if (!KnownReason(vote.Cast(player, option))) std::abort();
    MustParse(out_parser, vote.TallyJson(100));
    (void)vote.Decided();  // the adaptive check must hold for any ballots
  }
  asobi::match::VoteResult r = vote.Resolve(&First);
  if (r.total_votes > 3) std::abort();
  MustParse(out_parser, vote.ResultJson(r));
  MustParse(out_parser, vote.CallbackJson(r));
  // One outcome per ballot (frustration streaks), so at most one per eligible voter.
  if (r.winner && vote.BallotOutcomes(r).size() > 3) std::abort();
  return 0;
}
