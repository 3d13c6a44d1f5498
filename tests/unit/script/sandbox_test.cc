// The §12 sandbox: what scripts can and cannot reach, and the host shims.
#include <gtest/gtest.h>

#include <lua.hpp>
#include <set>
#include <string>

#include "script/lua_shims.h"
#include "script/lua_state.h"
#include "script_test_util.h"

namespace asobi::script {
namespace {

using test_util::Eval;
using test_util::RunLua;

class SandboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto state = LuaState::Create();
    ASSERT_TRUE(state.ok()) << state.error().message;
    state_ = std::move(state.value());
    L = state_->get();
  }
  std::unique_ptr<LuaState> state_;
  lua_State* L = nullptr;
};

TEST_F(SandboxTest, RemovedGlobalsAreNil) {
  for (const char* name : {"print", "eprint", "dofile", "loadfile", "load", "loadstring",
                           "collectgarbage", "io", "package", "require", "module", "coroutine",
                           "getfenv", "setfenv", "newproxy", "gcinfo", "debug", "ffi", "jit"}) {
    EXPECT_EQ(Eval(L, std::string("type(") + name + ")"), "nil") << name;
  }
}

TEST_F(SandboxTest, PresentGlobalsExist) {
  for (const char* name : {"assert", "error", "ipairs", "next", "pairs", "pcall", "xpcall",
                           "rawequal", "rawget", "rawset", "rawlen", "select", "setmetatable",
                           "getmetatable", "tonumber", "tostring", "type", "unpack"}) {
    EXPECT_EQ(Eval(L, std::string("type(") + name + ")"), "function") << name;
  }
  for (const char* name : {"_G", "string", "table", "math", "os", "bit", "utf8"}) {
    EXPECT_EQ(Eval(L, std::string("type(") + name + ")"), "table") << name;
  }
  EXPECT_EQ(Eval(L, "_VERSION"), "Lua 5.1");
  EXPECT_EQ(Eval(L, "bit.band(0xff, 0x0f)"), "15");
}

TEST_F(SandboxTest, OsKeepsOnlyClockDateDifftimeTime) {
  ASSERT_TRUE(RunLua(L,
                     "names = {} for k in pairs(os) do names[#names + 1] = k end "
                     "table.sort(names) result = table.concat(names, ',')")
                  .ok());
  EXPECT_EQ(Eval(L, "result"), "clock,date,difftime,time");
  EXPECT_EQ(Eval(L, "os.execute"), "nil");
  EXPECT_EQ(Eval(L, "os.exit"), "nil");
  EXPECT_EQ(Eval(L, "os.getenv"), "nil");
  EXPECT_EQ(Eval(L, "os.setlocale"), "nil");
}

TEST_F(SandboxTest, StringDumpIsGoneEvenThroughTheStringMetatable) {
  EXPECT_EQ(Eval(L, "string.dump"), "nil");
  EXPECT_EQ(Eval(L, "(\"x\").dump"), "nil");
  EXPECT_EQ(Eval(L, "(\"abc\"):upper()"), "ABC");
}

TEST_F(SandboxTest, SetmetatableOnGlobalsStaysAllowed) {
  EXPECT_TRUE(RunLua(L, "setmetatable(_G, {__index = function(_, k) return k end})").ok());
  EXPECT_EQ(Eval(L, "undefined_thing"), "undefined_thing");
}

TEST_F(SandboxTest, Lua53OperatorsAreSyntaxErrors) {
  CallResult r = RunLua(L, "return 7 // 2");
  EXPECT_EQ(r.status, CallStatus::kRuntimeError);
  r = RunLua(L, "return 1 << 2");
  EXPECT_EQ(r.status, CallStatus::kRuntimeError);
}

