// World: the world state of one live world (lua.md §8, websocket.md §10): its own Lua state
// running init/join/leave/spawn_position/post_tick, the roster with each player's zone and
// interest ring, the tick clock that drives its zones, and the routing of players' entities
// and inputs to the zones. Lives on the world's owner shard (OwnerShardOf(world_id)) for life;
// its zones live on every shard (ZoneShard) and are reached only by mailbox.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/result.h"
#include "game/client.h"
#include "game/match/match_phases.h"
#include "game/match/match_vote.h"
#include "game/world/runtime/lua_instance.h"
#include "game/world/runtime/world_node.h"
#include "game/world/runtime/world_settings.h"
#include "game/world/runtime/zone.h"
#include "game/world/runtime/zone_snapshot.h"
#include "script/game_api/api_host.h"

namespace asobi::world {

class WorldService;

/// Budgets of lua.md §8, ms.
inline constexpr int kWorldMainChunkBudgetMs = 2000;
inline constexpr int kWorldInitBudgetMs = 2000;
inline constexpr int kWorldJoinBudgetMs = 200;
inline constexpr int kSpawnPositionBudgetMs = 100;
inline constexpr int kPostTickBudgetMs = 500;
inline constexpr int kGenerateWorldBudgetMs = 5000;
inline constexpr int kZoneLoadedBudgetMs = 200;
inline constexpr int kTerrainProviderBudgetMs = 2000;
inline constexpr int kZoneUnloadedBudgetMs = 200;
inline constexpr int kWorldRecoveredBudgetMs = 2000;
inline constexpr int kWorldPhasesBudgetMs = 2000;
inline constexpr int kWorldPhaseCallbackBudgetMs = 200;
/// world.phase_changed is re-sent (without world_id) to every member this often, ms
/// (websocket.md §10.10; docs/decisions.md "World phases and votes").
inline constexpr int64_t kPhaseResendMs = 3000;
/// Open world votes at once; further `_vote` requests are ignored while this many run.
inline constexpr size_t kWorldOpenVotesMax = 8;
/// Lowest accepted `snapshot_interval`, ms (lower values are raised to it).
inline constexpr int64_t kMinSnapshotIntervalMs = 10;
inline constexpr int kSpawnTemplatesBudgetMs = 2000;
/// Lowest accepted `tick_rate`, ms (lower values are raised to it).
inline constexpr int kMinTickMs = 10;
/// Highest accepted `grid_size` (a grid of up to 1024 x 1024 zones, loaded lazily).
inline constexpr int kMaxGridSize = 1024;

class World final : public script::game_api::ApiHost {
 public:
  /// The answer to a join, on the world's shard: `reason` empty and the world.joined payload,
  /// or the error reason (websocket.md §10.3).
  using JoinReply = std::function<void(std::string reason, std::string joined_json)>;

  World(WorldService& service, WorldListing listing, std::shared_ptr<const modes::ModeConfig> mode);
  ~World() override;

  /// Creates the world state (main chunk 2000 ms), reads the world globals, runs
  /// init(config) (2000 ms), starts the tick clock and lists the world as running.
  /// Errors: "script_failed".
  Status Start();

  const std::string& id() const { return listing_.world_id; }
  const WorldSettings& settings() const { return *settings_; }

