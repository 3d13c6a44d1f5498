// ApiHost: what the `game.*` functions (lua.md §9) need from the instance whose Lua state they
// run in (a match now; worlds and zones later). Implemented by the instance runtime in game/.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

struct lua_State;

namespace asobi::script::game_api {

/// Which runtime hosts the state (§9 "Where": M, W, Z; kRpc: a game's RPC handlers, ours,
/// docs/decisions.md "RPC: game.* in handlers").
enum class HostKind { kMatch, kWorld, kZone, kRpc };

/// Pushes the values an asynchronous operation resumes the suspended callback with, onto `L`
/// (protected mode, owner thread), and returns how many it pushed.
using AsyncReply = std::function<int(lua_State* L)>;
/// Delivers the reply; call once, on the instance's shard, at any later time (never from
/// inside the AsyncStart call itself: post it).
using AsyncComplete = std::function<void(AsyncReply)>;
/// Starts the operation after the callback's coroutine has yielded.
using AsyncStart = std::function<void(AsyncComplete)>;

/// The instance a Lua state belongs to. Every method runs on the instance's shard, called from
/// a `game.*` C function while a callback runs. Implementations must not raise Lua errors.
class ApiHost {
 public:
  virtual ~ApiHost() = default;

  /// Which kind of instance this is (decides which `game.*` functions it may call).
  virtual HostKind kind() const = 0;
  /// The match/world/zone id (for logs).
  virtual const std::string& instance_id() const = 0;
  /// Basename of the main script (for logs, §15).
  virtual const std::string& script_name() const = 0;

  /// game.log rate limits: 30 lines/s per instance and 300/s per node. True = may log.
  virtual bool AllowLog() = 0;
  /// game.broadcast after validation: `event` is a valid, unreserved leaf and `payload_json` an
  /// encoded JSON object of at most 64 KiB. Goes to every roster member.
  virtual void Broadcast(std::string_view event, std::string_view payload_json) = 0;
  /// game.send after validation: `message_json` is any encoded JSON value.
  virtual void Send(std::string_view player_id, std::string_view message_json) = 0;
  /// game.match.set_joinable (match hosts only).
  virtual void SetJoinable(bool open) = 0;

  /// True when the callback running on coroutine `L` may suspend (lua.md §9 "Synchronous
  /// persistence"): it runs in the instance's callback coroutine and nothing is pending.
  virtual bool CanSuspend(lua_State* L) = 0;
  /// Registers the operation of a suspending call. The C function then returns
  /// `lua_yield(L, 0)`; the host calls `start` once the coroutine has yielded, marks the
  /// instance busy, and resumes the callback with the reply, or with `{error = "timeout"}`
  /// after 2000 ms (a later reply is then dropped).
  virtual void BeginAsync(AsyncStart start) = 0;
  /// Runs `fn` on the instance's shard after `delay_ms` (for test operations).
  virtual void RunAfterMs(int64_t delay_ms, std::function<void()> fn) = 0;

  /// game.bots.add after validation (`name`: 1-32 of [A-Za-z0-9_-]), lua.md §9. Match hosts
  /// only; asynchronous; the host applies the silent no-op rules (full, same name, 64 bots).
  virtual void AddBot(std::string_view /*name*/) {}
  /// game.bots.remove (bare name or full bot id, this instance only), lua.md §9. Asynchronous.
  virtual void RemoveBot(std::string_view /*name_or_id*/) {}
  /// Zone hosts: pushes the zone's entity table onto `L` and returns true (the zone forms of
  /// game.spatial, lua.md §9). Others push nothing and return false.
  virtual bool PushZoneEntities(lua_State* /*L*/) { return false; }
  /// Zone hosts: pushes a new table `{id = copy}` of the entities the touching zones mirror
  /// to this one (their border bands; lua.md §9 neighbours_*) and returns true. Others push
  /// nothing and return false.
  virtual bool PushNeighbourEntities(lua_State* /*L*/) { return false; }
  /// game.zone.apply (zone hosts, lua.md §9): sends `event_json` (encoded JSON) to the zone
  /// whose border band holds `entity_id`, for its next handle_effects. False when no touching
  /// zone publishes that entity, the event exceeds 4 KiB or this zone already sent 64 effects
  /// this tick.
  virtual bool ZoneApply(std::string_view /*entity_id*/, std::string /*event_json*/) {
    return false;
  }
  /// game.zone.despawn (zone hosts): removes `entity_id` from this zone's entity table now.
  virtual void ZoneDespawn(std::string_view /*entity_id*/) {}
  /// game.zone.spawn (zone hosts): true when `template_id` names a live spawn template (the
  /// entity is added asynchronously at (x, y) with the encoded JSON object `overrides_json`
  /// merged over the template's base_state); false for an unknown template.
  virtual bool ZoneSpawn(std::string_view /*template_id*/, double /*x*/, double /*y*/,
                         std::string /*overrides_json*/) {
    return false;
  }
  /// game.match.ready(player_id): the player signalled ready for an `"all_ready"` phase
  /// (docs/decisions.md "rounds"). False when `player_id` is not in the roster.
  virtual bool MarkReady(std::string_view /*player_id*/) { return false; }
};

}  // namespace asobi::script::game_api