TEST_F(SandboxTest, XpcallKeepsItsContract) {
  EXPECT_EQ(
      Eval(L, "select(2, xpcall(function() error('e', 0) end, function(m) return 'h:' .. m end))"),
      "h:e");
  EXPECT_EQ(Eval(L, "select('#', xpcall(function() return 1, 2, 3 end, print or error))"), "4");
  EXPECT_EQ(Eval(L, "select(3, xpcall(function(a, b) return a + b, a * b end, error, 3, 4))"),
            "12");
  EXPECT_EQ(
      Eval(L, "table.concat({tostring(xpcall(error, function() error('again', 0) end))}, ',')"),
      "false");
  EXPECT_EQ(Eval(L, "select(2, xpcall(error, function() error('again', 0) end))"), "again");
  CallResult r = RunLua(L, "xpcall(function() end, 5)");
  EXPECT_EQ(r.status, CallStatus::kRuntimeError);
  EXPECT_NE(r.message.find("bad argument #2 to 'xpcall'"), std::string::npos) << r.message;
}

TEST_F(SandboxTest, JitCompilerIsOn) {
  // The jit module is hidden from scripts but was opened; ask it from the host.
  lua_getfield(L, LUA_REGISTRYINDEX, "_LOADED");
  lua_getfield(L, -1, "jit");
  ASSERT_TRUE(lua_istable(L, -1));
  lua_getfield(L, -1, "status");
  lua_call(L, 0, 1);
  EXPECT_TRUE(lua_toboolean(L, -1));
  lua_pop(L, 3);
}

TEST_F(SandboxTest, MathRandomForms) {
  ASSERT_TRUE(RunLua(L, R"(
    for i = 1, 2000 do
      local f = math.random()
      assert(f >= 0 and f < 1)
      local z = math.random(0)          -- [compat] any other argument: float
      assert(z >= 0 and z < 1)
      local n = math.random(2.9)        -- trunc(2.9) = 2
      assert(n == 1 or n == 2)
      local m = math.random(-3, -1)
      assert(m >= -3 and m <= -1 and m == math.floor(m))
    end
    seen = {}
    for i = 1, 5000 do seen[math.random(6)] = true end
    for v = 1, 6 do assert(seen[v], "missing " .. v) end
    assert(seen[0] == nil and seen[7] == nil)
    assert(math.random(5, 5) == 5)
    local big = math.random(1, 2^60)    -- clamped to 2^53
    assert(big >= 1 and big <= 2^53)
  )")
                  .ok());
  CallResult r = RunLua(L, "return math.random(5, 3)");
  EXPECT_EQ(r.status, CallStatus::kRuntimeError);
  EXPECT_NE(r.message.find("interval is empty"), std::string::npos) << r.message;
}

TEST_F(SandboxTest, RandomseedIsDeterministicPerState) {
  ASSERT_TRUE(RunLua(L, R"(
    math.randomseed(42)
    local a = {} for i = 1, 10 do a[i] = math.random(1000000) end
    math.randomseed(42)
    for i = 1, 10 do assert(a[i] == math.random(1000000)) end
  )")
                  .ok());
  auto other = LuaState::Create();
  ASSERT_TRUE(other.ok());
  // Two fresh states are seeded independently from the CSPRNG.
  EXPECT_NE(Eval(L, "math.random() .. ',' .. math.random()"),
            Eval(other.value()->get(), "math.random() .. ',' .. math.random()"));
}

TEST_F(SandboxTest, MathShims) {
  EXPECT_EQ(Eval(L, "math.sqrt(-4)"), "0");
  EXPECT_EQ(Eval(L, "math.sqrt(16)"), "4");
  EXPECT_EQ(Eval(L, "math.type(3)"), "integer");
  EXPECT_EQ(Eval(L, "math.type(3.5)"), "float");
  EXPECT_EQ(Eval(L, "math.type(1/0)"), "float");
  EXPECT_EQ(Eval(L, "math.type('3')"), "nil");
  EXPECT_EQ(Eval(L, "math.tointeger(8.0)"), "8");
  EXPECT_EQ(Eval(L, "math.tointeger(8.5)"), "nil");
  EXPECT_EQ(Eval(L, "math.maxinteger == 2^53 - 1"), "true");
  EXPECT_EQ(Eval(L, "math.mininteger == -2^53"), "true");
  EXPECT_EQ(RunLua(L, "return math.type()").status, CallStatus::kRuntimeError);
}

