#include "script/lua_shims.h"

#include <cmath>
#include <cstring>
#include <lua.hpp>

namespace asobi::script {
namespace {

constexpr double kTwoPow53 = 9007199254740992.0;

// os.date formats longer than this are refused: LuaJIT calls strftime once per conversion and
// cannot be interrupted, so the length bounds the call (4 KiB: 2,048 conversions, < 1 ms).
constexpr size_t kDateFormatMaxBytes = 4096;

bool IsIntegral(double x) { return std::isfinite(x) && std::trunc(x) == x; }

int MathSqrt(lua_State* L) {
  const double x = luaL_checknumber(L, 1);
  lua_pushnumber(L, x < 0 ? 0.0 : std::sqrt(x));
  return 1;
}

int MathType(lua_State* L) {
  luaL_checkany(L, 1);
  if (lua_type(L, 1) != LUA_TNUMBER) {
    lua_pushnil(L);
  } else {
    lua_pushstring(L, IsIntegral(lua_tonumber(L, 1)) ? "integer" : "float");
  }
  return 1;
}

int MathToInteger(lua_State* L) {
  if (lua_type(L, 1) == LUA_TNUMBER && IsIntegral(lua_tonumber(L, 1))) {
    lua_pushvalue(L, 1);
  } else {
    lua_pushnil(L);
  }
  return 1;
}

int RawLen(lua_State* L) {
  const int t = lua_type(L, 1);
  luaL_argcheck(L, t == LUA_TTABLE || t == LUA_TSTRING, 1, "table or string expected");
  lua_pushinteger(L, static_cast<lua_Integer>(lua_objlen(L, 1)));
  return 1;
}

int TablePack(lua_State* L) {
  const int n = lua_gettop(L);
  lua_createtable(L, n, 1);
  lua_insert(L, 1);
  for (int i = n; i >= 1; --i) lua_rawseti(L, 1, i);
  lua_pushinteger(L, n);
  lua_setfield(L, 1, "n");
  return 1;
}

// os.date wrapper; upvalue 1 is LuaJIT's os.date.
int OsDate(lua_State* L) {
  size_t len = 0;
  const char* fmt = luaL_optlstring(L, 1, "%c", &len);
  luaL_argcheck(L, len <= kDateFormatMaxBytes, 1, "format too long (more than 4096 bytes)");
  if (len > 0 && fmt[0] == '!') ++fmt, --len;
  const bool table_form = len == 2 && fmt[0] == '*' && fmt[1] == 't';
  if (!table_form) {
    const char* bad = FindInvalidDateConversion(fmt, len);
    if (bad != nullptr) {
      const size_t left = static_cast<size_t>(fmt + len - bad);
      size_t shown = left > 1 && (bad[1] == 'E' || bad[1] == 'O') ? 3 : 2;
      if (shown > left) shown = left;
      lua_pushlstring(L, bad, shown);
      return luaL_argerror(
          L, 1, lua_pushfstring(L, "invalid conversion specifier '%s'", lua_tostring(L, -1)));
    }
  }
  if (!lua_isnoneornil(L, 2)) {
    const double t = luaL_checknumber(L, 2);
    luaL_argcheck(L, std::isfinite(t) && std::fabs(t) <= kTwoPow53, 2, "time out of range");
  }
  const int nargs = lua_gettop(L);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, nargs, 1);
  return 1;
}

// xpcall that calls the handler after the failed call has unwound. LuaJIT runs an xpcall
// handler at the raise point; for the budget's timeout sentinel that point is inside the
// count hook, where further hooks are suppressed, so a looping handler could never be stopped.
// Without the debug library a script cannot tell where its handler runs.
constexpr char kXpcallSource[] = R"lua(
local pcall, type, error = ...
local function finish(handler, ok, ...)
  if ok then return true, ... end
  local _, v = pcall(handler, (...))
  return false, v
end
return function(f, handler, ...)
  if type(handler) ~= "function" then
    error("bad argument #2 to 'xpcall' (function expected, got " .. type(handler) .. ")", 2)
  end
  return finish(handler, pcall(f, ...))
end
)lua";

void InstallXpcall(lua_State* L) {
  if (luaL_loadbuffer(L, kXpcallSource, sizeof(kXpcallSource) - 1, "=[sandbox]") != 0) {
    lua_error(L);
  }
  lua_getglobal(L, "pcall");
  lua_getglobal(L, "type");
  lua_getglobal(L, "error");
  lua_call(L, 3, 1);
  lua_setglobal(L, "xpcall");
}

void SetNumber(lua_State* L, const char* name, double v) {
  lua_pushnumber(L, v);
  lua_setfield(L, -2, name);
}

void SetFunction(lua_State* L, const char* name, lua_CFunction f) {
  lua_pushcfunction(L, f);
  lua_setfield(L, -2, name);
}

}  // namespace

const char* FindInvalidDateConversion(const char* format, size_t len) {
  static constexpr char kPlain[] = "aAbBcCdDeFgGhHIjmMnprRStTuUVwWxXyYzZ%";
  static constexpr char kE[] = "cCxXyY";
  static constexpr char kO[] = "deHImMSuUVwWy";
  for (size_t i = 0; i < len; ++i) {
    if (format[i] != '%') continue;
    const char* start = format + i;
    if (i + 1 >= len || format[i + 1] == '\0') return start;
    const char c = format[i + 1];
    if (c == 'E' || c == 'O') {
      const char* set = c == 'E' ? kE : kO;
      if (i + 2 >= len || format[i + 2] == '\0' || std::strchr(set, format[i + 2]) == nullptr) {
        return start;
      }
      i += 2;
    } else {
      if (std::strchr(kPlain, c) == nullptr) return start;
      i += 1;
    }
  }
  return nullptr;
}

void InstallShims(lua_State* L) {
  InstallXpcall(L);

  lua_getglobal(L, "math");
  SetFunction(L, "sqrt", &MathSqrt);
  SetFunction(L, "type", &MathType);
  SetFunction(L, "tointeger", &MathToInteger);
  SetNumber(L, "maxinteger", kTwoPow53 - 1);
  SetNumber(L, "mininteger", -kTwoPow53);
  lua_pop(L, 1);

  lua_getglobal(L, "rawlen");
  if (lua_isnil(L, -1)) {
    lua_pushcfunction(L, &RawLen);
    lua_setglobal(L, "rawlen");
  }
  lua_pop(L, 1);

  lua_getglobal(L, "table");
  lua_getfield(L, -1, "pack");
  const bool has_pack = !lua_isnil(L, -1);
  lua_pop(L, 1);
  if (!has_pack) SetFunction(L, "pack", &TablePack);
  lua_getfield(L, -1, "unpack");
  if (lua_isnil(L, -1)) {
    lua_getglobal(L, "unpack");
    lua_setfield(L, -3, "unpack");
  }
  lua_pop(L, 2);

  lua_getglobal(L, "os");
  lua_getfield(L, -1, "date");
  lua_pushcclosure(L, &OsDate, 1);
  lua_setfield(L, -2, "date");
  lua_pop(L, 1);
}

}  // namespace asobi::script
