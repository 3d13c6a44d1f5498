// TerrainArgs: typed, validated reads of a terrain provider's JSON args (terrain_provider.h).
// Internal to the terrain providers.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "base/result.h"
#include "simdjson.h"

namespace asobi::world::terrain {

/// Parses the args once, then hands out each key with a range check; the first problem is
/// kept and reported by Finish(), which also refuses keys nobody read. Not thread-safe.
class TerrainArgs {
 public:
  /// `json`: an object, `[]` (empty Lua table) or empty text (no args).
  explicit TerrainArgs(std::string_view json);

  /// Integer member `key` in [lo, hi] (a JSON number with an integral value), else `dflt`.
  int64_t Int(std::string_view key, int64_t lo, int64_t hi, int64_t dflt);
  /// Finite number member `key` with lo <= v <= hi (lo_open: lo < v), else `dflt`.
  double Number(std::string_view key, double lo, double hi, double dflt, bool lo_open = false);
  /// Records a cross-argument error (e.g. min > max) unless one is recorded already.
  void Fail(std::string message);
  /// Ok, or "invalid_terrain_args" naming the first problem or unknown key.
  Status Finish(std::string_view provider);

 private:
  std::optional<simdjson::dom::element> Get(std::string_view key);

  simdjson::dom::parser parser_;
  simdjson::dom::object object_;
  bool has_object_ = false;
  std::set<std::string, std::less<>> read_;
  std::string error_;
};

}  // namespace asobi::world::terrain
