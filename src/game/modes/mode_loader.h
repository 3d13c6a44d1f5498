// The mode loader (lua.md §1 "Game directory", §2 "Mode globals").
#pragma once

#include <memory>
#include <string>

#include "base/result.h"
#include "game/modes/mode_config.h"

namespace asobi::modes {

/// The bundled game directory baked in at build time (the repository's lua/ folder).
const char* DefaultGameDir();

/// Derives the modes of `game_dir`:
///  1. `config.lua` present: the manifest. Evaluated in a bare sandbox (no `game`, no
///     `require`) with a 2000 ms budget; it must return a table of
///     `mode_name = "relative/path.lua"`. Every entry is loaded with LoadMode; if any fails
///     the whole derivation fails. Its globals `guest_auth` and `registration` are read.
///  2. else `match.lua` present: the only mode, named "default".
///  3. else no modes.
/// Every `.lua` file is taken from `sources`, a snapshot of the game directory
/// (script::ModuleSources::Scan of its real path; scanned here when null), which the result
/// keeps in `ModeSet::sources` for `require` in matches and bots.
/// Blocking (file reads, Lua): call at start-up or on the watcher thread. Errors:
/// "mode_load_failed" with a message naming the file (and line when Lua gives one), e.g.
/// "demo/match.lua:12: '=' expected near 'x'" or "demo/match.lua: match_size is required (a
/// number > 0)"; "game_dir_missing" when the directory does not exist.
Result<ModeSet> LoadModes(const std::string& game_dir,
                          std::shared_ptr<const script::ModuleSources> sources = nullptr);

/// Loads one mode: checks `<game_dir>/<rel_path>` (path rules of §1; `game_dir` is the real
/// path), takes its text from `sources`, runs its top level in a sandbox without `game` (with
/// `require` over `sources`) under a 2000 ms budget, then reads and validates the §2 globals.
/// Logs `lua_config_global_ignored` for a non-boolean `listed`/`quick_play` and warns once
/// about missing required callbacks. Errors: "mode_load_failed" as above.
Result<std::shared_ptr<const ModeConfig>> LoadMode(
    const std::string& game_dir, const std::string& name, const std::string& rel_path,
    const std::shared_ptr<const script::ModuleSources>& sources);

}  // namespace asobi::modes
