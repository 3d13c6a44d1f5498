// game.notify / game.notify_many (lua.md §9 Notifications; DECISIONS.md Lua 2). Both are
// *DB*: they validate their arguments, then suspend the callback's coroutine until the
// notification backend stored the rows (or the host's timeout answers `{error = "timeout"}`).
// Results are wrapped: `{ok = value}` or `{error = "reason"}`; nothing here raises.
//
// `data` (optional) is encoded as a JSON object: a value that is not a table with string keys
// becomes `{}` (as game.broadcast payloads); more than 16 KiB answers
// `{error = "data_too_large"}`. A notify to a player that does not exist answers
// `{error = "player_not_found"}`; notify_many skips such ids (and non-strings).
#include <lua.hpp>
#include <string>
#include <utility>
#include <vector>

#include "script/game_api/api_backends.h"
#include "script/game_api/api_namespaces.h"
#include "script/game_api/game_api.h"
#include "script/game_api/notify_backend.h"
#include "script/lua_json.h"

namespace asobi::script::game_api {
namespace {

constexpr size_t kDataBytesMax = 16384;  // docs/decisions.md "Notifications"
constexpr char kNotifyShape[] = "player_id, type, subject[, data]";
constexpr char kNotifyManyShape[] = "player_ids, type, subject[, data]";

struct NotifyArgs {
  std::vector<std::string> players;
  std::string type;
  std::string subject;
  std::string content = "{}";
};

std::string ToString(lua_State* L, int index) {
  size_t n = 0;
  const char* s = lua_tolstring(L, index, &n);
  return std::string(s, n);
}

// Reads (_, type, subject[, data]) into `out`; false after pushing the usage error or the
// data error.
bool ReadRest(lua_State* L, const char* fn, const char* shape, NotifyArgs* out) {
  const int n = lua_gettop(L);
  if (n < 3 || n > 4 || lua_type(L, 2) != LUA_TSTRING || lua_type(L, 3) != LUA_TSTRING ||
      (n == 4 && !lua_isnil(L, 4) && lua_type(L, 4) != LUA_TTABLE)) {
    ApiUsage(L, fn, shape);
    return false;
  }
  out->type = ToString(L, 2);
  out->subject = ToString(L, 3);
  if (n == 4 && lua_type(L, 4) == LUA_TTABLE) {
    std::string json;
    LuaToJsonOptions options;
    options.shape = JsonShape::kObject;
    options.max_bytes = kDataBytesMax;
    Status s = EncodeLuaToJson(L, 4, &json, options);
    if (!s.ok()) {
      ApiError(L, s.error().reason == "too_large" ? "data_too_large" : s.error().reason);
      return false;
    }
    out->content = std::move(json);
  }
  return true;
}

template <typename Push>
int Suspend(lua_State* L, NotifyArgs args, Push push) {
  ApiHost* host = HostOf(L);
  if (host == nullptr || !host->CanSuspend(L)) return ApiError(L, "cannot_suspend_here");
  host->BeginAsync([host, args = std::move(args), push](AsyncComplete done) mutable {
    NotifyBackend* backend = ApiBackends::OnThisShard().notify;
    if (backend == nullptr) {  // torn down between the call and the yield: answer later
      host->RunAfterMs(0, [done = std::move(done)] {
        done([](lua_State* s) { return ApiError(s, "notifications are not available"); });
      });
      return;
    }
    backend->Notify(std::move(args.players), std::move(args.type), std::move(args.subject),
                    std::move(args.content),
                    [push, done = std::move(done)](Result<std::vector<NotifyBackend::Stored>> r) {
                      done([push, r = std::move(r)](lua_State* s) { return push(s, r); });
                    });
  });
  return lua_yield(L, 0);
}

int PushOne(lua_State* L, const Result<std::vector<NotifyBackend::Stored>>& r) {
  if (!r.ok()) return ApiError(L, r.error().reason);
  if (r->empty()) return ApiError(L, "player_not_found");
  thread_local simdjson::dom::parser parser;
  const int base = lua_gettop(L);
  lua_createtable(L, 0, 1);
  if (!PushJsonText(L, parser, r->front().row_json).ok() || lua_type(L, -1) != LUA_TTABLE) {
    lua_settop(L, base);
    return ApiError(L, "internal");
  }
  lua_getfield(L, -1, "content");  // an empty content stays `{}` when encoded again
  if (lua_type(L, -1) == LUA_TTABLE) MarkTableAsObject(L, -1);
  lua_pop(L, 1);
  lua_setfield(L, -2, "ok");
  return 1;
}

int PushReached(lua_State* L, const Result<std::vector<NotifyBackend::Stored>>& r) {
  if (!r.ok()) return ApiError(L, r.error().reason);
  lua_createtable(L, 0, 1);
  lua_createtable(L, int(r->size()), 0);
  int i = 0;
  for (const NotifyBackend::Stored& s : r.value()) {
    lua_pushlstring(L, s.player_id.data(), s.player_id.size());
    lua_rawseti(L, -2, ++i);
  }
  lua_setfield(L, -2, "ok");
  return 1;
}

int Notify(lua_State* L) {
  NotifyArgs args;
  if (lua_type(L, 1) != LUA_TSTRING) return ApiUsage(L, "game.notify", kNotifyShape);
  if (!ReadRest(L, "game.notify", kNotifyShape, &args)) return 1;
  if (ApiBackends::OnThisShard().notify == nullptr) {
    return ApiError(L, "notifications are not available");
  }
  args.players.push_back(ToString(L, 1));
  return Suspend(L, std::move(args), &PushOne);
}

int NotifyMany(lua_State* L) {
  NotifyArgs args;
  if (lua_type(L, 1) != LUA_TTABLE) return ApiUsage(L, "game.notify_many", kNotifyManyShape);
  if (!ReadRest(L, "game.notify_many", kNotifyManyShape, &args)) return 1;
  if (ApiBackends::OnThisShard().notify == nullptr) {
    return ApiError(L, "notifications are not available");
  }
  const size_t n = lua_objlen(L, 1);
  for (size_t i = 1; i <= n; ++i) {
    lua_rawgeti(L, 1, int(i));
    if (lua_type(L, -1) == LUA_TSTRING) args.players.push_back(ToString(L, -1));
    lua_pop(L, 1);
  }
  return Suspend(L, std::move(args), &PushReached);
}

const ApiFunction kFunctions[] = {
    {"notify", &Notify},
    {"notify_many", &NotifyMany},
};

}  // namespace

const ApiNamespace kNotifyNamespace = {"", kFunctions, int(std::size(kFunctions)), kAllHosts,
                                       false};

}  // namespace asobi::script::game_api
