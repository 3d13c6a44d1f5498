#include "script/lua_utf8.h"

#include <cmath>
#include <lua.hpp>

#include "base/utf8.h"
#include "script/watchdog.h"

namespace asobi::script {
namespace {

using Int = lua_Integer;

// Lua 5.3's charpattern (lead byte, then any continuation bytes). Lua 5.3 writes the NUL as
// a literal "\0", which LuaJIT's (5.1) pattern matcher cannot take; "%z" is its 5.1 spelling.
constexpr char kCharPattern[] = "[%z\x01-\x7F\xC2-\xFD][\x80-\xBF]*";

bool IsContinuation(const char* p) { return (static_cast<unsigned char>(*p) & 0xC0) == 0x80; }

// Lets an expired budget stop a loop over a long string (strings reach 40 MiB): PollTimeout
// every kSteps steps.
class StepPoll {
 public:
  explicit StepPoll(lua_State* L) : L_(L) {}
  void Step() {
    if (++steps_ == kSteps) {
      steps_ = 0;
      PollTimeout(L_);
    }
  }

 private:
  static constexpr int kSteps = 1 << 16;
  lua_State* L_;
  int steps_ = 0;
};

// Relative string position to absolute (1-based); negative counts from the end.
Int RelativePosition(Int pos, size_t len) {
  if (pos >= 0) return pos;
  if (static_cast<size_t>(-pos) > len) return 0;
  return static_cast<Int>(len) + pos + 1;
}

// Decodes at `s + at` (at < len); returns the sequence length or 0 if invalid.
size_t DecodeAt(const char* s, size_t len, size_t at, uint32_t* cp) {
  return DecodeUtf8(reinterpret_cast<const unsigned char*>(s) + at, len - at, cp,
                    Utf8Surrogates::kAccept);
}

int Utf8Char(lua_State* L) {
  const int n = lua_gettop(L);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (int i = 1; i <= n; ++i) {
    const double v = luaL_checknumber(L, i);
    luaL_argcheck(L, std::trunc(v) == v, i, "number has no integer representation");
    luaL_argcheck(L, v >= 0 && v <= 0x10FFFF, i, "value out of range");
    char buf[4];
    const size_t len = EncodeUtf8(static_cast<uint32_t>(v), buf);
    luaL_addlstring(&b, buf, len);
  }
  luaL_pushresult(&b);
  return 1;
}

int Utf8Codepoint(lua_State* L) {
  size_t len;
  const char* s = luaL_checklstring(L, 1, &len);
  const Int first = RelativePosition(luaL_optinteger(L, 2, 1), len);
  const Int last = RelativePosition(luaL_optinteger(L, 3, first), len);
  luaL_argcheck(L, first >= 1, 2, "out of range");
  luaL_argcheck(L, last <= static_cast<Int>(len), 3, "out of range");
  if (first > last) return 0;
  if (last - first >= INT32_MAX) return luaL_error(L, "string slice too long");
  luaL_checkstack(L, static_cast<int>(last - first + 1), "string slice too long");
  int count = 0;
  size_t at = static_cast<size_t>(first - 1);
  while (at < static_cast<size_t>(last)) {
    uint32_t cp;
    const size_t n = DecodeAt(s, len, at, &cp);
    if (n == 0) return luaL_error(L, "invalid UTF-8 code");
    lua_pushinteger(L, cp);
    at += n;
    ++count;
  }
  return count;
}

int Utf8Len(lua_State* L) {
  size_t len;
  const char* s = luaL_checklstring(L, 1, &len);
  const Int first = RelativePosition(luaL_optinteger(L, 2, 1), len);
  const Int last = RelativePosition(luaL_optinteger(L, 3, -1), len);
  luaL_argcheck(L, first >= 1 && first - 1 <= static_cast<Int>(len), 2,
                "initial position out of string");
  luaL_argcheck(L, last - 1 < static_cast<Int>(len), 3, "final position out of string");
  Int count = 0;
  Int at = first - 1;
  StepPoll poll(L);
  while (at < last) {
    poll.Step();
    uint32_t cp;
    const size_t n = DecodeAt(s, len, static_cast<size_t>(at), &cp);
    if (n == 0) {
      lua_pushnil(L);
      lua_pushinteger(L, at + 1);
      return 2;
    }
    at += static_cast<Int>(n);
    ++count;
  }
  lua_pushinteger(L, count);
  return 1;
}

int Utf8Offset(lua_State* L) {
  size_t len;
  const char* s = luaL_checklstring(L, 1, &len);  // NUL-terminated, so s[len] is readable
  Int n = luaL_checkinteger(L, 2);
  const Int default_start = n >= 0 ? 1 : static_cast<Int>(len) + 1;
  Int at = RelativePosition(luaL_optinteger(L, 3, default_start), len);
  luaL_argcheck(L, at >= 1 && at - 1 <= static_cast<Int>(len), 3, "position out of range");
  --at;  // 0-based
  StepPoll poll(L);
  if (n == 0) {
    while (at > 0 && IsContinuation(s + at)) {
      poll.Step();
      --at;
    }
    lua_pushinteger(L, at + 1);
    return 1;
  }
  if (IsContinuation(s + at)) return luaL_error(L, "initial position is a continuation byte");
  if (n < 0) {
    while (n < 0 && at > 0) {
      do {
        poll.Step();
        --at;
      } while (at > 0 && IsContinuation(s + at));
      ++n;
    }
  } else {
    --n;
    while (n > 0 && at < static_cast<Int>(len)) {
      do {
        poll.Step();
        ++at;
      } while (IsContinuation(s + at));
      --n;
    }
  }
  if (n == 0) {
    lua_pushinteger(L, at + 1);
  } else {
    lua_pushnil(L);
  }
  return 1;
}

// Iterator of utf8.codes: (s, previous position) -> next position, code point.
int Utf8CodesStep(lua_State* L) {
  size_t len;
  const char* s = luaL_checklstring(L, 1, &len);
  Int at = lua_tointeger(L, 2) - 1;
  if (at < 0) {
    at = 0;
  } else if (at < static_cast<Int>(len)) {
    ++at;
    StepPoll poll(L);
    while (IsContinuation(s + at)) {
      poll.Step();
      ++at;
    }
  }
  if (at >= static_cast<Int>(len)) return 0;
  uint32_t cp;
  const size_t n = DecodeAt(s, len, static_cast<size_t>(at), &cp);
  if (n == 0 || IsContinuation(s + at + n)) return luaL_error(L, "invalid UTF-8 code");
  lua_pushinteger(L, at + 1);
  lua_pushinteger(L, cp);
  return 2;
}

int Utf8Codes(lua_State* L) {
  luaL_checkstring(L, 1);
  lua_pushcfunction(L, &Utf8CodesStep);
  lua_pushvalue(L, 1);
  lua_pushinteger(L, 0);
  return 3;
}

}  // namespace

void InstallUtf8(lua_State* L) {
  static const luaL_Reg kFunctions[] = {{"char", &Utf8Char},   {"codepoint", &Utf8Codepoint},
                                        {"len", &Utf8Len},     {"offset", &Utf8Offset},
                                        {"codes", &Utf8Codes}, {nullptr, nullptr}};
  lua_createtable(L, 0, 6);
  for (const luaL_Reg* r = kFunctions; r->name != nullptr; ++r) {
    lua_pushcfunction(L, r->func);
    lua_setfield(L, -2, r->name);
  }
  lua_pushlstring(L, kCharPattern, sizeof(kCharPattern) - 1);
  lua_setfield(L, -2, "charpattern");
  lua_setglobal(L, "utf8");
}

}  // namespace asobi::script
