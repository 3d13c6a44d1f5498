// game.kv.get/set/merge/delete (lua.md §18). Wrapped, synchronous (no database): `get` ->
// `{ok = value}` or `{error = "not_found"}`; `set` (value must be a table) and `merge` ->
// `{ok = value}`; `delete` -> `{ok = true}` (also when absent). `ttl_seconds` > 0 (fractions
// allowed) overrides kv_ttl_seconds for that write. Errors: invalid_key (collection/key not
// 1-255 bytes), invalid_ttl, value_too_large (over 262 144 bytes of JSON), kv_full, the merge
// operator errors of merge_ops.h. Never raises.
#include "script/game_api/kv.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <lua.hpp>
#include <string>
#include <unordered_map>
#include <utility>

#include "script/game_api/api_host.h"
#include "script/game_api/api_namespaces.h"
#include "script/game_api/game_api.h"
#include "script/game_api/merge_ops.h"
#include "script/lua_json.h"

namespace asobi::script::game_api {
namespace {

constexpr size_t kMaxValueBytes = 262144;
constexpr size_t kMaxNameBytes = 255;
constexpr int64_t kSweepEveryMs = 1000;
constexpr double kMaxTtlSeconds = 1e9;

std::atomic<int64_t> g_ttl_ms{3600 * 1000};
std::atomic<int64_t> g_max_keys{100000};
std::atomic<int64_t> g_count{0};

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct Entry {
  std::string json;
  int64_t expires_ms = 0;
};

// This shard's entries, keyed by instance id, collection and key (NUL-separated).
class ShardKv {
 public:
  static ShardKv& Get() {
    thread_local ShardKv kv;
    return kv;
  }
  ~ShardKv() { g_count.fetch_sub(int64_t(map_.size()), std::memory_order_relaxed); }

  const Entry* Find(const std::string& k, int64_t now) {
    auto it = map_.find(k);
    if (it == map_.end()) return nullptr;
    if (it->second.expires_ms <= now) {
      map_.erase(it);
      g_count.fetch_sub(1, std::memory_order_relaxed);
      return nullptr;
    }
    return &it->second;
  }

  // False when the key is new and the node is at kv_max_keys.
  bool Put(const std::string& k, std::string json, int64_t expires_ms, int64_t now) {
    if (Find(k, now) == nullptr) {
      if (g_count.load(std::memory_order_relaxed) >= g_max_keys.load(std::memory_order_relaxed)) {
        Sweep(now);
        if (g_count.load(std::memory_order_relaxed) >= g_max_keys.load(std::memory_order_relaxed))
          return false;
      }
      g_count.fetch_add(1, std::memory_order_relaxed);
    } else if (now - last_sweep_ms_ >= kSweepEveryMs) {
      Sweep(now);
    }
    Entry& e = map_[k];
    e.json = std::move(json);
    e.expires_ms = expires_ms;
    return true;
  }

  void Erase(const std::string& k) {
    if (map_.erase(k) > 0) g_count.fetch_sub(1, std::memory_order_relaxed);
  }

 private:
  // Drops expired entries, at most once per kSweepEveryMs per shard.
  void Sweep(int64_t now) {
    if (now - last_sweep_ms_ < kSweepEveryMs) return;
    last_sweep_ms_ = now;
    for (auto it = map_.begin(); it != map_.end();) {
      if (it->second.expires_ms <= now) {
        it = map_.erase(it);
        g_count.fetch_sub(1, std::memory_order_relaxed);
      } else {
        ++it;
      }
    }
  }

