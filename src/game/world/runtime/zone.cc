#include "game/world/runtime/zone.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <lua.hpp>

#include "base/log.h"
#include "game/world/runtime/world_router.h"
#include "game/world/runtime/world_service.h"
#include "game/world/terrain/terrain_store.h"
#include "game/world/wire/world_tick_buffers.h"
#include "protocol/frame.h"
#include "protocol/json_writer.h"
#include "script/lua_json.h"
#include "script/protected_call.h"
#include "ws/ws_codec.h"

namespace asobi::world {
namespace {

using world_tick::DeltaField;
using world_tick::DeltaOp;
using world_tick::FieldValue;
using world_tick::WorldTickFrame;

thread_local simdjson::dom::parser t_parser;

// Converts the Lua value at `index` to a field value; false for values a field cannot hold
// (functions, userdata, threads, nil).
bool ToFieldValue(lua_State* L, int index, FieldValue* out) {
  switch (lua_type(L, index)) {
    case LUA_TNUMBER: {
      const double v = lua_tonumber(L, index);
      if (!std::isfinite(v)) {
        *out = FieldValue::Null();  // DECISIONS Lua 4: NaN/inf never reach the wire
      } else if (v == std::trunc(v) && std::fabs(v) <= 9007199254740992.0) {
        *out = FieldValue::Int(int64_t(v));
      } else {
        *out = FieldValue::Double(v);
      }
      return true;
    }
    case LUA_TBOOLEAN:
      *out = FieldValue::Bool(lua_toboolean(L, index) != 0);
      return true;
    case LUA_TSTRING: {
      size_t n = 0;
      const char* s = lua_tolstring(L, index, &n);
      *out = FieldValue::String(std::string(s, n));
      return true;
    }
    case LUA_TTABLE: {
      std::string json;
      if (!script::EncodeLuaToJson(L, index, &json).ok()) return false;
      *out = FieldValue::Json(std::move(json));
      return true;
    }
    default:
      return false;
  }
}

// The string-keyed fields of the entity table at `index`, sorted by name.
std::vector<DeltaField> EntityFields(lua_State* L, int index) {
  std::vector<DeltaField> fields;
  lua_pushnil(L);
  while (lua_next(L, index) != 0) {
    if (lua_type(L, -2) == LUA_TSTRING) {
      FieldValue v;
      if (ToFieldValue(L, -1, &v)) {
        size_t n = 0;
        const char* k = lua_tolstring(L, -2, &n);
        fields.push_back(DeltaField{std::string(k, n), std::move(v)});
      }
    }
    lua_pop(L, 1);
  }
  std::sort(fields.begin(), fields.end(),
            [](const DeltaField& a, const DeltaField& b) { return a.name < b.name; });
  return fields;
}

// Reads a numeric field of the table at `index`; false when absent or not a number.
bool NumberField(lua_State* L, int index, const char* name, double* out) {
  lua_getfield(L, index, name);
  const bool ok = lua_type(L, -1) == LUA_TNUMBER;
  if (ok) *out = lua_tonumber(L, -1);
  lua_pop(L, 1);
  return ok;
}

}  // namespace

Zone::Zone(WorldService& service, std::string world_id, int world_shard, ZoneKey key,
           std::shared_ptr<const WorldSettings> settings)
    : service_(service),
      world_id_(std::move(world_id)),
      world_shard_(world_shard),
      key_(key),
      settings_(std::move(settings)),
      spawner_(key.x, key.y,
               std::hash<std::string>()(world_id_) ^ (uint64_t(key.y) << 32 | uint32_t(key.x))) {
  instance_id_ = world_id_ + ":" + std::to_string(key_.x) + "," + std::to_string(key_.y);
  node_ = &service_.node();
  node_->zones_live.fetch_add(1, std::memory_order_relaxed);
}

Zone::~Zone() {
  node_->zones_live.fetch_sub(1, std::memory_order_relaxed);
  if (cold_) node_->zones_cold.fetch_sub(1, std::memory_order_relaxed);
}

const std::string& Zone::script_name() const { return settings_->mode->script_rel; }

Status Zone::Start(const std::string& zone_state_json) {
  auto lua = LuaInstance::Create(*settings_->mode, this, &service_.node().modes().sources(),
                                 kZoneMainChunkBudgetMs, /*jit=*/false);
  if (!lua.ok()) return lua.error();
  lua_ = std::move(lua.value());
  script::ProtectedStatus ps = script::RunProtected(lua_->L(), [&](lua_State* s) {
    lua_newtable(s);
    entities_ref_ = LuaInstance::Ref(s);
    if (zone_state_json.empty() || !script::PushJsonText(s, t_parser, zone_state_json).ok() ||
        !lua_istable(s, -1)) {
      if (!zone_state_json.empty()) lua_pop(s, 1);
      lua_createtable(s, 0, 2);
    }
    lua_pushinteger(s, key_.x);
    lua_setfield(s, -2, "x");
    lua_pushinteger(s, key_.y);
    lua_setfield(s, -2, "y");
    if (restarts_ > 0) {
      lua_pushinteger(s, restarts_);
      lua_setfield(s, -2, "restarted");
    }
    zone_state_ref_ = LuaInstance::Ref(s);
  });
  if (!ps.ok) return MakeError("script_failed", ps.message);
  InstallZoneApi();                                    // game.zone.park (zone_persist.cc)
  if (restarts_ == 0 && settings_->border_band > 0) {  // ask the touching zones for their bands
    for (ZoneKey k : TouchingZones(*settings_, key_)) {
      RouteToZone(service_, ShardOf(k), world_id_, k, [me = key_](Zone& z) { z.SendBandTo(me); });
    }
  }
  if (settings_->terrain && terrain_frame_.empty()) {
    // One chunk per zone, at the zone's coordinates, built once (about 1 ms for perlin,
    // bench/README.md "World wire and terrain") and kept for the zone's life.
    auto chunk = terrain::BuildTerrainChunk(*settings_->terrain, {key_.x, key_.y});
    if (chunk.ok()) terrain_frame_ = chunk->frame;
  }
  return Ok{};
}

void Zone::LogFailure(const char* callback, const std::string& message) {
  const int64_t now = service_.host().NowMs();
  if (now - failure_log_ms_ < 1000) return;  // at most one line per second per zone
  failure_log_ms_ = now;
  LOG_WARN("lua callback failed")
      .KV("zone", instance_id_)
      .KV("callback", callback)
      .KV("message", message);
}

void Zone::AddEntity(const std::string& id, const std::string& entity_json) {
  if (dead_ || !lua_) return;
  dirty_.only = false;
  script::RunProtected(lua_->L(), [&](lua_State* s) {
    lua_rawgeti(s, LUA_REGISTRYINDEX, entities_ref_);
    lua_pushlstring(s, id.data(), id.size());
    if (!script::PushJsonText(s, t_parser, entity_json).ok()) lua_newtable(s);
    lua_rawset(s, -3);
    lua_pop(s, 1);
  });
}

void Zone::RemoveEntity(const std::string& id) {
  if (dead_ || !lua_) return;
  dirty_.only = false;
  script::RunProtected(lua_->L(), [&](lua_State* s) {
    lua_rawgeti(s, LUA_REGISTRYINDEX, entities_ref_);
    lua_pushlstring(s, id.data(), id.size());
    lua_pushnil(s);
    lua_rawset(s, -3);
    lua_pop(s, 1);
  });
}

void Zone::Subscribe(const std::string& player_id, ClientRef client, bool binary) {
  subscribers_[player_id] = Subscriber{client, binary};
  if (!terrain_frame_.empty()) service_.DeliverTo(terrain_frame_, {client});  // §10.9
  SendBaselineFrame(&keyframe_cache_, &Zone::FillKeyframe, client, binary);
}

void Zone::Unsubscribe(const std::string& player_id) {
  auto it = subscribers_.find(player_id);
  if (it == subscribers_.end()) return;
  const Subscriber sub = it->second;
  subscribers_.erase(it);
  if (baseline_.empty()) return;  // §10.5: omitted when the zone had no entities
  SendBaselineFrame(&removal_cache_, &Zone::FillRemovals, sub.client, sub.binary);
}

void Zone::FillRemovals(WorldTickFrame* frame) const {
  frame->kind = world_tick::FrameKind::kUngated;
  frame->zone_x = key_.x;
  frame->zone_y = key_.y;
  for (const auto& [id, fields] : baseline_) {
    auto b = slots_.Find(id);
    frame->AddRecord(DeltaOp::kRemove, id, b ? b->slot : world_tick::kNoSlot, b ? b->gen : 0);
  }
}

void Zone::QueueInput(const std::string& player_id, std::string input_json, int64_t seq) {
  if (dead_ || inputs_.size() >= kZoneInputQueueMax) return;
  inputs_.push_back(Input{player_id, std::move(input_json), seq});
}

void Zone::Resync(const std::string& player_id) {
  auto it = subscribers_.find(player_id);
  if (it == subscribers_.end()) return;
  SendBaselineFrame(&keyframe_cache_, &Zone::FillKeyframe, it->second.client, it->second.binary);
}

void Zone::SendAcks(uint64_t tick) {
  for (const auto& [player, seq] : consumed_) {
    auto sub = subscribers_.find(player);
    if (sub == subscribers_.end()) continue;
    auto last = acked_.find(player);
    if (last != acked_.end() && last->second >= seq) continue;  // never a non-advancing ack
    acked_[player] = seq;
    const std::string payload =
        "{\"tick\":" + std::to_string(tick) + ",\"seq\":" + std::to_string(seq) + "}";
    service_.DeliverTo(WsCodec::EncodeTextFrameShared(BuildFrame("world.ack", payload, nullptr)),
                       {sub->second.client});
  }
  consumed_.clear();
}

bool Zone::Idle() {
  if (busy_ || !subscribers_.empty() || !inputs_.empty() || !baseline_.empty() ||
      effects_.has_incoming() || spawner_.has_pending()) {
    return false;
  }
  bool empty = true;
  script::RunProtected(lua_->L(), [&](lua_State* s) {
    lua_rawgeti(s, LUA_REGISTRYINDEX, entities_ref_);
    lua_pushnil(s);
    if (lua_next(s, -2) != 0) {
      empty = false;
      lua_pop(s, 2);
    }
    lua_pop(s, 1);
  });
  return empty;
}

std::vector<Zone::Crossing> Zone::Tick(uint64_t tick) {
  if (dead_) return {};
  MaybeReload();              // zone_reload.cc (lua.md §16)
  MaintainPersistence(tick);  // zone_persist.cc: snapshots, unload requests
  const int divisor = settings_->cold_tick_divisor;
  const bool idle = Idle();
  if (idle != cold_) {
    cold_ = idle;
    node_->zones_cold.fetch_add(idle ? 1 : -1, std::memory_order_relaxed);
  }
  if (idle && (divisor == 0 || tick % uint64_t(divisor) != 0)) return {};  // cold
  effects_.NewTick();
  AddDueSpawns(tick);
  RunZoneTick(tick);
  if (dead_) return {};  // its script no longer loads
  RunInputs();
  RunEffects();
  std::vector<Crossing> out = TakeCrossings();
  ReapSpawns(tick, out);
  PublishToNeighbours();
  const uint64_t every = uint64_t(std::max(1, settings_->broadcast_interval));
  if (tick % every == 0) BroadcastDeltas(tick);
  if (!consumed_.empty()) SendAcks(tick);  // §10.8: after that tick's world.tick
  return out;
}

void Zone::RunZoneTick(uint64_t tick) {
  std::string failure = lua_->Call(
      "zone_tick", kZoneTickBudgetMs,
      [&](lua_State* s) {
        lua_rawgeti(s, LUA_REGISTRYINDEX, zone_state_ref_);
        lua_pushnumber(s, double(tick));
        lua_setfield(s, -2, "tick");
        lua_pop(s, 1);
        lua_rawgeti(s, LUA_REGISTRYINDEX, entities_ref_);
        lua_rawgeti(s, LUA_REGISTRYINDEX, zone_state_ref_);
        return 2;
      },
      [&](lua_State* s, int n) {
        const int top = lua_gettop(s);
        if (n >= 1) LuaInstance::ReplaceTableRef(s, top - n + 1, &entities_ref_);
        if (n >= 2) LuaInstance::ReplaceTableRef(s, top - n + 2, &zone_state_ref_);
        busy_ = n >= 3 && lua_toboolean(s, top - n + 3);
        if (n < 4 || lua_isnil(s, top - n + 4)) {
          dirty_.only = false;  // no dirty set: this broadcast diffs every entity
        } else if (!MergeDirty(s, top - n + 4)) {
          dirty_.only = false;
          if (AllowLog()) LOG_WARN("bad_zone_dirty").KV("zone", instance_id_);
        }
      });
  if (!failure.empty()) dirty_.only = false;  // what it changed before failing is unknown
  if (!failure.empty() && failure != "undefined") {
    LogFailure("zone_tick", failure);
    AfterFailure();
  }
}

void Zone::RunInputs() {
  if (!inputs_.empty()) dirty_.only = false;  // handle_input may change any entity
  while (!inputs_.empty()) {
    const std::string player_id = std::move(inputs_.front().player_id);
    const std::string json = std::move(inputs_.front().json);
    int64_t seq = inputs_.front().seq;
    inputs_.pop_front();
    bool present = false;
    std::string failure = lua_->Call(
        "handle_input", kHandleInputBudgetMs,
        [&](lua_State* s) {
          lua_rawgeti(s, LUA_REGISTRYINDEX, entities_ref_);
          lua_pushlstring(s, player_id.data(), player_id.size());
          lua_rawget(s, -2);
          present = lua_istable(s, -1);
          lua_pop(s, 1);
          lua_pushlstring(s, player_id.data(), player_id.size());
          if (!script::PushJsonText(s, t_parser, json).ok()) lua_newtable(s);
          lua_pushvalue(s, -3);  // entities
          lua_remove(s, -4);
          return 3;
        },
        [&](lua_State* s, int n) {
          const int first = lua_gettop(s) - n + 1;
          if (n < 1 || !present || !lua_istable(s, first)) return;  // §8: input ignored
          LuaInstance::ReplaceTableRef(s, first, &entities_ref_);
          // lua.md §8: an optional second result is the game's own consumed seq.
          if (n >= 2 && lua_type(s, first + 1) == LUA_TNUMBER) {
            const double v = lua_tonumber(s, first + 1);
            if (v >= 0 && v <= 9007199254740991.0 && v == double(int64_t(v))) seq = int64_t(v);
          }
          if (seq >= 0) {
            auto [it, fresh] = consumed_.emplace(player_id, seq);
            if (!fresh && seq > it->second) it->second = seq;
          }
        });
    if (!failure.empty() && failure != "undefined") {
      LogFailure("handle_input", failure);
      if (AfterFailure()) return;  // the queue went with the old state
    }
  }
}

std::vector<Zone::Crossing> Zone::TakeCrossings() {
  std::vector<Crossing> out;
  script::RunProtected(lua_->L(), [&](lua_State* s) {
    lua_rawgeti(s, LUA_REGISTRYINDEX, entities_ref_);
    const int t = lua_gettop(s);
    lua_pushnil(s);
    while (lua_next(s, t) != 0) {
      double x = 0, y = 0;
      if (lua_type(s, -2) == LUA_TSTRING && lua_istable(s, -1) && NumberField(s, -1, "x", &x) &&
          NumberField(s, -1, "y", &y)) {
        const ZoneKey to = ZoneOfPosition(*settings_, x, y);
        if (!(to == key_) && !WithinHysteresis(*settings_, key_, x, y)) {
          Crossing c;
          c.id = lua_tostring(s, -2);
          c.to = to;
          if (script::EncodeLuaToJson(s, lua_gettop(s), &c.entity_json).ok()) {
            out.push_back(std::move(c));
          }
        }
      }
      lua_pop(s, 1);
    }
    if (!out.empty()) dirty_.only = false;
    for (const Crossing& c : out) {  // removed after the walk (lua_next forbids new keys only)
      lua_pushlstring(s, c.id.data(), c.id.size());
      lua_pushnil(s);
      lua_rawset(s, t);
    }
    lua_pop(s, 1);
  });
  return out;
}

// The full diff: every entity of the table against the baseline.
void Zone::CollectFullDelta(WorldTickFrame* frame) {
  std::map<std::string, Fields> current;
  script::RunProtected(lua_->L(), [&](lua_State* s) {
    lua_rawgeti(s, LUA_REGISTRYINDEX, entities_ref_);
    const int t = lua_gettop(s);
    lua_pushnil(s);
    while (lua_next(s, t) != 0) {
      if (lua_type(s, -2) == LUA_TSTRING && lua_istable(s, -1)) {
        current.emplace(lua_tostring(s, -2), EntityFields(s, lua_gettop(s)));
      }
      lua_pop(s, 1);
    }
    lua_pop(s, 1);
  });
  for (const auto& [id, fields] : current) AddEntityDelta(frame, id, fields);
  for (const auto& [id, fields] : baseline_) {
    if (current.find(id) == current.end()) frame->AddRecord(DeltaOp::kRemove, id);
  }
  BindSlots(frame);
  baseline_ = std::move(current);
}

// The dirty-set diff (lua.md §18): only the ids zone_tick named since the last broadcast.
void Zone::CollectDirtyDelta(WorldTickFrame* frame) {
  std::map<std::string, Fields> changed;
  script::RunProtected(lua_->L(), [&](lua_State* s) {
    lua_rawgeti(s, LUA_REGISTRYINDEX, entities_ref_);
    const int t = lua_gettop(s);
    for (const std::string& id : dirty_.changed) {
      lua_pushlstring(s, id.data(), id.size());
      lua_rawget(s, t);
      if (lua_istable(s, -1)) changed.emplace(id, EntityFields(s, lua_gettop(s)));
      lua_pop(s, 1);
    }
    lua_pop(s, 1);
  });
  for (const auto& [id, fields] : changed) AddEntityDelta(frame, id, fields);
  for (const std::string& id : dirty_.removed) {
    if (baseline_.count(id) != 0) frame->AddRecord(DeltaOp::kRemove, id);
  }
  BindSlots(frame);
  for (auto& [id, fields] : changed) baseline_[id] = std::move(fields);
  for (const std::string& id : dirty_.removed) baseline_.erase(id);
}

// Appends entity `id`'s record against the baseline: an add with every field, an update with
// the fields that differ, or nothing.
void Zone::AddEntityDelta(WorldTickFrame* frame, const std::string& id, const Fields& fields) {
  auto old = baseline_.find(id);
  if (old == baseline_.end()) {
    frame->AddRecord(DeltaOp::kAdd, id);
    for (const DeltaField& f : fields) frame->AddField(f.name, f.value);
    return;
  }
  bool opened = false;
  for (const DeltaField& f : fields) {
    auto prev = std::lower_bound(
        old->second.begin(), old->second.end(), f.name,
        [](const DeltaField& a, const std::string& name) { return a.name < name; });
    if (prev != old->second.end() && prev->name == f.name && prev->value == f.value) continue;
    if (!opened) frame->AddRecord(DeltaOp::kUpdate, id);
    opened = true;
    frame->AddField(f.name, f.value);
  }
}

void Zone::BroadcastDeltas(uint64_t tick) {
  WorldTickFrame frame;
  frame.zone_x = key_.x;
  frame.zone_y = key_.y;
  frame.tick = tick;
  if (dirty_.only) {
    CollectDirtyDelta(&frame);
  } else {
    CollectFullDelta(&frame);
  }
  dirty_.Reset();
  keyframe_cache_ = {};  // the baseline may have changed (even a frame without records can
  removal_cache_ = {};   // drop a field from an entity)
  if (frame.records.empty()) return;
  frame.frame_seq = ++frame_seq_;  // a frame nobody receives still takes its seq
  bool want_binary = false;
  for (const auto& [player, sub] : subscribers_) want_binary = want_binary || sub.binary;
  if (subscribers_.empty()) return;
  const int64_t now = service_.host().NowMs();
  const BinaryWireRepair::Plan plan =
      want_binary ? repair_.Next(now) : BinaryWireRepair::Plan::kTextOnly;
  WorldTickBuffers buffers;
  if (plan == BinaryWireRepair::Plan::kKeyframe) {
    // §11.3: after a refused delta, binary clients get an all-adds keyframe of the baseline.
    buffers.text = EncodeWorldTickText(frame);
    WorldTickFrame kf;
    FillKeyframe(&kf);
    kf.tick = tick;
    buffers.binary = EncodeWorldTickBinary(kf, &buffers.refusal);
  } else {
    buffers = EncodeWorldTickBuffers(frame, plan == BinaryWireRepair::Plan::kDelta);
  }
  if (plan != BinaryWireRepair::Plan::kTextOnly) repair_.Report(plan, !buffers.binary.empty(), now);
  Fan(buffers);
}

void Zone::BindSlots(WorldTickFrame* frame) {
  for (world_tick::EntityDelta& r : frame->records) {
    std::optional<world_tick::SlotTable::Binding> b =
        r.op == DeltaOp::kAdd ? slots_.Bind(r.id) : slots_.Find(r.id);
    if (b) {
      r.slot = b->slot;
      r.gen = b->gen;
    }
  }
  for (const world_tick::EntityDelta& r : frame->records) {
    if (r.op == DeltaOp::kRemove) slots_.Release(r.id);
  }
}

void Zone::Fan(const WorldTickBuffers& buffers) {
  std::vector<ClientRef> text, binary;
  for (const auto& [player, sub] : subscribers_) {
    (sub.binary && !buffers.binary.empty() ? binary : text).push_back(sub.client);
  }
  if (!text.empty()) service_.DeliverTo(buffers.text, text);
  if (!binary.empty()) service_.DeliverTo(buffers.binary, binary);
}

void Zone::FillKeyframe(WorldTickFrame* frame) const {
  frame->zone_x = key_.x;
  frame->zone_y = key_.y;
  frame->frame_seq = frame_seq_;
  frame->kf = true;
  frame->tick = 0;
  for (const auto& [id, fields] : baseline_) {
    auto b = slots_.Find(id);
    frame->AddRecord(DeltaOp::kAdd, id, b ? b->slot : world_tick::kNoSlot, b ? b->gen : 0);
    for (const DeltaField& f : fields) frame->AddField(f.name, f.value);
  }
}

void Zone::SendBaselineFrame(BaselineFrame* cache, void (Zone::*fill)(WorldTickFrame*) const,
                             ClientRef to, bool binary) {
  const bool want_binary = binary && !(cache->binary_tried && cache->binary.empty());
  if (want_binary ? cache->binary.empty() : cache->text.empty()) {
    WorldTickFrame frame;
    (this->*fill)(&frame);
    if (want_binary) {
      cache->binary = EncodeWorldTickBinary(frame, nullptr);
      cache->binary_tried = true;
    }
    if (cache->text.empty() && (!want_binary || cache->binary.empty())) {
      cache->text = EncodeWorldTickText(frame);
    }
  }
  service_.DeliverTo(binary && !cache->binary.empty() ? cache->binary : cache->text, {to});
}

bool Zone::AfterFailure() {
  using F = LuaInstance::Failure;
  const F f = lua_->last_failure();
  bool restart = f == F::kMemory || f == F::kUnrecoverable;
  if (f == F::kTimeout) {
    const int64_t now = service_.host().NowMs();
    std::erase_if(overruns_ms_, [now](int64_t t) { return now - t >= kZoneOverrunWindowMs; });
    overruns_ms_.push_back(now);
    restart = int(overruns_ms_.size()) >= kZoneOverrunLimit;
  }
  if (restart) Restart();
  return restart;
}

void Zone::Restart() {
  dirty_.only = false;
  LOG_WARN("zone restarted").KV("zone", instance_id_).KV("entities", baseline_.size());
  overruns_ms_.clear();
  inputs_.clear();
  ++restarts_;
  lua_.reset();
  entities_ref_ = zone_state_ref_ = -2;
  Status st = Start(last_snapshot_.zone_state_json);  // the last snapshot's zone_state
  if (!st.ok()) {
    dead_ = true;
    LOG_ERROR("zone stopped").KV("zone", instance_id_).KV("reason", st.error().message);
    return;
  }
  for (const auto& [id, fields] : baseline_) {
    JsonWriter w;
    w.BeginObject();
    for (const DeltaField& f : fields) {
      w.Key(f.name);
      switch (f.value.type()) {
        case FieldValue::Type::kNull:
          w.Null();
          break;
        case FieldValue::Type::kBool:
          w.Bool(f.value.bool_value());
          break;
        case FieldValue::Type::kInt:
          w.Int(f.value.int_value());
          break;
        case FieldValue::Type::kDouble:
          w.Double(f.value.double_value());
          break;
        case FieldValue::Type::kString:
          w.String(f.value.text());
          break;
        case FieldValue::Type::kJson:
          w.Raw(f.value.text());
          break;
      }
    }
    w.EndObject();
    AddEntity(id, w.Take());
  }
  for (const auto& [player, sub] : subscribers_) {
    SendBaselineFrame(&keyframe_cache_, &Zone::FillKeyframe, sub.client, sub.binary);
  }
  NotifyRecovered();  // on_world_recovered in the world state
}

bool Zone::AllowLog() {
  const int64_t now = service_.host().NowMs();
  if (now - log_window_ms_ >= 1000) {
    log_window_ms_ = now;
    log_count_ = 0;
  }
  return ++log_count_ <= 30;
}

void Zone::Broadcast(std::string_view event, std::string_view payload_json) {
  RouteWorldBroadcast(service_, world_id_, world_shard_, std::string(event),
                      std::string(payload_json));
}

void Zone::Send(std::string_view player_id, std::string_view message_json) {
  if (!service_.game().send_to_player) return;
  std::string payload = R"({"module":"lua","message":)";
  payload.append(message_json);
  payload.push_back('}');
  service_.game().send_to_player(player_id, BuildFrame("module.message", payload, nullptr));
}

bool Zone::PushZoneEntities(lua_State* L) {
  if (entities_ref_ < 0) return false;
  lua_rawgeti(L, LUA_REGISTRYINDEX, entities_ref_);
  return true;
}

void Zone::RunAfterMs(int64_t delay_ms, std::function<void()> fn) {
  service_.host().AddTimer(delay_ms, std::move(fn));
}

}  // namespace asobi::world
