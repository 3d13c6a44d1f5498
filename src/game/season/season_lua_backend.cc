#include "game/season/season_lua_backend.h"

namespace asobi::season {
namespace {

script::game_api::SeasonBackend::Info InfoOf(const Season& s) {
  return {s.id, s.name, s.starts_at_ms, s.ends_at_ms, s.leaderboards, s.config_json};
}

}  // namespace

std::optional<script::game_api::SeasonBackend::Info> SeasonLuaBackend::Current(
    int64_t now_ms) const {
  const Season* s = CurrentSeason(*seasons_, now_ms);
  if (s == nullptr) return std::nullopt;
  return InfoOf(*s);
}

std::optional<script::game_api::SeasonBackend::Info> SeasonLuaBackend::Next(int64_t now_ms) const {
  for (const Season& s : *seasons_) {  // sorted by starts_at
    if (s.starts_at_ms > now_ms) return InfoOf(s);
  }
  return std::nullopt;
}

}  // namespace asobi::season
