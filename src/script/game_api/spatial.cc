// game.spatial.* (lua.md §9 "Spatial", §18 per-query option validation). Plain, pure
// computation over a string-keyed table of entity tables; members without numeric `x`/`y` are
// skipped. Results are arrays of {id, entity, distance} where `entity` is the caller's own
// table. The zone forms query_radius(x, y, r) and query_rect(x1, y1, x2, y2) read the calling
// zone's own entities (ApiHost::PushZoneEntities) and return {id, x, y}; outside a zone they
// answer {error = "... requires zone context"}. Options (docs/decisions.md "Worlds"): `type`
// (string or list of strings), `exclude` (id or list of ids), `max_results` (integer >= 1,
// query_radius only), `sort` ("nearest"/"farthest"); an unknown key, a bad value or a key the
// query does not honour is {error = "<fn>: invalid option <key>"}.
#include <algorithm>
#include <cmath>
#include <lua.hpp>
#include <string>
#include <vector>

#include "script/game_api/api_namespaces.h"
#include "script/game_api/game_api.h"

namespace asobi::script::game_api {
namespace {

enum class Sort { kNone, kNearest, kFarthest };

struct Opts {
  std::vector<std::string> types;
  std::vector<std::string> exclude;
  int max_results = -1;
  Sort sort = Sort::kNone;
};

// A string, or a non-empty array of strings, into `out`; false otherwise.
bool StringOrList(lua_State* L, int idx, std::vector<std::string>* out) {
  if (lua_type(L, idx) == LUA_TSTRING) {
    out->emplace_back(lua_tostring(L, idx));
    return true;
  }
  if (!lua_istable(L, idx)) return false;
  const int n = int(lua_objlen(L, idx));
  for (int i = 1; i <= n; ++i) {
    lua_rawgeti(L, idx, i);
    const bool ok = lua_type(L, -1) == LUA_TSTRING;
    if (ok) out->emplace_back(lua_tostring(L, -1));
    lua_pop(L, 1);
    if (!ok) return false;
  }
  return n > 0;
}

// Reads the options table at `idx` (absent or nil: none). Returns "" or the bad key.
std::string ReadOpts(lua_State* L, int idx, bool allow_max, Opts* o) {
  if (lua_gettop(L) < idx || lua_isnil(L, idx)) return "";
  if (!lua_istable(L, idx)) return "opts";
  lua_pushnil(L);
  while (lua_next(L, idx) != 0) {
    const int v = lua_gettop(L);
    std::string key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
    bool ok = false;
    if (key == "type") {
      ok = StringOrList(L, v, &o->types);
    } else if (key == "exclude") {
      ok = StringOrList(L, v, &o->exclude);
    } else if (key == "max_results" && allow_max && lua_type(L, v) == LUA_TNUMBER) {
      const double d = lua_tonumber(L, v);
      ok = d >= 1 && d <= 1e9 && d == std::floor(d);
      if (ok) o->max_results = int(d);
    } else if (key == "sort" && lua_type(L, v) == LUA_TSTRING) {
      const std::string s = lua_tostring(L, v);
      ok = s == "nearest" || s == "farthest";
      o->sort = s == "farthest" ? Sort::kFarthest : Sort::kNearest;
    }
    lua_pop(L, 1);
    if (!ok) {
      lua_pop(L, 1);
      return key;
    }
  }
  return "";
}

bool Coords(lua_State* L, int idx, double* x, double* y) {
  if (!lua_istable(L, idx)) return false;
  lua_getfield(L, idx, "x");
  lua_getfield(L, idx, "y");
  const bool ok = lua_type(L, -2) == LUA_TNUMBER && lua_type(L, -1) == LUA_TNUMBER;
  if (ok) {
    *x = lua_tonumber(L, -2);
    *y = lua_tonumber(L, -1);
  }
  lua_pop(L, 2);
  return ok && std::isfinite(*x) && std::isfinite(*y);
}

bool Matches(lua_State* L, int entity, const char* id, const Opts& o) {
  for (const std::string& e : o.exclude) {
    if (e == id) return false;
  }
  if (o.types.empty()) return true;
  lua_getfield(L, entity, "type");
  bool ok = false;
  if (lua_type(L, -1) == LUA_TSTRING) {
    const char* t = lua_tostring(L, -1);
    for (const std::string& want : o.types) ok = ok || want == t;
  }
  lua_pop(L, 1);
  return ok;
}

struct Hit {
  int key_ref;  // stack index of the id string in a scratch table
  double distance;
};

bool AllNumbers(lua_State* L, int from, int to) {
  for (int i = from; i <= to; ++i) {
    if (lua_type(L, i) != LUA_TNUMBER || !std::isfinite(lua_tonumber(L, i))) return false;
  }
  return true;
}

// The rectangle a query may be limited to (neighbours_rect).
struct Rect {
  bool on = false;
  double x1 = 0, y1 = 0, x2 = 0, y2 = 0;
  bool Contains(double x, double y) const {
    return !on || (x >= std::min(x1, x2) && x <= std::max(x1, x2) && y >= std::min(y1, y2) &&
                   y <= std::max(y1, y2));
  }
};

// Collects the members of the entity table at `table` within `r` of (x, y) (r < 0: any
// distance) and inside `rect`, sorted and cut as `o` says, and pushes the result array
// ({id, entity, distance}; without distance when `with_distance` is false).
int Query(lua_State* L, double x, double y, double r, const Opts& o, int limit, int table = 1,
          const Rect& rect = {}, bool with_distance = true) {
  lua_newtable(L);  // scratch: hit i -> {id, entity}
  const int scratch = lua_gettop(L);
  std::vector<Hit> hits;
  lua_pushnil(L);
  while (lua_next(L, table) != 0) {
    double ex = 0, ey = 0;
    if (lua_type(L, -2) == LUA_TSTRING && Coords(L, lua_gettop(L), &ex, &ey) &&
        rect.Contains(ex, ey) && Matches(L, lua_gettop(L), lua_tostring(L, -2), o)) {
      const double d = std::hypot(ex - x, ey - y);
      if (r < 0 || d <= r) {
        hits.push_back(Hit{int(hits.size()) + 1, d});
        lua_createtable(L, 2, 0);
        lua_pushvalue(L, -3);
        lua_rawseti(L, -2, 1);
        lua_pushvalue(L, -2);
        lua_rawseti(L, -2, 2);
        lua_rawseti(L, scratch, hits.back().key_ref);
      }
    }
    lua_pop(L, 1);
  }
  if (o.sort != Sort::kNone) {
    const bool far = o.sort == Sort::kFarthest;
    std::stable_sort(hits.begin(), hits.end(), [far](const Hit& a, const Hit& b) {
      return far ? a.distance > b.distance : a.distance < b.distance;
    });
  }
  if (limit >= 0 && int(hits.size()) > limit) hits.resize(size_t(limit));
  lua_createtable(L, int(hits.size()), 0);
  for (size_t i = 0; i < hits.size(); ++i) {
    lua_createtable(L, 0, 3);
    lua_rawgeti(L, scratch, hits[i].key_ref);
    lua_rawgeti(L, -1, 1);
    lua_setfield(L, -3, "id");
    lua_rawgeti(L, -1, 2);
    lua_setfield(L, -3, "entity");
    lua_pop(L, 1);
    if (with_distance) {
      lua_pushnumber(L, hits[i].distance);
      lua_setfield(L, -2, "distance");
    }
    lua_rawseti(L, -2, int(i) + 1);
  }
  return 1;
}

int InvalidOption(lua_State* L, const char* fn, const std::string& key) {
  std::string m(fn);
  m.append(": invalid option ");
  m.append(key);
  return ApiError(L, m);
}

// The zone forms: the calling zone's entities within the circle or rectangle, as {id, x, y}.
int ZoneQuery(lua_State* L, const char* fn, double x1, double y1, double x2, double y2,
              bool circle) {
  ApiHost* host = HostOf(L);
  if (host == nullptr || host->kind() != HostKind::kZone || !host->PushZoneEntities(L)) {
    std::string m(fn);
    m.append(" requires zone context");
    return ApiError(L, m);
  }
  const int t = lua_gettop(L);
  lua_newtable(L);
  int n = 0;
  lua_pushnil(L);
  while (lua_next(L, t) != 0) {
    double ex = 0, ey = 0;
    if (lua_type(L, -2) == LUA_TSTRING && Coords(L, lua_gettop(L), &ex, &ey)) {
      const bool in = circle ? std::hypot(ex - x1, ey - y1) <= x2
                             : ex >= std::min(x1, x2) && ex <= std::max(x1, x2) &&
                                   ey >= std::min(y1, y2) && ey <= std::max(y1, y2);
      if (in) {
        lua_createtable(L, 0, 3);
        lua_pushvalue(L, -3);
        lua_setfield(L, -2, "id");
        lua_pushnumber(L, ex);
        lua_setfield(L, -2, "x");
        lua_pushnumber(L, ey);
        lua_setfield(L, -2, "y");
        lua_rawseti(L, t + 1, ++n);
      }
    }
    lua_pop(L, 1);
  }
  return 1;
}

int QueryRadius(lua_State* L) {
  if (lua_gettop(L) == 3 && AllNumbers(L, 1, 3)) {
    return ZoneQuery(L, "game.spatial.query_radius", lua_tonumber(L, 1), lua_tonumber(L, 2),
                     lua_tonumber(L, 3), 0, true);
  }
  if (lua_gettop(L) < 4 || lua_gettop(L) > 5 || !lua_istable(L, 1) || !AllNumbers(L, 2, 4) ||
      lua_tonumber(L, 4) < 0) {
    return ApiUsage(L, "game.spatial.query_radius", "entities, x, y, r[, opts]");
  }
  Opts o;
  std::string bad = ReadOpts(L, 5, true, &o);
  if (!bad.empty()) return InvalidOption(L, "game.spatial.query_radius", bad);
  return Query(L, lua_tonumber(L, 2), lua_tonumber(L, 3), lua_tonumber(L, 4), o, o.max_results);
}

int QueryRect(lua_State* L) {
  if (lua_gettop(L) != 4 || !AllNumbers(L, 1, 4)) {
    return ApiUsage(L, "game.spatial.query_rect", "x1, y1, x2, y2");
  }
  return ZoneQuery(L, "game.spatial.query_rect", lua_tonumber(L, 1), lua_tonumber(L, 2),
                   lua_tonumber(L, 3), lua_tonumber(L, 4), false);
}

int Nearest(lua_State* L) {
  if (lua_gettop(L) < 4 || lua_gettop(L) > 5 || !lua_istable(L, 1) || !AllNumbers(L, 2, 4) ||
      lua_tonumber(L, 4) < 0) {
    return ApiUsage(L, "game.spatial.nearest", "entities, x, y, n[, opts]");
  }
  Opts o;
  std::string bad = ReadOpts(L, 5, false, &o);
  if (!bad.empty()) return InvalidOption(L, "game.spatial.nearest", bad);
  if (o.sort == Sort::kNone) o.sort = Sort::kNearest;
  const double n = std::floor(lua_tonumber(L, 4));
  return Query(L, lua_tonumber(L, 2), lua_tonumber(L, 3), -1, o, n > 1e9 ? int(1e9) : int(n));
}

// Pushes the touching zones' mirrored entities (a fresh table of copies), or the "requires
// zone context" error; returns the table's stack index, 0 after the error.
int PushNeighbours(lua_State* L, const char* fn) {
  ApiHost* host = HostOf(L);
  if (host == nullptr || host->kind() != HostKind::kZone || !host->PushNeighbourEntities(L)) {
    std::string m(fn);
    m.append(" requires zone context");
    ApiError(L, m);
    return 0;
  }
  return lua_gettop(L);
}

// neighbours_radius(x, y, r[, opts]): as query_radius over the touching zones' border bands.
int NeighboursRadius(lua_State* L) {
  const char* fn = "game.spatial.neighbours_radius";
  if (lua_gettop(L) < 3 || lua_gettop(L) > 4 || !AllNumbers(L, 1, 3) || lua_tonumber(L, 3) < 0) {
    return ApiUsage(L, fn, "x, y, r[, opts]");
  }
  Opts o;
  std::string bad = ReadOpts(L, 4, true, &o);
  if (!bad.empty()) return InvalidOption(L, fn, bad);
  const double x = lua_tonumber(L, 1), y = lua_tonumber(L, 2), r = lua_tonumber(L, 3);
  const int t = PushNeighbours(L, fn);
  if (t == 0) return 1;
  return Query(L, x, y, r, o, o.max_results, t);
}

// neighbours_rect(x1, y1, x2, y2[, opts]): the mirrored entities inside the rectangle, as
// {id, entity} (no distance; `sort` is refused, lua.md §18).
int NeighboursRect(lua_State* L) {
  const char* fn = "game.spatial.neighbours_rect";
  if (lua_gettop(L) < 4 || lua_gettop(L) > 5 || !AllNumbers(L, 1, 4)) {
    return ApiUsage(L, fn, "x1, y1, x2, y2[, opts]");
  }
  Opts o;
  std::string bad = ReadOpts(L, 5, true, &o);
  if (bad.empty() && o.sort != Sort::kNone) bad = "sort";
  if (!bad.empty()) return InvalidOption(L, fn, bad);
  Rect rect;
  rect.on = true;
  rect.x1 = lua_tonumber(L, 1);
  rect.y1 = lua_tonumber(L, 2);
  rect.x2 = lua_tonumber(L, 3);
  rect.y2 = lua_tonumber(L, 4);
  const int t = PushNeighbours(L, fn);
  if (t == 0) return 1;
  return Query(L, 0, 0, -1, o, o.max_results, t, rect, /*with_distance=*/false);
}

int Distance(lua_State* L) {
  if (lua_gettop(L) != 2) return ApiUsage(L, "game.spatial.distance", "a, b");
  double ax = 0, ay = 0, bx = 0, by = 0;
  if (!Coords(L, 1, &ax, &ay) || !Coords(L, 2, &bx, &by)) {
    lua_pushboolean(L, 0);
    return 1;
  }
  lua_pushnumber(L, std::hypot(ax - bx, ay - by));
  return 1;
}

int InRange(lua_State* L) {
  if (lua_gettop(L) != 3 || lua_type(L, 3) != LUA_TNUMBER) {
    return ApiUsage(L, "game.spatial.in_range", "a, b, range");
  }
  double ax = 0, ay = 0, bx = 0, by = 0;
  const bool ok = Coords(L, 1, &ax, &ay) && Coords(L, 2, &bx, &by) &&
                  std::hypot(ax - bx, ay - by) <= lua_tonumber(L, 3);
  lua_pushboolean(L, ok ? 1 : 0);
  return 1;
}

const ApiFunction kFunctions[] = {
    {"query_radius", &QueryRadius},
    {"query_rect", &QueryRect},
    {"nearest", &Nearest},
    {"distance", &Distance},
    {"in_range", &InRange},
    {"neighbours_radius", &NeighboursRadius},
    {"neighbours_rect", &NeighboursRect},
};

}  // namespace

const ApiNamespace kSpatialNamespace = {"spatial", kFunctions, int(std::size(kFunctions)),
                                        kAllHosts, false};

}  // namespace asobi::script::game_api
