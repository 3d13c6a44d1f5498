// Game modes derived from the game directory (lua.md §1, §2): what a match, world or the
// matchmaker needs to know about a mode before any instance exists.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "script/module_sources.h"

namespace asobi::modes {

/// One mode, read from its main script's globals by the mode loader (pass (a) of §1).
/// Immutable once published; shared by every shard through ModeSet.
struct ModeConfig {
  std::string name;        // manifest key, or "default" for a lone match.lua
  std::string script_rel;  // path relative to the game directory, e.g. "demo/match.lua"
  std::string script_abs;  // absolute, symlinks resolved
  std::string dir_abs;     // absolute directory of the script: base of `require`
  std::string dir_rel;     // that directory relative to the game directory ("" or "demo/")
  /// The main script's text as loaded (matches compile it without touching the disk).
  std::shared_ptr<const std::string> source;

  int match_size = 0;             // required, > 0 (truncated)
  int max_players = 0;            // default match_size
  int min_players = 0;            // default match_size
  std::string strategy = "fill";  // "fill" or "skill_based"
  bool is_world = false;          // game_type == "world"
  bool shared_state = false;      // state_strategy == "shared" (§7)
  bool listed = false;            // default false for matches, true for worlds
  bool quick_play = false;        // default false for matches, true for worlds
  /// `reconnect_grace_ms` global (our extension, docs/decisions.md "Reconnect grace"): how
  /// long a running match keeps a player whose last socket closed, in ms. 0 (default, as
  /// upstream) = no reconnect policy: a disconnect is a leave.
  int64_t reconnect_grace_ms = 0;
  /// `chat_channels` global (ours; docs/decisions.md "Player directory, chat and DMs"): the
  /// names of the `global:<name>` chat channels this mode declares (websocket.md §8.1).
  std::vector<std::string> chat_channels;
};

/// Every mode of one derivation of the game directory, plus the deployment globals read from
/// config.lua. Immutable once published.
struct ModeSet {
  std::string game_dir;  // absolute
  std::map<std::string, std::shared_ptr<const ModeConfig>, std::less<>> modes;
  std::optional<bool> guest_auth;  // config.lua global, when a boolean
  std::string registration;        // config.lua global when valid, else ""
  /// `rpc` config.lua global (ours; docs/decisions.md "RPC"): the RPC script's path relative
  /// to the game directory, "" when the game defines no RPC methods.
  std::string rpc_script;
  /// `ops` config.lua global (ours; docs/decisions.md "Ops extension actions"): the script of
  /// the game's ops actions (/ops/ext/:extension/:action), "" when the game defines none.
  std::string ops_script;
  /// The game directory's `.lua` files as this derivation read them (`require` and the mode
  /// scripts); null for a set built by hand.
  std::shared_ptr<const script::ModuleSources> sources;

  /// The mode named `name`, or null.
  std::shared_ptr<const ModeConfig> Find(std::string_view name) const {
    auto it = modes.find(name);
    return it == modes.end() ? nullptr : it->second;
  }
};

}  // namespace asobi::modes
