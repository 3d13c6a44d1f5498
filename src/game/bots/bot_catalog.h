// BotCatalog: each mode's `bots` global and its bot script (lua.md §2 `bots`, §10), read once
// at start-up so that bots are created later without touching the disk.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "game/modes/mode_config.h"

namespace asobi::bots {

/// The fallback bot names of lua.md §10 when the bot script has no `names`.
inline const std::vector<std::string>& DefaultBotNames() {
  static const std::vector<std::string> kNames = {"Spark", "Blitz", "Volt", "Neon", "Pulse"};
  return kNames;
}

/// One mode's bot settings. Immutable once built.
struct BotModeConfig {
  std::string mode;
  /// Queue fill is on: `bots.script` is set (and valid) and `bots.enabled ~= false`.
  bool queue_fill = false;
  /// lua.md §10 target: bots.min_players (default match_size), capped at max_players and 64.
  int fill_target = 0;
  std::string script_rel;  ///< chunk name, relative to the game directory ("skirmish/bot.lua")
  std::string dir_abs;     ///< the bot script's directory: base of its `require`
  std::string dir_rel;     ///< that directory relative to the game directory, "" or "x/"
  /// The bot script's text; null when the mode has no (valid) bot script: default AI only.
  std::shared_ptr<const std::string> source;
  /// The script's `names` global (strings, in order), else DefaultBotNames().
  std::vector<std::string> names;
};

/// Built once; shared read-only by every shard.
class BotCatalog {
 public:
  /// Evaluates every match mode's main script top level (sandbox without `game`, 2000 ms) to
  /// read `bots`, then loads and evaluates each bot script to read `names`. A bad
  /// `bots.script` (path rules of lua.md §1, missing file, failing top level) drops that
  /// mode's bot config with a warning. Blocking (file reads, Lua): start-up only.
  static std::shared_ptr<const BotCatalog> Build(const modes::ModeSet& modes);

  /// The mode's settings, or null when it has no `bots` table (any thread).
  const BotModeConfig* Find(std::string_view mode) const;

  /// For tests: adds or replaces one mode's settings.
  void Put(BotModeConfig config);

 private:
  std::map<std::string, BotModeConfig, std::less<>> modes_;
};

}  // namespace asobi::bots