  /// Adds `player_id` (world_full, then join/spawn_position, then the player entity into its
  /// zone). A player already in this world keeps their seat (the connection is replaced).
  void Join(const std::string& player_id, ClientRef client, const std::string& ctx_json,
            JoinReply reply);
  /// After world.joined reached the player's socket: subscribes it to the zones of its ring
  /// (each sends a keyframe). `binary`: the connection negotiated the binary wire (§11).
  void Subscribe(const std::string& player_id, ClientRef client, bool binary);
  /// Removes the player (leave callback, entity removed, removal frames). No-op when absent,
  /// or when `only_client` is set and another connection holds the seat.
  void Leave(const std::string& player_id, const ClientRef* only_client = nullptr);
  /// The player's socket `client` closed. Without the mode's `reconnect_grace_ms` this is
  /// Leave; with it the player keeps the seat and its entity (no subscriptions) until a tick
  /// after the deadline, unless Reattach comes first.
  void Detach(const std::string& player_id, ClientRef client);
  /// A socket of a player in grace authenticated: it takes the seat back (no world.joined);
  /// `reattached()` runs on the world's shard when it did, and the caller subscribes it. When
  /// another socket still holds the seat (a reconnect whose old socket's close has not arrived
  /// yet), the new one waits as the successor and takes the seat at that socket's Detach
  /// instead of a grace (the newest socket wins; docs/decisions.md "One socket per seat").
  void Reattach(const std::string& player_id, ClientRef client, bool binary,
                std::function<void()> reattached);
  /// Routes one world.input (with its envelope `seq`, -1 when absent) to the zone holding the
  /// player's entity (lossy when full).
  void Input(const std::string& player_id, std::string input_json, int64_t seq);
  /// world.resync (§10.7) from `client`: the zone sends that connection a keyframe when the
  /// zone is in the player's ring and the limits allow (2 per 10 s per player, 20 per second
  /// per node); otherwise nothing happens.
  void Resync(const std::string& player_id, ClientRef client, int64_t x, int64_t y);
  /// Resyncs a player may ask for per window, and the window.
  static constexpr int kResyncPerPlayer = 2;
  static constexpr int64_t kResyncWindowMs = 10'000;
  /// An entity left zone `from` for `c.to`: it enters that zone (loaded if needed); a player's
  /// interest ring follows it.
  void Crossed(ZoneKey from, Zone::Crossing c);
  // Persistence and unloading (world_persist.cc; docs/decisions.md "World persistence").
  /// Before Start: the zone snapshots of a persistent world re-created at server start; each
  /// zone starts from its snapshot when it loads, and Start calls on_world_recovered.
  void SetRecovered(std::vector<ZoneSnapshot> zones);
  /// Zone `key` has been idle for zone_idle_timeout (or called game.zone.park(), `park`): it
  /// is unloaded unless a member's interest ring or entity is there.
  void ZoneIdle(ZoneKey key, bool park);
  /// The zone refused to unload (it got subscribers, entities or input meanwhile): live again.
  void ZoneKept(ZoneKey key);
  /// The zone unloaded (its snapshot stays on its shard): on_zone_unloaded(cx, cy, state).
  void ZoneUnloaded(ZoneKey key);
  /// A zone restarted after a runaway callback: on_world_recovered(snapshot, state) with
  /// `snapshot_json` ({reason = "zone_restart", zone_x, zone_y, restarted, tick, entities,
  /// zone_state}).
  void ZoneRecovered(ZoneKey key, const std::string& snapshot_json);
  /// Hot reload (lua.md §16, world_reload.cc): the mode watcher's changed files; when they
  /// concern this world state, it reloads at the start of its next tick.
  void NoteScriptsChanged(const modes::ChangedFiles& files);
  // Votes (world_votes.cc; lua.md §6 "Worlds", websocket.md §7).
  /// vote.cast from a member: "" when accepted, else the §7.1 reason (not_in_match,
  /// world_not_ready, vote_not_found, vote_closed, not_eligible, invalid_option, rate_limited).
  std::string CastVote(const std::string& player_id, const std::string& vote_id,
                       const std::string& option_json);
  /// vote.veto from a member: "" when the vote was vetoed, else the §7.2 reason.
  std::string VetoVote(const std::string& player_id, const std::string& vote_id);
  /// The phase info block (PhaseClock::InfoJson), "" without phases.
  std::string PhaseInfoJson() const { return phases_.InfoJson(); }
  /// Sends `world.<event>` with `payload_json` to every member (game.broadcast, §9).
  void BroadcastEvent(const std::string& event, const std::string& payload_json);

  // script::game_api::ApiHost
  script::game_api::HostKind kind() const override { return script::game_api::HostKind::kWorld; }
  const std::string& instance_id() const override { return listing_.world_id; }
  const std::string& script_name() const override { return mode_->script_rel; }
  bool AllowLog() override;
  void Broadcast(std::string_view event, std::string_view payload_json) override;
  void Send(std::string_view player_id, std::string_view message_json) override;
  void SetJoinable(bool) override {}
  bool CanSuspend(lua_State*) override { return false; }
  void BeginAsync(script::game_api::AsyncStart) override {}
  void RunAfterMs(int64_t delay_ms, std::function<void()> fn) override;

 private:
  struct Member {
    ClientRef client;
    ZoneKey zone;
    bool subscribed = false;
    bool binary = false;
    std::set<ZoneKey> ring;
    std::vector<int64_t> resyncs_ms;  // accepted world.resync times in the current window
    int64_t grace_until_ms = 0;       // in reconnection grace until then (0: connected)
    /// A newer socket of the player that authenticated while `client` still held the seat
    /// (its close not seen yet): it takes the seat when `client` detaches (Reattach).
    struct Successor {
      ClientRef client;
      bool binary = false;
      std::function<void()> reattached;
    };
    std::optional<Successor> successor;
  };

  void ReadSettings();
  /// Pushes the table `init` and `phases` receive: {world_id, mode, grid_size, zone_size}.
  int PushConfigTable(lua_State* s) const;
  /// Start of Tick (world_reload.cc): runs a pending reload; after a successful one re-reads
  /// spawn_templates and hands every loaded zone the new settings (code and templates).
  void MaybeReload();
  void ScheduleTick();
  void ExpireGrace();
  void Tick();
  void Finish(const std::string& result_json);
  int ShardOf(ZoneKey key) const;
  void EnsureZone(ZoneKey key);
  std::set<ZoneKey> RingOf(ZoneKey center) const;
  void MoveRing(const std::string& player_id, Member& m);
  void PublishListing();
  bool RunStateCallback(const char* name, int budget_ms, const std::string& player_id,
                        const std::string* extra_json);
  void LogFailure(const char* callback, const std::string& message);

