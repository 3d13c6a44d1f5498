// game.storage.* (lua.md §9 Storage): get, set (global rows, scripts only), player_get,
// player_set (a player's rows, also visible over REST). *DB* calls: each suspends the
// callback's coroutine until the storage backend answers (or the host's 2000 ms timeout
// answers `{error = "timeout"}`). Wrapped results; nothing here raises. `get` answers
// `{ok = value}` (any JSON value), `set` `{ok = row}`; a value over 262 144 bytes of JSON is
// `{error = "value_too_large"}`. update/player_update (lua.md §18) apply merge operators
// (merge_ops.h) server-side with a version check and answer `{ok = merged_value}`.
#include <lua.hpp>
#include <optional>
#include <string>
#include <utility>

#include "script/game_api/api_backends.h"
#include "script/game_api/api_namespaces.h"
#include "script/game_api/game_api.h"
#include "script/game_api/storage_backend.h"
#include "script/lua_json.h"

namespace asobi::script::game_api {
namespace {

constexpr size_t kMaxValueBytes = 262144;  // as the REST storage value (rest.md §3.9)

std::string ToString(lua_State* L, int index) {
  size_t n = 0;
  const char* s = lua_tolstring(L, index, &n);
  return std::string(s, n);
}

int Unavailable(lua_State* L) { return ApiError(L, "storage is not available"); }

// Pushes `{ok = <json>}`, or the error.
int PushJson(lua_State* L, const Result<std::string>& r) {
  if (!r.ok()) return ApiError(L, r.error().reason);
  thread_local simdjson::dom::parser parser;
  const int base = lua_gettop(L);
  lua_createtable(L, 0, 1);
  if (!PushJsonText(L, parser, r.value()).ok()) {
    lua_settop(L, base);
    return ApiError(L, "internal");
  }
  lua_setfield(L, -2, "ok");
  return 1;
}

template <typename Op>
int Suspend(lua_State* L, Op op) {
  ApiHost* host = HostOf(L);
  if (host == nullptr || !host->CanSuspend(L)) return ApiError(L, "cannot_suspend_here");
  host->BeginAsync([host, op = std::move(op)](AsyncComplete done) mutable {
    StorageBackend* backend = ApiBackends::OnThisShard().storage;
    if (backend == nullptr) {
      host->RunAfterMs(0, [done = std::move(done)] { done(&Unavailable); });
      return;
    }
    op(*backend, std::move(done));
  });
  return lua_yield(L, 0);
}

// get / player_get: `first` is the index of `collection` (1 global, 2 player).
int Get(lua_State* L, bool player) {
  const int first = player ? 2 : 1;
  const char* fn = player ? "game.storage.player_get" : "game.storage.get";
  const char* shape = player ? "player_id, collection, key" : "collection, key";
  if (lua_gettop(L) != first + 1) return ApiUsage(L, fn, shape);
  for (int i = 1; i <= first + 1; ++i) {
    if (lua_type(L, i) != LUA_TSTRING) return ApiUsage(L, fn, shape);
  }
  if (ApiBackends::OnThisShard().storage == nullptr) return Unavailable(L);
  std::optional<std::string> who;
  if (player) who = ToString(L, 1);
  return Suspend(L, [who = std::move(who), c = ToString(L, first), k = ToString(L, first + 1)](
                        StorageBackend& b, AsyncComplete done) mutable {
    b.Get(std::move(who), std::move(c), std::move(k),
          [done = std::move(done)](Result<std::string> r) {
            done([r = std::move(r)](lua_State* s) { return PushJson(s, r); });
          });
  });
}

int Set(lua_State* L, bool player) {
  const int first = player ? 2 : 1;
  const char* fn = player ? "game.storage.player_set" : "game.storage.set";
  const char* shape = player ? "player_id, collection, key, value" : "collection, key, value";
  if (lua_gettop(L) != first + 2 || lua_isnil(L, first + 2)) return ApiUsage(L, fn, shape);
  for (int i = 1; i <= first + 1; ++i) {
    if (lua_type(L, i) != LUA_TSTRING) return ApiUsage(L, fn, shape);
  }
  std::string value;
  LuaToJsonOptions o;
  o.max_bytes = kMaxValueBytes;
  Status st = EncodeLuaToJson(L, first + 2, &value, o);
  if (!st.ok())
    return ApiError(L, st.error().reason == "too_large" ? "value_too_large" : "internal");
  if (ApiBackends::OnThisShard().storage == nullptr) return Unavailable(L);
  std::optional<std::string> who;
  if (player) who = ToString(L, 1);
  return Suspend(L, [who = std::move(who), c = ToString(L, first), k = ToString(L, first + 1),
                     value = std::move(value)](StorageBackend& b, AsyncComplete done) mutable {
    b.Set(std::move(who), std::move(c), std::move(k), std::move(value),
          [done = std::move(done)](Result<std::string> r) {
            done([r = std::move(r)](lua_State* s) { return PushJson(s, r); });
          });
  });
}

// update / player_update (lua.md §18).
int Update(lua_State* L, bool player) {
  const int first = player ? 2 : 1;
  const char* fn = player ? "game.storage.player_update" : "game.storage.update";
  const char* shape = player ? "player_id, collection, key, ops" : "collection, key, ops";
  if (lua_gettop(L) != first + 2 || lua_type(L, first + 2) != LUA_TTABLE) {
    return ApiUsage(L, fn, shape);
  }
  for (int i = 1; i <= first + 1; ++i) {
    if (lua_type(L, i) != LUA_TSTRING) return ApiUsage(L, fn, shape);
  }
  Result<MergeOps> ops = ReadMergeOps(L, first + 2, kMaxValueBytes);
  if (!ops.ok()) return ApiError(L, ops.error().reason);
  if (ApiBackends::OnThisShard().storage == nullptr) return Unavailable(L);
  std::optional<std::string> who;
  if (player) who = ToString(L, 1);
  return Suspend(L, [who = std::move(who), c = ToString(L, first), k = ToString(L, first + 1),
                     ops = std::move(ops).value()](StorageBackend& b, AsyncComplete done) mutable {
    b.Update(std::move(who), std::move(c), std::move(k), std::move(ops),
             [done = std::move(done)](Result<std::string> r) {
               done([r = std::move(r)](lua_State* s) { return PushJson(s, r); });
             });
  });
}

int GlobalGet(lua_State* L) { return Get(L, false); }
int PlayerGet(lua_State* L) { return Get(L, true); }
int GlobalSet(lua_State* L) { return Set(L, false); }
int PlayerSet(lua_State* L) { return Set(L, true); }
int GlobalUpdate(lua_State* L) { return Update(L, false); }
int PlayerUpdate(lua_State* L) { return Update(L, true); }

const ApiFunction kFunctions[] = {
    {"get", &GlobalGet},        {"set", &GlobalSet},       {"player_get", &PlayerGet},
    {"player_set", &PlayerSet}, {"update", &GlobalUpdate}, {"player_update", &PlayerUpdate},
};

}  // namespace

const ApiNamespace kStorageNamespace = {"storage", kFunctions, int(std::size(kFunctions)),
                                        kAllHosts, false};

}  // namespace asobi::script::game_api
