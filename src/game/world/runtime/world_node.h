// WorldNode: the node-wide directory of live worlds (websocket.md §10.1-§10.3, rest.md §3.11):
// their listings, the capacity limits (worlds per node, worlds per creating player) and the
// index of which world each player is in (`already_in_world`). Node-wide behind one mutex,
// held for one map operation; written on create, join, leave and finish, never per tick or
// per world.input.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/task.h"
#include "game/modes/mode_registry.h"

namespace asobi::world {

/// Node-wide limits (websocket.md §3 "Worlds").
struct WorldNodeOptions {
  int world_max = 1000;          // live worlds per node: world_capacity_reached
  int world_max_per_player = 5;  // live worlds created by one player: player_world_limit_reached
};

/// What world.list, GET /worlds and world.joined show of one world (§10.1, §10.3).
struct WorldListing {
  std::string world_id;
  std::string mode;
  std::string status = "loading";  // loading | running | finished
  int player_count = 0;
  int max_players = 0;
  int grid_size = 0;
  int64_t started_at_ms = -1;  // wall clock ms; -1 while loading (JSON null, DECISIONS wire 1)
  bool listed = true;
  bool quick_play = true;
  std::string owner_player;  // the creator (per-player limit)
  int owner_shard = 0;       // where the world state runs
  std::vector<std::string> players;
  /// The phase info block (`{status, phase, remaining_ms, start_condition[, config]}`, lua.md
  /// §5) as JSON, "" when the world has no phases (then no `phase` key is written).
  std::string phase_json;
};

/// The listing as the JSON object of §10.1 (`world_id`, `status`, `player_count`,
/// `max_players`, `mode`, `grid_size`, `started_at`, and `phase` when the world has phases).
std::string ListingJson(const WorldListing& l);
/// world.joined's payload (§10.3): the listing plus `listed`, `quick_play`, `players`.
std::string JoinedJson(const WorldListing& l);

/// Thread-safe; one per node, shared by every shard.
class WorldNode {
 public:
  WorldNode(WorldNodeOptions options, modes::ModeRegistry* modes, int shard_count)
      : options_(options), modes_(modes), shard_count_(shard_count) {}

  const WorldNodeOptions& options() const { return options_; }
  modes::ModeRegistry& modes() { return *modes_; }
  int shard_count() const { return shard_count_; }

  /// Reserves a new world: "" on success (the listing is stored, status loading), else
  /// `world_capacity_reached` or `player_world_limit_reached`. Any thread.
  std::string Insert(const WorldListing& listing);
  /// Removes a finished world and the player index entries pointing at it. Any thread.
  void Remove(const std::string& world_id);
  /// Replaces status/started_at/players of a listed world (the owner shard). Any thread.
  void Update(const std::string& world_id, const std::string& status, int64_t started_at_ms,
              const std::vector<std::string>& players);
  /// Replaces the phase block of a listed world (the owner shard, on phase transitions and
  /// every kPhaseResendMs). Any thread.
  void UpdatePhase(const std::string& world_id, const std::string& phase_json);
  /// The listing of `world_id`, or nullopt. Any thread.
  std::optional<WorldListing> Find(const std::string& world_id) const;
  /// Listed worlds in loading/running, filtered (§10.1), sorted by id. Any thread.
  std::vector<WorldListing> List(const std::optional<std::string>& mode, bool has_capacity) const;
  /// A quick_play, non-full running world of `mode` (listed or not), or "" (§10.2).
  std::string FindQuickPlay(std::string_view mode) const;

  /// Live worlds (any status). Any thread.
  size_t live() const {
    std::lock_guard<std::mutex> lock(mu_);
    return worlds_.size();
  }

  /// Players in a world (the world.join index: joined, or in reconnection grace), for
  /// /metrics asobi_world_players. Any thread.
  size_t players() const {
    std::lock_guard<std::mutex> lock(mu_);
    return player_world_.size();
  }
  /// Zones loaded on this node (every shard), and of them those idle at their last tick
  /// (cold ticking: no subscriber, entity or input; lua.md §8 `cold_tick_divisor`). Kept by
  /// Zone (construction, destruction, each tick); read by /metrics. Relaxed atomics.
  std::atomic<int64_t> zones_live{0};
  std::atomic<int64_t> zones_cold{0};

  /// The node-wide world.resync bucket (websocket.md §3: 20 per fixed 1 s window); true =
  /// allowed and counted. Any thread (one mutex operation per accepted resync request).
  bool AllowResync(int64_t now_ms) {
    std::lock_guard<std::mutex> lock(mu_);
    if (now_ms - resync_window_ms_ >= 1000) {
      resync_window_ms_ = now_ms;
      resync_count_ = 0;
    }
    return ++resync_count_ <= kResyncPerSecond;
  }
  static constexpr int kResyncPerSecond = 20;

  /// The world `player_id` is a member of, or "". Any thread.
  std::string WorldOf(const std::string& player_id) const;
  /// Records `player_id` in `world_id` (or clears it when `world_id` is empty and the player
  /// was in `expected`). Any thread.
  void SetWorldOf(const std::string& player_id, const std::string& world_id);
  void ClearWorldOf(const std::string& player_id, const std::string& expected);

  /// The error a new world of `owner_player` would get now (`world_capacity_reached`,
  /// `player_world_limit_reached`), or "". Any thread.
  std::string CapacityError(const std::string& owner_player) const;
  /// The owner shard of the next new world (round robin). Any thread.
  int PickShard() { return int(next_shard_.fetch_add(1) % unsigned(shard_count_)); }

  /// Runs `fn` on shard `shard` from any thread (set by the server; tests may leave it null).
  std::function<void(int shard, Task fn)> post_to_shard;

 private:
  std::string CapacityErrorLocked(const std::string& owner_player) const;

  const WorldNodeOptions options_;
  modes::ModeRegistry* modes_;
  const int shard_count_;
  std::atomic<unsigned> next_shard_{0};
  mutable std::mutex mu_;
  std::map<std::string, WorldListing> worlds_;
  int64_t resync_window_ms_ = 0;
  int resync_count_ = 0;
  std::unordered_map<std::string, std::string> player_world_;
};

}  // namespace asobi::world
