// Seasons as operators define them (docs/seasons.md): the JSON file named by --seasons, parsed
// once at start-up. Immutable after parsing; shared read-only by every shard (no locks).
//
// File format: {"seasons": [{"id", "name", "starts_at", "ends_at", "leaderboards", "rewards",
// "config"}, ...]}; times are Unix ms, `leaderboards` the ids of the boards that reset at the
// season's end, `rewards` rank ranges (game/tournament/rewards.h) paid on each of them,
// `config` any JSON object handed to clients and Lua as it is.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "game/tournament/rewards.h"

namespace asobi::season {

/// Bounds of the seasons file (docs/decisions.md "Seasons").
inline constexpr size_t kMaxFileBytes = 1 << 20;
inline constexpr size_t kMaxSeasons = 1000;
inline constexpr size_t kMaxBoardsPerSeason = 32;
inline constexpr size_t kMaxIdBytes = 64;
inline constexpr size_t kMaxNameBytes = 255;
inline constexpr size_t kMaxConfigBytes = 16384;
/// A season's board ids are shorter than the leaderboards' 255 bytes so that the reward
/// idempotency key `season:<id>:<board>` fits the ledger's 255 bytes.
inline constexpr size_t kMaxBoardIdBytes = 180;

/// One season. starts_at_ms < ends_at_ms.
struct Season {
  std::string id;    // ValidSeasonId
  std::string name;  // 1-255 bytes of UTF-8
  int64_t starts_at_ms = 0;
  int64_t ends_at_ms = 0;
  std::vector<std::string> leaderboards;  // distinct board ids (1-180 bytes each)
  std::vector<tournament::RewardRange> rewards;
  std::string rewards_json = "[]";  // `rewards` as given (minified)
  std::string config_json = "{}";   // `config` object as given (minified)
};

/// Every season, sorted by starts_at; windows do not overlap.
using SeasonList = std::vector<Season>;

/// True when `id` is a valid season id: 1-64 bytes of [A-Za-z0-9._-], not `current` (a route).
bool ValidSeasonId(std::string_view id);

/// Parses the file's text. Errors (reason "bad_seasons", message naming the problem): not an
/// object with a `seasons` array, an unknown key, a season missing a field or with one out of
/// range, a duplicate id, overlapping windows, more than kMaxSeasons seasons, bad rewards.
Result<SeasonList> ParseSeasons(std::string_view json);

/// Reads and parses `path` (empty path: no seasons). Errors: as ParseSeasons, plus unreadable
/// or larger than kMaxFileBytes.
Result<std::shared_ptr<const SeasonList>> LoadSeasonsFile(const std::string& path);

/// The season whose window holds `now_ms` (starts_at <= now < ends_at), or null.
const Season* CurrentSeason(const SeasonList& seasons, int64_t now_ms);

}  // namespace asobi::season