  std::unordered_map<std::string, Entry> map_;
  int64_t last_sweep_ms_ = -kSweepEveryMs;
};

bool ValidName(lua_State* L, int index) {
  size_t n = 0;
  lua_tolstring(L, index, &n);
  return n >= 1 && n <= kMaxNameBytes;
}

// The map key of (calling instance, collection at `index`, key at `index + 1`).
std::string MapKey(lua_State* L, int index) {
  ApiHost* host = HostOf(L);
  std::string k = host != nullptr ? host->instance_id() : std::string();
  size_t n = 0;
  const char* s = lua_tolstring(L, index, &n);
  k.push_back('\0');
  k.append(s, n);
  s = lua_tolstring(L, index + 1, &n);
  k.push_back('\0');
  k.append(s, n);
  return k;
}

// Checks (collection, key[, value][, ttl]) arity and types; the value at 3 must be a table
// when `table_at_3`. Returns false after pushing the usage error.
bool CheckArgs(lua_State* L, int min, int max, const char* fn, const char* shape, bool table_at_3) {
  if (lua_gettop(L) == 4 && lua_isnil(L, 4)) lua_settop(L, 3);  // an explicit nil ttl: absent
  const int n = lua_gettop(L);
  if (n < min || n > max || lua_type(L, 1) != LUA_TSTRING || lua_type(L, 2) != LUA_TSTRING ||
      (table_at_3 && lua_type(L, 3) != LUA_TTABLE) || (n == 4 && lua_type(L, 4) != LUA_TNUMBER)) {
    ApiUsage(L, fn, shape);
    return false;
  }
  return true;
}

// The expiry of a write: `ttl` index 4 when present, else kv_ttl_seconds. -1 when invalid.
int64_t ExpiryMs(lua_State* L, int64_t now) {
  if (lua_gettop(L) < 4) return now + g_ttl_ms.load(std::memory_order_relaxed);
  const double ttl = lua_tonumber(L, 4);
  if (!std::isfinite(ttl) || ttl <= 0 || ttl > kMaxTtlSeconds) return -1;
  return now + std::max<int64_t>(1, int64_t(std::llround(ttl * 1000)));
}

int PushValue(lua_State* L, const std::string& json) {
  thread_local simdjson::dom::parser parser;
  const int base = lua_gettop(L);
  lua_createtable(L, 0, 1);
  if (!PushJsonText(L, parser, json).ok()) {
    lua_settop(L, base);
    return ApiError(L, "internal");
  }
  lua_setfield(L, -2, "ok");
  return 1;
}

int KvGet(lua_State* L) {
  if (lua_gettop(L) != 2 || lua_type(L, 1) != LUA_TSTRING || lua_type(L, 2) != LUA_TSTRING) {
    return ApiUsage(L, "game.kv.get", "collection, key");
  }
  if (!ValidName(L, 1) || !ValidName(L, 2)) return ApiError(L, "not_found");
  const Entry* e = ShardKv::Get().Find(MapKey(L, 1), NowMs());
  if (e == nullptr) return ApiError(L, "not_found");
  return PushValue(L, e->json);
}

int KvSet(lua_State* L) {
  if (!CheckArgs(L, 3, 4, "game.kv.set", "collection, key, value[, ttl_seconds]", true)) return 1;
  if (!ValidName(L, 1) || !ValidName(L, 2)) return ApiError(L, "invalid_key");
  const int64_t now = NowMs();
  const int64_t expires = ExpiryMs(L, now);
  if (expires < 0) return ApiError(L, "invalid_ttl");
  std::string json;
  LuaToJsonOptions o;
  o.max_bytes = kMaxValueBytes;
  Status st = EncodeLuaToJson(L, 3, &json, o);
  if (!st.ok()) {
    return ApiError(L, st.error().reason == "too_large" ? "value_too_large" : "internal");
  }
  std::string copy = json;
  if (!ShardKv::Get().Put(MapKey(L, 1), std::move(json), expires, now)) {
    return ApiError(L, "kv_full");
  }
  return PushValue(L, copy);
}

int KvMerge(lua_State* L) {
  if (!CheckArgs(L, 3, 4, "game.kv.merge", "collection, key, ops[, ttl_seconds]", true)) return 1;
  if (!ValidName(L, 1) || !ValidName(L, 2)) return ApiError(L, "invalid_key");
  const int64_t now = NowMs();
  const int64_t expires = ExpiryMs(L, now);
  if (expires < 0) return ApiError(L, "invalid_ttl");
  Result<MergeOps> ops = ReadMergeOps(L, 3, kMaxValueBytes);
  if (!ops.ok()) return ApiError(L, ops.error().reason);
  ShardKv& kv = ShardKv::Get();
  const std::string k = MapKey(L, 1);
  const Entry* e = kv.Find(k, now);
  Result<std::string> merged = ApplyMergeOps(e != nullptr ? e->json : std::string(), *ops);
  if (!merged.ok()) return ApiError(L, merged.error().reason);
  if (merged->size() > kMaxValueBytes) return ApiError(L, "value_too_large");
  std::string copy = *merged;
  if (!kv.Put(k, std::move(merged).value(), expires, now)) return ApiError(L, "kv_full");
  return PushValue(L, copy);
}

int KvDelete(lua_State* L) {
  if (lua_gettop(L) != 2 || lua_type(L, 1) != LUA_TSTRING || lua_type(L, 2) != LUA_TSTRING) {
    return ApiUsage(L, "game.kv.delete", "collection, key");
  }
  ShardKv::Get().Erase(MapKey(L, 1));
  lua_createtable(L, 0, 1);
  lua_pushboolean(L, 1);
  lua_setfield(L, -2, "ok");
  return 1;
}

const ApiFunction kFunctions[] = {
    {"get", &KvGet},
    {"set", &KvSet},
    {"merge", &KvMerge},
    {"delete", &KvDelete},
};

}  // namespace

void SetKvLimits(int64_t ttl_seconds, int64_t max_keys) {
  g_ttl_ms.store(ttl_seconds * 1000, std::memory_order_relaxed);
  g_max_keys.store(max_keys, std::memory_order_relaxed);
}

int64_t KvEntryCount() { return g_count.load(std::memory_order_relaxed); }

const ApiNamespace kKvNamespace = {"kv", kFunctions, int(std::size(kFunctions)), kAllHosts, false};

}  // namespace asobi::script::game_api