  WorldService& service_;
  WorldListing listing_;
  std::shared_ptr<const modes::ModeConfig> mode_;
  std::shared_ptr<WorldSettings> settings_;
  std::unique_ptr<LuaInstance> lua_;
  int state_ref_ = -2;
  std::map<std::string, Member> members_;
  std::set<ZoneKey> zones_;  // loaded (asked to load) zones
  /// generate_world's zone states (JSON objects), handed to each zone when it loads.
  std::map<ZoneKey, std::string> generated_;
  void GenerateWorld();
  /// terrain_provider(config) -> {module, args} or nil. Errors: the provider's
  /// ("unknown_terrain_provider", "invalid_terrain_args"): the world does not start.
  Status ReadTerrainProvider();
  /// spawn_templates(config) (2000 ms) into settings_->templates (world_spawn_templates.cc).
  void ReadSpawnTemplates();
  /// on_zone_loaded(cx, cy, state) -> zone_state, state; returns the zone_state JSON ("" when
  /// the callback is absent, failed or returned no table: the generated one is used).
  std::string ZoneLoaded(ZoneKey key);
  /// Snapshots from PostgreSQL not yet handed to their zone (a zone loads from it once).
  std::map<ZoneKey, ZoneSnapshot> recovered_;
  /// Reads `persistent`, `zone_idle_timeout`, `zone_park_on_idle` (world_persist.cc).
  void ReadPersistenceSettings(lua_State* L);
  /// At the end of Start: records a persistent world, runs on_world_recovered after a server
  /// restart and resumes the tick count.
  void StartPersistence();
  /// Runs on_world_recovered(snapshot, state) (2000 ms) with `snapshot_json`.
  void RunRecovered(const std::string& snapshot_json);
  /// Before a zone's first load: its recovered snapshot, moved out (nullopt when none).
  std::optional<ZoneSnapshot> TakeRecovered(ZoneKey key);
  // Phases (world_phases.cc; lua.md §5, websocket.md §10.10).
  /// After init: phases(config) (2000 ms); a malformed return means no phases.
  void LoadPhases();
  /// Runs on_phase_started/on_phase_ended (200 ms each) for `events`, then pushes
  /// world.phase_changed with world_id when there were any. True when they completed the
  /// phases (the caller finishes the world with phases_complete).
  bool RunPhaseEvents(const std::vector<match::PhaseEvent>& events);
  /// Per world tick: advances the clock by tick_ms and re-sends the phase every
  /// kPhaseResendMs. True when the world finished (phases_complete).
  bool TickPhases();
  /// The roster changed (a join): a waiting `{players = N}` phase may start.
  void PhasesOnRoster();
  /// The world.phase_changed payload (with `world_id` on transitions).
  std::string PhaseChangedJson(bool with_world_id) const;
  /// Copies the phase info block into the listing (world.list, GET /worlds, world.joined).
  void PublishPhase();
  /// world.phase_changed without world_id to one connection (a joining player).
  void SendPhaseTo(const ClientRef& client);
  match::PhaseClock phases_;
  int64_t phase_resend_ms_ = 0;  // tick time since the last periodic phase push

  struct OpenVote {
    std::unique_ptr<match::Vote> vote;
    int64_t start_ms = 0;
    int64_t window_end_ms = 0;
    uint64_t timer = 0;
  };
  /// `_vote` read from post_tick's state (a JSON object): starts the vote unless one with the
  /// same id or template is open (lua.md §6 "one vote per template").
  void RequestVote(const std::string& config_json);
  void ArmVoteTimer(OpenVote& v, int64_t delay_ms);
  /// The open vote `vote_id` of a running world's member; else null and `*reason` set
  /// (not_in_match, world_not_ready, vote_closed, vote_not_found).
  OpenVote* FindOpenVote(const std::string& player_id, const std::string& vote_id,
                         std::string* reason);
  void ResolveVote(const std::string& vote_id);
  /// Remembers a closed vote id (vote_closed for late casts).
  void NoteClosedVote(const std::string& vote_id);
  /// Cancels every vote timer (finish, destruction).
  void AbandonVotes();
  std::vector<OpenVote> votes_;
  std::vector<std::string> closed_votes_;  // the last kClosedVotesKept (64) closed ids
  std::map<std::string, int> vetoes_used_;
  int64_t vote_log_ms_ = 0;

  uint64_t tick_ = 0;
  int64_t next_tick_ms_ = 0;
  uint64_t timer_ = 0;
  bool finished_ = false;
  int64_t log_window_ms_ = 0;
  int log_count_ = 0;
  int64_t failure_log_ms_ = 0;
};

}  // namespace asobi::world