TEST_F(SandboxTest, RawlenAndTablePackUnpack) {
  EXPECT_EQ(Eval(L, "rawlen({1, 2, 3})"), "3");
  EXPECT_EQ(Eval(L, "rawlen('abcd')"), "4");
  EXPECT_EQ(RunLua(L, "return rawlen(5)").status, CallStatus::kRuntimeError);
  EXPECT_EQ(Eval(L, "table.pack(1, nil, 3).n"), "3");
  EXPECT_EQ(Eval(L, "select('#', table.unpack({1, 2, 3}))"), "3");
}

TEST_F(SandboxTest, Utf8Library) {
  EXPECT_EQ(
      Eval(L,
           "utf8.char(72, 228, 8364, 128512) == 'H\\xc3\\xa4\\xe2\\x82\\xac\\xf0\\x9f\\x98\\x80'"),
      "true");
  EXPECT_EQ(Eval(L, "utf8.len('H\\xc3\\xa4\\xe2\\x82\\xac')"), "3");
  EXPECT_EQ(Eval(L, "select(2, utf8.len('ab\\xff'))"), "3");
  EXPECT_EQ(Eval(L, "utf8.len('ab\\xff')"), "nil");
  EXPECT_EQ(Eval(L, "table.concat({utf8.codepoint('H\\xc3\\xa4', 1, -1)}, ',')"), "72,228");
  EXPECT_EQ(Eval(L, "utf8.offset('H\\xc3\\xa4\\xe2\\x82\\xac', 3)"), "4");
  EXPECT_EQ(Eval(L, "utf8.offset('H\\xc3\\xa4\\xe2\\x82\\xac', -1)"), "4");
  EXPECT_EQ(Eval(L, "utf8.offset('H\\xc3\\xa4', 0, 3)"), "2");
  ASSERT_TRUE(
      RunLua(L,
             "out = {} for p, c in utf8.codes('a\\xc3\\xa4b') do out[#out + 1] = p .. ':' .. c end")
          .ok());
  EXPECT_EQ(Eval(L, "table.concat(out, ' ')"), "1:97 2:228 4:98");
  EXPECT_EQ(Eval(L, "select(2, string.gsub('a\\xc3\\xa4\\xe2\\x82\\xac', utf8.charpattern, ''))"),
            "3");
  EXPECT_EQ(RunLua(L, "return utf8.char(0x110000)").status, CallStatus::kRuntimeError);
  EXPECT_EQ(RunLua(L, "return utf8.codepoint('\\xff')").status, CallStatus::kRuntimeError);
  EXPECT_EQ(RunLua(L, "for _ in utf8.codes('a\\x80') do end").status, CallStatus::kRuntimeError);
  EXPECT_EQ(RunLua(L, "return utf8.codepoint('abc', 1, 10)").status, CallStatus::kRuntimeError);
  EXPECT_EQ(RunLua(L, "return utf8.len('abc', 5)").status, CallStatus::kRuntimeError);
}

TEST_F(SandboxTest, OsDateFormatsAreValidated) {
  EXPECT_EQ(Eval(L, "os.date('!%Y-%m-%d %H:%M:%S', 0)"), "1970-01-01 00:00:00");
  EXPECT_EQ(Eval(L, "os.date('!*t', 86400).day"), "2");
  EXPECT_EQ(Eval(L, "os.date('!%Ey|%OH|%%', 0)"), "70|00|%");
  for (const char* bad :
       {"os.date('%Q')", "os.date('%')", "os.date('abc %Ez')", "os.date('%O')", "os.date('!%k', 0)",
        "os.date('*t%Q')", "os.date('%Y', 1e300)", "os.date('%Y', 0/0)", "os.date('%Y', {})"}) {
    CallResult r = RunLua(L, std::string("return ") + bad);
    EXPECT_EQ(r.status, CallStatus::kRuntimeError) << bad;
  }
  CallResult r = RunLua(L, "return os.date('%q')");
  EXPECT_NE(r.message.find("invalid conversion specifier '%q'"), std::string::npos) << r.message;
  EXPECT_EQ(FindInvalidDateConversion("%c", 2), nullptr);
}

}  // namespace
}  // namespace asobi::script
