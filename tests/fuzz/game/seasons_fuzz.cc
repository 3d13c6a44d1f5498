// Fuzz target: arbitrary bytes -> ParseSeasons (the --seasons file, docs/seasons.md). Must
// never crash; an accepted list holds valid ids and names, windows that do not overlap (sorted
// by starts_at), and board ids short enough for the reward idempotency key; CurrentSeason picks
// a season whose window holds the time asked.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "game/season/season_config.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace asobi::season;
  auto parsed = ParseSeasons(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!parsed.ok()) {
    Check(parsed.error().reason == "bad_seasons" && !parsed.error().message.empty());
    return 0;
  }
  const SeasonList& list = parsed.value();
  Check(list.size() <= kMaxSeasons);
  for (size_t i = 0; i < list.size(); ++i) {
    const Season& s = list[i];
    Check(ValidSeasonId(s.id));
    Check(!s.name.empty() && s.name.size() <= kMaxNameBytes);
    Check(s.starts_at_ms < s.ends_at_ms);
    Check(s.leaderboards.size() <= kMaxBoardsPerSeason);
    for (const auto& b : s.leaderboards) Check(!b.empty() && b.size() <= kMaxBoardIdBytes);
    Check(s.config_json.size() <= kMaxConfigBytes);
    if (i > 0) Check(list[i - 1].ends_at_ms <= s.starts_at_ms);
    const Season* at = CurrentSeason(list, s.starts_at_ms);
    Check(at != nullptr && at->id == s.id);
  }
  return 0;
}
