#include "game/world/runtime/world.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <lua.hpp>

#include "base/clock.h"
#include "base/log.h"
#include "game/world/runtime/world_chat.h"
#include "game/world/runtime/world_router.h"
#include "game/world/runtime/world_service.h"
#include "protocol/frame.h"
#include "script/json_append.h"
#include "script/lua_json.h"
#include "script/protected_call.h"
#include "ws/ws_codec.h"

namespace asobi::world {
namespace {

thread_local simdjson::dom::parser t_parser;

// A positive (or, with `allow_zero`, non-negative) numeric global, truncated; else `fallback`
// (lua.md §2 typing rules: anything else is ignored silently).
int IntGlobal(lua_State* L, const char* name, int fallback, bool allow_zero, int max) {
  lua_pushstring(L, name);
  lua_rawget(L, LUA_GLOBALSINDEX);
  int v = fallback;
  if (lua_type(L, -1) == LUA_TNUMBER) {
    const double d = lua_tonumber(L, -1);
    if (std::isfinite(d) && (d > 0 || (allow_zero && d >= 0))) {
      v = d >= double(max) ? max : int(d);
      if (v == 0 && !allow_zero) v = 1;
    }
  }
  lua_pop(L, 1);
  return v;
}

}  // namespace

World::World(WorldService& service, WorldListing listing,
             std::shared_ptr<const modes::ModeConfig> mode)
    : service_(service), listing_(std::move(listing)), mode_(std::move(mode)) {
  settings_ = std::make_shared<WorldSettings>();
  settings_->mode = mode_;
}

World::~World() {
  if (timer_ != 0) service_.host().CancelTimer(timer_);
  AbandonVotes();
}

void World::LogFailure(const char* callback, const std::string& message) {
  const int64_t now = service_.host().NowMs();
  if (now - failure_log_ms_ < 1000) return;
  failure_log_ms_ = now;
  LOG_WARN("lua callback failed")
      .KV("world", listing_.world_id)
      .KV("callback", callback)
      .KV("message", message);
}

void World::ReadSettings() {
  script::RunProtected(lua_->L(), [&](lua_State* s) {
    WorldSettings& w = *settings_;
    w.grid_size = IntGlobal(s, "grid_size", 10, false, kMaxGridSize);
    w.zone_size = IntGlobal(s, "zone_size", 200, false, 1 << 30);
    w.tick_ms = std::max(kMinTickMs, IntGlobal(s, "tick_rate", 50, false, 60000));
    w.broadcast_interval = IntGlobal(s, "broadcast_interval", 3, false, 1000);
    w.view_radius = IntGlobal(s, "view_radius", 1, true, kMaxGridSize);
    w.cold_tick_divisor = IntGlobal(s, "cold_tick_divisor", 10, true, 1 << 20);
    ReadPersistenceSettings(s);
    w.border_band = IntGlobal(s, "border_band", 0, true, int(w.zone_size));
    w.crossing_hysteresis = IntGlobal(s, "crossing_hysteresis", 0, true, int(w.zone_size));
    ReadChatSettings(s, &w);
  });
  settings_->max_players = mode_->max_players > 0 ? mode_->max_players : 500;
  listing_.grid_size = settings_->grid_size;
  listing_.max_players = settings_->max_players;
}

int World::PushConfigTable(lua_State* s) const {
  lua_createtable(s, 0, 4);
  lua_pushlstring(s, listing_.world_id.data(), listing_.world_id.size());
  lua_setfield(s, -2, "world_id");
  lua_pushlstring(s, listing_.mode.data(), listing_.mode.size());
  lua_setfield(s, -2, "mode");
  lua_pushinteger(s, settings_->grid_size);
  lua_setfield(s, -2, "grid_size");
  lua_pushnumber(s, settings_->zone_size);
  lua_setfield(s, -2, "zone_size");
  return 1;
}

Status World::Start() {
  auto lua = LuaInstance::Create(*mode_, this, &service_.node().modes().sources(),
                                 kWorldMainChunkBudgetMs, /*jit=*/true);
  if (!lua.ok()) return lua.error();
  lua_ = std::move(lua.value());
  ReadSettings();
  bool table = false;
  std::string failure = lua_->Call(
      "init", kWorldInitBudgetMs, [&](lua_State* s) { return PushConfigTable(s); },
      [&](lua_State* s, int n) {
        if (n >= 1 && lua_istable(s, -n)) {
          table = true;
          LuaInstance::ReplaceTableRef(s, -n, &state_ref_);
        }
      });
  if (!failure.empty()) return MakeError("script_failed", "init: " + failure);
  if (!table) return MakeError("script_failed", "init did not return a table");
  Status terrain = ReadTerrainProvider();
  if (!terrain.ok()) return terrain;
  ReadSpawnTemplates();
  GenerateWorld();
  StartPersistence();
  LoadPhases();
  listing_.status = "running";
  listing_.started_at_ms = UnixMs();
  PublishListing();
  next_tick_ms_ = service_.host().NowMs() + settings_->tick_ms;
  ScheduleTick();
  return Ok{};
}

void World::PublishListing() {
  listing_.players.clear();
  for (const auto& [p, m] : members_) listing_.players.push_back(p);
  listing_.player_count = int(listing_.players.size());
  service_.node().Update(listing_.world_id, listing_.status, listing_.started_at_ms,
                         listing_.players);
}

bool World::RunStateCallback(const char* name, int budget_ms, const std::string& player_id,
                             const std::string* extra_json) {
  std::string failure = lua_->Call(
      name, budget_ms,
      [&](lua_State* s) {
        lua_pushlstring(s, player_id.data(), player_id.size());
        lua_rawgeti(s, LUA_REGISTRYINDEX, state_ref_);
        if (extra_json == nullptr) return 2;
        if (!script::PushJsonText(s, t_parser, *extra_json).ok()) lua_newtable(s);
        return 3;
      },
      [&](lua_State* s, int n) {
        if (n >= 1) LuaInstance::ReplaceTableRef(s, -n, &state_ref_);
      });
  if (failure.empty() || failure == "undefined") return true;
  LogFailure(name, failure);
  return false;
}

int World::ShardOf(ZoneKey key) const {
  return ZoneShard(*settings_, WorldShardOf(service_, id()), service_.node().shard_count(), key);
}

Status World::ReadTerrainProvider() {
  std::string module, args = "{}";
  bool has = false;
  std::string failure = lua_->Call(
      "terrain_provider", kTerrainProviderBudgetMs,
      [&](lua_State* s) {
        lua_createtable(s, 0, 2);
        lua_pushlstring(s, id().data(), id().size());
        lua_setfield(s, -2, "world_id");
        lua_pushlstring(s, listing_.mode.data(), listing_.mode.size());
        lua_setfield(s, -2, "mode");
        return 1;
      },
      [&](lua_State* s, int n) {
        const int first = lua_gettop(s) - n + 1;
        if (n < 1 || !lua_istable(s, first)) return;  // nil: no terrain
        has = true;
        lua_getfield(s, first, "module");
        if (lua_type(s, -1) == LUA_TSTRING) module = lua_tostring(s, -1);
        lua_pop(s, 1);
        lua_getfield(s, first, "args");
        if (lua_istable(s, -1)) {
          std::string a;
          if (script::EncodeLuaToJson(s, lua_gettop(s), &a).ok()) args = std::move(a);
        }
        lua_pop(s, 1);
      });
  if (!failure.empty() && failure != "undefined") {
    return MakeError("script_failed", "terrain_provider: " + failure);
  }
  if (!has) return Ok{};
  const uint64_t seed = std::hash<std::string>()(id());
  auto provider = terrain::CreateTerrainProvider(module, args, seed);
  if (!provider.ok()) return MakeError("script_failed", provider.error().message);
  settings_->terrain = std::move(provider.value());
  return Ok{};
}

void World::GenerateWorld() {
  const uint64_t seed = std::hash<std::string>()(id()) & ((uint64_t{1} << 53) - 1);
  const int g = settings_->grid_size;
  std::string failure = lua_->Call(
      "generate_world", kGenerateWorldBudgetMs,
      [&](lua_State* s) {
        lua_pushnumber(s, double(seed));
        lua_createtable(s, 0, 4);
        lua_pushlstring(s, id().data(), id().size());
        lua_setfield(s, -2, "world_id");
        lua_pushlstring(s, listing_.mode.data(), listing_.mode.size());
        lua_setfield(s, -2, "mode");
        lua_pushinteger(s, g);
        lua_setfield(s, -2, "grid_size");
        lua_pushnumber(s, settings_->zone_size);
        lua_setfield(s, -2, "zone_size");
        return 2;
      },
      [&](lua_State* s, int n) {
        if (n < 1 || !lua_istable(s, -n)) return;
        const int t = lua_gettop(s) - n + 1;
        lua_pushnil(s);
        while (lua_next(s, t) != 0) {
          int x = -1, y = -1;
          char tail = 0;
          if (lua_type(s, -2) == LUA_TSTRING && lua_istable(s, -1) &&
              std::sscanf(lua_tostring(s, -2), "%d,%d%c", &x, &y, &tail) == 2 && x >= 0 && y >= 0 &&
              x < g && y < g) {
            std::string json;
            if (script::EncodeLuaToJson(s, lua_gettop(s), &json).ok() && !json.empty() &&
                json[0] == '{') {
              generated_[ZoneKey{x, y}] = std::move(json);
            }
          }
          lua_pop(s, 1);
        }
      });
  if (!failure.empty() && failure != "undefined") LogFailure("generate_world", failure);
}

std::string World::ZoneLoaded(ZoneKey key) {
  std::string zone_state;
  std::string failure = lua_->Call(
      "on_zone_loaded", kZoneLoadedBudgetMs,
      [&](lua_State* s) {
        lua_pushinteger(s, key.x);
        lua_pushinteger(s, key.y);
        lua_rawgeti(s, LUA_REGISTRYINDEX, state_ref_);
        return 3;
      },
      [&](lua_State* s, int n) {
        const int first = lua_gettop(s) - n + 1;
        if (n >= 1 && lua_istable(s, first)) {
          std::string json;
          if (script::EncodeLuaToJson(s, first, &json).ok() && !json.empty() && json[0] == '{') {
            zone_state = std::move(json);
          }
        }
        if (n >= 2) LuaInstance::ReplaceTableRef(s, first + 1, &state_ref_);
      });
  if (!failure.empty() && failure != "undefined") LogFailure("on_zone_loaded", failure);
  return zone_state;
}

void World::EnsureZone(ZoneKey key) {
  if (!zones_.insert(key).second) return;
  std::string zone_state = ZoneLoaded(key);
  if (zone_state.empty()) {
    auto g = generated_.find(key);
    if (g != generated_.end()) zone_state = std::move(g->second);
  }
  if (!generated_.empty()) generated_.erase(key);
  const int shard = ShardOf(key);
  std::string world_id = id();
  const int world_shard = service_.host().shard_id();
  std::shared_ptr<const WorldSettings> settings = settings_;
  std::optional<ZoneSnapshot> snapshot = TakeRecovered(key);
  service_.host().SubmitReplyTo(shard, [world_id, world_shard, key, settings, zone_state,
                                        snapshot = std::move(snapshot)]() mutable {
    if (WorldService* s = WorldService::OnThisShard()) {
      if (snapshot) s->StashSnapshot(world_id, std::move(*snapshot));
      s->LoadZone(world_id, world_shard, key, settings, zone_state);
    }
  });
}

std::set<ZoneKey> World::RingOf(ZoneKey c) const {
  std::set<ZoneKey> ring;
  const int r = settings_->view_radius;
  const int g = settings_->grid_size;
  for (int y = std::max(0, c.y - r); y <= std::min(g - 1, c.y + r); ++y) {
    for (int x = std::max(0, c.x - r); x <= std::min(g - 1, c.x + r); ++x) ring.insert({x, y});
  }
  return ring;
}

void World::MoveRing(const std::string& player_id, Member& m) {
  std::set<ZoneKey> next = RingOf(m.zone);
  for (ZoneKey k : m.ring) {
    if (next.count(k) != 0) continue;
    RouteToZone(service_, ShardOf(k), id(), k, [player_id](Zone& z) { z.Unsubscribe(player_id); });
  }
  for (ZoneKey k : next) {
    if (m.ring.count(k) != 0) continue;
    EnsureZone(k);
    const ClientRef client = m.client;
    const bool binary = m.binary;
    RouteToZone(service_, ShardOf(k), id(), k,
                [player_id, client, binary](Zone& z) { z.Subscribe(player_id, client, binary); });
  }
  m.ring = std::move(next);
}

void World::Join(const std::string& player_id, ClientRef client, const std::string& ctx_json,
                 JoinReply reply) {
  if (finished_) return reply("world_not_found", "");
  if (listing_.status != "running") return reply("world_not_ready", "");
  auto existing = members_.find(player_id);
  if (existing != members_.end()) {  // same world again: the new connection takes the seat
    Member& m = existing->second;
    if (!(m.client == client)) PostWorldChatRevoke(service_.host(), m.client, id());
    for (ZoneKey k : m.ring) {
      RouteToZone(service_, ShardOf(k), id(), k,
                  [player_id](Zone& z) { z.Unsubscribe(player_id); });
    }
    m.ring.clear();
    m.subscribed = false;
    m.client = client;
    m.grace_until_ms = 0;
    m.successor.reset();  // this socket joined explicitly: it holds the seat now
    return reply("", JoinedJson(listing_));
  }
  if (int(members_.size()) >= settings_->max_players) return reply("world_full", "");
  RunStateCallback("join", kWorldJoinBudgetMs, player_id, &ctx_json);
  double x = 0, y = 0;
  std::string failure = lua_->Call(
      "spawn_position", kSpawnPositionBudgetMs,
      [&](lua_State* s) {
        lua_pushlstring(s, player_id.data(), player_id.size());
        lua_rawgeti(s, LUA_REGISTRYINDEX, state_ref_);
        return 2;
      },
      [&](lua_State* s, int n) {
        if (n < 1 || !lua_istable(s, -n)) return;
        lua_getfield(s, -n, "x");
        lua_getfield(s, -n - 1, "y");
        if (lua_type(s, -2) == LUA_TNUMBER && lua_type(s, -1) == LUA_TNUMBER) {
          x = lua_tonumber(s, -2);
          y = lua_tonumber(s, -1);
        }
        lua_pop(s, 2);
      });
  if (!failure.empty() && failure != "undefined") LogFailure("spawn_position", failure);
  if (!std::isfinite(x) || !std::isfinite(y)) x = y = 0;  // lua.md §8: on failure (0, 0)
  Member m;
  m.client = client;
  m.zone = ZoneOfPosition(*settings_, x, y);
  EnsureZone(m.zone);
  std::string entity = "{\"x\":";
  script::AppendJsonNumber(&entity, x);
  entity += ",\"y\":";
  script::AppendJsonNumber(&entity, y);
  entity += ",\"type\":\"player\"}";
  RouteToZone(service_, ShardOf(m.zone), id(), m.zone,
              [player_id, entity](Zone& z) { z.AddEntity(player_id, entity); });
  members_.emplace(player_id, std::move(m));
  service_.node().SetWorldOf(player_id, id());
  PublishListing();
  PublishPhase();  // remaining_ms as of now in world.joined
  reply("", JoinedJson(listing_));
  PhasesOnRoster();  // after world.joined: a `{players = N}` phase may start
}

void World::Subscribe(const std::string& player_id, ClientRef client, bool binary) {
  auto it = members_.find(player_id);
  if (it == members_.end() || !(it->second.client == client) || it->second.subscribed) return;
  it->second.subscribed = true;
  it->second.binary = binary;
  MoveRing(player_id, it->second);
  SendPhaseTo(client);
  std::vector<std::string> chat = AutoChatChannels(id(), *settings_, it->second.zone);
  if (!chat.empty()) PostAutoChat(service_.host(), client, id(), std::move(chat));
}

void World::Leave(const std::string& player_id, const ClientRef* only_client) {
  auto it = members_.find(player_id);
  if (it == members_.end()) return;
  if (only_client != nullptr && !(it->second.client == *only_client)) {
    // Another socket holds the seat: still a member (world.leave cleared the index early).
    service_.node().SetWorldOf(player_id, id());
    return;
  }
  Member m = std::move(it->second);
  members_.erase(it);
  PostWorldChatRevoke(service_.host(), m.client, id());
  for (ZoneKey k : m.ring) {
    RouteToZone(service_, ShardOf(k), id(), k, [player_id](Zone& z) { z.Unsubscribe(player_id); });
  }
  RouteToZone(service_, ShardOf(m.zone), id(), m.zone,
              [player_id](Zone& z) { z.RemoveEntity(player_id); });
  RunStateCallback("leave", kWorldJoinBudgetMs, player_id, nullptr);
  service_.node().ClearWorldOf(player_id, id());
  PublishListing();
}

void World::Detach(const std::string& player_id, ClientRef client) {
  auto it = members_.find(player_id);
  if (it == members_.end()) return;
  Member& m = it->second;
  if (m.successor && m.successor->client == client) {  // the waiting socket closed first
    m.successor.reset();
    return;
  }
  if (!(m.client == client)) return;
  std::optional<Member::Successor> next = std::move(m.successor);
  m.successor.reset();
  if (!next && mode_->reconnect_grace_ms <= 0) return Leave(player_id, &client);
  for (ZoneKey k : m.ring) {
    RouteToZone(service_, ShardOf(k), id(), k, [player_id](Zone& z) { z.Unsubscribe(player_id); });
  }
  m.ring.clear();
  m.subscribed = false;
  if (next) {  // a newer socket of the player was waiting: it takes the seat, no grace
    m.client = next->client;
    m.binary = next->binary;
    m.grace_until_ms = 0;
    next->reattached();
    return;
  }
  m.client = ClientRef{};
  m.grace_until_ms = service_.host().NowMs() + mode_->reconnect_grace_ms;
}

void World::Reattach(const std::string& player_id, ClientRef client, bool binary,
                     std::function<void()> reattached) {
  auto it = members_.find(player_id);
  if (it == members_.end()) return;
  Member& m = it->second;
  if (m.grace_until_ms == 0) {
    // Still held by another socket: this one takes over when that one detaches.
    if (!(m.client == client))
      m.successor = Member::Successor{client, binary, std::move(reattached)};
    return;
  }
  m.grace_until_ms = 0;
  m.client = client;
  m.binary = binary;
  reattached();
}

void World::ExpireGrace() {
  const int64_t now = service_.host().NowMs();
  std::vector<std::string> expired;
  for (const auto& [player, m] : members_) {
    if (m.grace_until_ms != 0 && now >= m.grace_until_ms) expired.push_back(player);
  }
  for (const std::string& player : expired) Leave(player);
}

void World::Input(const std::string& player_id, std::string input_json, int64_t seq) {
  auto it = members_.find(player_id);
  if (it == members_.end()) return;
  RouteToZone(
      service_, ShardOf(it->second.zone), id(), it->second.zone,
      [player_id, json = std::move(input_json), seq](Zone& z) mutable {
        z.QueueInput(player_id, std::move(json), seq);
      },
      /*lossy=*/true);
}

void World::Resync(const std::string& player_id, ClientRef client, int64_t x, int64_t y) {
  auto it = members_.find(player_id);
  if (it == members_.end()) return;
  Member& m = it->second;
  if (!(m.client == client) || !m.subscribed) return;
  if (x < 0 || y < 0 || x >= settings_->grid_size || y >= settings_->grid_size) return;
  const ZoneKey key{int(x), int(y)};
  if (m.ring.count(key) == 0) return;
  const int64_t now = service_.host().NowMs();
  std::erase_if(m.resyncs_ms, [now](int64_t t) { return now - t >= kResyncWindowMs; });
  if (int(m.resyncs_ms.size()) >= kResyncPerPlayer) return;
  if (!service_.node().AllowResync(now)) return;
  m.resyncs_ms.push_back(now);
  RouteToZone(
      service_, ShardOf(key), id(), key, [player_id](Zone& z) { z.Resync(player_id); },
      /*lossy=*/true);
}

void World::Crossed(ZoneKey from, Zone::Crossing c) {
  (void)from;
  auto it = members_.find(c.id);
  EnsureZone(c.to);
  const std::string entity_id = c.id;
  RouteToZone(
      service_, ShardOf(c.to), id(), c.to,
      [entity_id, json = std::move(c.entity_json)](Zone& z) { z.AddEntity(entity_id, json); });
  if (it == members_.end()) return;
  const bool moved = !(it->second.zone == c.to);
  it->second.zone = c.to;
  if (!it->second.subscribed) return;
  MoveRing(it->first, it->second);
  // Zone and proximity channels follow the member across zones.
  if (moved && (settings_->chat_zone || settings_->chat_proximity >= 0)) {
    PostAutoChat(service_.host(), it->second.client, id(),
                 AutoChatChannels(id(), *settings_, c.to));
  }
}

void World::ScheduleTick() {
  const int64_t delay = std::max<int64_t>(0, next_tick_ms_ - service_.host().NowMs());
  timer_ = service_.host().AddTimer(delay, [this] {
    timer_ = 0;
    Tick();
  });
}

void World::Tick() {
  MaybeReload();  // world_reload.cc (lua.md §16)
  ++tick_;
  ExpireGrace();
  const uint64_t tick = tick_;
  const std::string world_id = id();
  for (ZoneKey k : zones_) {
    // A zone whose mailbox is full skips this tick (lua.md §11: slow zones are skipped).
    (void)service_.host().SubmitTo(ShardOf(k), [world_id, k, tick] {
      WorldService* s = WorldService::OnThisShard();
      Zone* z = s ? s->FindZone(world_id, k) : nullptr;
      if (z == nullptr) return;
      std::vector<Zone::Crossing> out = z->Tick(tick);
      for (Zone::Crossing& c : out) {
        RouteToWorld(*s, world_id,
                     [k, c = std::move(c)](World& w) mutable { w.Crossed(k, std::move(c)); });
      }
    });
  }
  bool finished = false;
  std::string result = "{}";
  std::string vote_json;
  std::string failure = lua_->Call(
      "post_tick", kPostTickBudgetMs,
      [&](lua_State* s) {
        lua_pushnumber(s, double(tick));
        lua_rawgeti(s, LUA_REGISTRYINDEX, state_ref_);
        return 2;
      },
      [&](lua_State* s, int n) {
        if (n < 1 || !lua_istable(s, -n)) return;
        LuaInstance::ReplaceTableRef(s, -n, &state_ref_);
        lua_getfield(s, -n, "_finished");
        finished = lua_type(s, -1) == LUA_TBOOLEAN && lua_toboolean(s, -1);
        lua_pop(s, 1);
        lua_getfield(s, -n, "_result");
        if (lua_istable(s, -1)) {
          std::string r;
          if (script::EncodeLuaToJson(s, lua_gettop(s), &r).ok() && !r.empty() && r[0] == '{') {
            result = std::move(r);
          }
        }
        lua_pop(s, 1);
        lua_getfield(s, -n, "_vote");  // lua.md §6 "Worlds"
        if (lua_istable(s, -1)) {
          std::string v;
          if (script::EncodeLuaToJson(s, lua_gettop(s), &v).ok() && v.size() > 2 && v[0] == '{') {
            vote_json = std::move(v);
          }
        }
        lua_pop(s, 1);
      });
  if (!failure.empty() && failure != "undefined") LogFailure("post_tick", failure);
  if (finished) return Finish(result);
  if (!vote_json.empty()) RequestVote(vote_json);
  if (TickPhases()) return;
  next_tick_ms_ += settings_->tick_ms;
  const int64_t now = service_.host().NowMs();
  if (next_tick_ms_ < now) next_tick_ms_ = now;  // late ticks are not made up
  ScheduleTick();
}

void World::Finish(const std::string& result_json) {
  finished_ = true;
  listing_.status = "finished";
  AbandonVotes();
  std::string payload = "{\"world_id\":\"" + id() + "\",\"result\":" + result_json + "}";
  BroadcastEvent("finished", payload);  // websocket.md §10.11
  for (const auto& [player, m] : members_) {
    service_.node().ClearWorldOf(player, id());
    PostWorldChatRevoke(service_.host(), m.client, id());
  }
  // Every shard forgets this world's zones and the snapshots of its unloaded ones.
  for (int shard = 0; shard < service_.node().shard_count(); ++shard) {
    const std::string world_id = id();
    service_.host().SubmitReplyTo(shard, [world_id] {
      if (WorldService* s = WorldService::OnThisShard()) s->ForgetWorld(world_id);
    });
  }
  if (settings_->persistent && service_.store() != nullptr) service_.store()->ForgetWorld(id());
  service_.node().Remove(id());
  service_.DropWorld(id());
}

void World::BroadcastEvent(const std::string& event, const std::string& payload_json) {
  if (members_.empty()) return;
  SharedBuffer frame =
      WsCodec::EncodeTextFrameShared(BuildFrame("world." + event, payload_json, nullptr));
  std::vector<ClientRef> to;
  for (const auto& [player, m] : members_) to.push_back(m.client);
  service_.DeliverTo(frame, to);
}

bool World::AllowLog() {
  const int64_t now = service_.host().NowMs();
  if (now - log_window_ms_ >= 1000) {
    log_window_ms_ = now;
    log_count_ = 0;
  }
  return ++log_count_ <= 30;
}

void World::Broadcast(std::string_view event, std::string_view payload_json) {
  BroadcastEvent(std::string(event), std::string(payload_json));
}

void World::Send(std::string_view player_id, std::string_view message_json) {
  if (!service_.game().send_to_player) return;
  std::string payload = R"({"module":"lua","message":)";
  payload.append(message_json);
  payload.push_back('}');
  service_.game().send_to_player(player_id, BuildFrame("module.message", payload, nullptr));
}

void World::RunAfterMs(int64_t delay_ms, std::function<void()> fn) {
  service_.host().AddTimer(delay_ms, std::move(fn));
}

}  // namespace asobi::world
