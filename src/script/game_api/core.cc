// game.id, game.log, game.broadcast, game.send, game.object (lua.md §9 "Core", DECISIONS Lua 3).
#include <lua.hpp>
#include <string>

#include "base/log.h"
#include "base/utf8.h"
#include "base/uuid.h"
#include "script/game_api/api_namespaces.h"
#include "script/game_api/game_api.h"
#include "script/lua_json.h"

namespace asobi::script::game_api {
namespace {

constexpr size_t kLogMessageMaxBytes = 500;
constexpr size_t kLogMetaMaxBytes = 2048;
constexpr size_t kBroadcastMaxBytes = 65536;
constexpr size_t kSendMaxBytes = size_t{1} << 20;

int GameId(lua_State* L) {
  std::string id = NewUuidV7();
  lua_pushlstring(L, id.data(), id.size());
  return 1;
}

// Drops control characters and cuts to `max` bytes at a UTF-8 character boundary.
std::string CleanLogText(std::string_view in, size_t max) {
  std::string out;
  out.reserve(std::min(in.size(), max));
  for (unsigned char c : in) {
    if (c < 0x20 || c == 0x7F) continue;
    out.push_back(char(c));
  }
  out.resize(Utf8Prefix(out, max).size());
  return out;
}

bool ParseLevel(std::string_view s, LogLevel* out) {
  if (s == "debug")
    *out = LogLevel::kDebug;
  else if (s == "info")
    *out = LogLevel::kInfo;
  else if (s == "warn" || s == "warning")
    *out = LogLevel::kWarn;
  else if (s == "error")
    *out = LogLevel::kError;
  else
    return false;
  return true;
}

std::string LogMeta(lua_State* L, int index) {
  std::string meta;
  LuaToJsonOptions o;
  o.max_bytes = kLogMetaMaxBytes;
  Status st = EncodeLuaToJson(L, index, &meta, o);
  if (st.ok()) return meta;
  return st.error().reason == "too_large" ? R"({"_truncated":true})" : R"({"_unencodable":true})";
}

int GameLog(lua_State* L) {
  constexpr const char* kShape = "level, message[, meta]";
  LogLevel level;
  size_t len = 0;
  const char* lvl = lua_type(L, 1) == LUA_TSTRING ? lua_tolstring(L, 1, &len) : nullptr;
  const int meta_type = lua_type(L, 3);
  if (lvl == nullptr || !ParseLevel(std::string_view(lvl, len), &level) || lua_isnoneornil(L, 2) ||
      (meta_type != LUA_TNONE && meta_type != LUA_TNIL && meta_type != LUA_TTABLE)) {
    return ApiUsage(L, "game.log", kShape);
  }
  ApiHost* host = HostOf(L);
  if (host == nullptr || !host->AllowLog()) {
    lua_pushboolean(L, 0);
    return 1;
  }
  std::string text;
  if (lua_type(L, 2) == LUA_TSTRING) {
    text.assign(lua_tolstring(L, 2, &len), len);
  } else if (!EncodeLuaToJson(L, 2, &text).ok()) {
    text = "(unencodable)";
  }
  std::string meta = meta_type == LUA_TTABLE ? LogMeta(L, 3) : std::string();
  ASOBI_LOG(level, "lua game.log")
      .KV("instance", host->instance_id())
      .KV("script", host->script_name())
      .KV("message", CleanLogText(text, kLogMessageMaxBytes))
      .KV("meta", meta);
  lua_pushboolean(L, 1);
  return 1;
}

bool IsReservedLeaf(std::string_view e) {
  static constexpr std::string_view kReserved[] = {"state",
                                                   "tick",
                                                   "ack",
                                                   "terrain",
                                                   "list",
                                                   "left",
                                                   "joined",
                                                   "finished",
                                                   "phase_changed",
                                                   "matched",
                                                   "matchmaker_failed",
                                                   "matchmaker_expired",
                                                   "vote_start",
                                                   "vote_tally",
                                                   "vote_result",
                                                   "vote_vetoed"};
  for (std::string_view r : kReserved) {
    if (e == r) return true;
  }
  return false;
}

bool IsValidLeaf(std::string_view e) {
  if (e.empty() || e.size() > 64) return false;
  for (char c : e) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

int GameBroadcast(lua_State* L) {
  size_t len = 0;
  const char* ev = lua_type(L, 1) == LUA_TSTRING ? lua_tolstring(L, 1, &len) : nullptr;
  if (ev == nullptr) return ApiUsage(L, "game.broadcast", "event[, payload]");
  std::string_view event(ev, len);
  if (!IsValidLeaf(event)) return ApiError(L, "invalid_event_name");
  if (IsReservedLeaf(event)) return ApiError(L, "reserved_event_name");
  ApiHost* host = HostOf(L);
  if (host != nullptr && host->kind() == HostKind::kRpc) {
    return ApiError(L, "game.broadcast is only available in a match or world");
  }
  std::string payload;
  LuaToJsonOptions o;
  o.shape = JsonShape::kObject;
  o.max_bytes = kBroadcastMaxBytes;
  Status st = lua_isnoneornil(L, 2) ? Status(Ok{}) : EncodeLuaToJson(L, 2, &payload, o);
  if (lua_isnoneornil(L, 2)) payload = "{}";
  if (!st.ok()) {
    LOG_WARN("game_broadcast_rejected")
        .KV("instance", host ? host->instance_id() : std::string())
        .KV("event", event)
        .KV("reason", st.error().reason);
  } else if (host != nullptr) {
    host->Broadcast(event, payload);
  }
  lua_pushboolean(L, 1);
  return 1;
}

int GameSend(lua_State* L) {
  size_t len = 0;
  const char* pid = lua_type(L, 1) == LUA_TSTRING ? lua_tolstring(L, 1, &len) : nullptr;
  if (pid == nullptr || lua_gettop(L) < 2) {
    return ApiUsage(L, "game.send", "player_id, message");
  }
  std::string message;
  LuaToJsonOptions o;
  o.max_bytes = kSendMaxBytes;
  if (!EncodeLuaToJson(L, 2, &message, o).ok()) return ApiError(L, "message_too_large");
  if (ApiHost* host = HostOf(L)) host->Send(std::string_view(pid, len), message);
  lua_pushboolean(L, 1);
  return 1;
}

int GameObject(lua_State* L) {
  if (lua_type(L, 1) != LUA_TTABLE) return ApiUsage(L, "game.object", "table");
  MarkTableAsObject(L, 1);
  lua_settop(L, 1);
  return 1;
}

const ApiFunction kFunctions[] = {
    {"id", &GameId},     {"log", &GameLog},       {"broadcast", &GameBroadcast},
    {"send", &GameSend}, {"object", &GameObject},
};

}  // namespace

const ApiNamespace kCoreNamespace = {"", kFunctions, int(std::size(kFunctions)), kAllHosts, false};

}  // namespace asobi::script::game_api
