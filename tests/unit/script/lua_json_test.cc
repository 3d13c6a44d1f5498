// Values crossing the boundary (lua.md §14, DECISIONS Lua 3/4).
#include "script/lua_json.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <lua.hpp>
#include <random>
#include <string>

#include "script/json_append.h"
#include "script/lua_state.h"
#include "script_test_util.h"

namespace asobi::script {
namespace {

namespace dom = simdjson::dom;
using test_util::RunLua;

class LuaJsonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto state = LuaState::Create();
    ASSERT_TRUE(state.ok()) << state.error().message;
    state_ = std::move(state.value());
    L = state_->get();
    lua_pushcfunction(L, &LuaMarkObject);
    lua_setglobal(L, "object");
  }

  // Evaluates `expr` in Lua and encodes the result.
  std::string Encode(const std::string& expr, LuaToJsonOptions options = {}) {
    CallResult r = RunLua(L, "return " + expr, 1);
    if (!r.ok()) return "LUA ERROR: " + r.message;
    std::string out;
    Status s = EncodeLuaToJson(L, -1, &out, options);
    lua_pop(L, 1);
    EXPECT_EQ(lua_gettop(L), 0);
    if (!s.ok()) return "ERROR: " + s.error().reason;
    return out;
  }

  std::string EncodeObject(const std::string& expr) {
    LuaToJsonOptions options;
    options.shape = JsonShape::kObject;
    return Encode(expr, options);
  }

  // JSON text -> Lua -> JSON text.
  std::string RoundTrip(std::string_view json) {
    Status s = PushJsonText(L, parser_, json);
    if (!s.ok()) return "ERROR: " + s.error().reason;
    std::string out;
    Status e = EncodeLuaToJson(L, -1, &out);
    lua_pop(L, 1);
    EXPECT_EQ(lua_gettop(L), 0);
    return e.ok() ? out : "ERROR: " + e.error().reason;
  }

  // Pushes JSON as global `v` and evaluates `expr` with tostring().
  std::string Decode(std::string_view json, const std::string& expr) {
    Status s = PushJsonText(L, parser_, json);
    if (!s.ok()) return "ERROR: " + s.error().reason;
    lua_setglobal(L, "v");
    return test_util::Eval(L, expr);
  }

  std::unique_ptr<LuaState> state_;
  lua_State* L = nullptr;
  dom::parser parser_;
};

TEST_F(LuaJsonTest, Scalars) {
  EXPECT_EQ(Encode("nil"), "null");
  EXPECT_EQ(Encode("true"), "true");
  EXPECT_EQ(Encode("false"), "false");
  EXPECT_EQ(Encode("'hi'"), "\"hi\"");
  EXPECT_EQ(Encode("5"), "5");
  EXPECT_EQ(Encode("-0.0"), "0");
  EXPECT_EQ(Encode("0.1"), "0.1");
  EXPECT_EQ(Encode("2.5"), "2.5");
  EXPECT_EQ(Encode("10 / 2"), "5");
  EXPECT_EQ(Encode("1e300"), "1e+300");
}

// The few-decimals fast path (issue 13) must print exactly what std::to_chars's shortest form
// prints: values rounded to 0.1/0.01/0.001 at many magnitudes, both signs, and random doubles.
TEST(JsonAppendTest, FewDecimalsMatchToCharsShortest) {
  auto reference = [](double x) {
    char buf[64];
    return std::string(buf, std::to_chars(buf, buf + sizeof(buf), x).ptr);
  };
  auto check = [&](double x) {
    if (!std::isfinite(x) || std::trunc(x) == x) return;
    std::string out;
    AppendJsonNumber(&out, x);
    ASSERT_EQ(out, reference(x)) << "x = " << reference(x);
  };
  for (double scale : {10.0, 100.0, 1000.0}) {
    for (int64_t q = -200000; q <= 200000; ++q) check(double(q) / scale);
  }
  std::mt19937_64 rng(13);
  std::uniform_int_distribution<int64_t> big(-int64_t{1} << 52, int64_t{1} << 52);
  for (int i = 0; i < 200000; ++i) {
    const int64_t q = big(rng);
    check(double(q) / 10.0);
    check(double(q) / 1000.0);
    check(double(q % 1000000007) / 100.0);
    check(std::ldexp(double(q), -int(rng() % 80)));
  }
  for (double x : {0.001, -0.001, 0.005, 0.3, 999999999999.9, 1e12 - 0.5, 1e12 + 0.5, 1.5e-5,
                   0.1 + 0.2, 1.0 / 3.0}) {
    check(x);
  }
}

TEST_F(LuaJsonTest, IntegersUpTo2Pow53AreIntegerLiterals) {
  EXPECT_EQ(Encode("2^53"), "9007199254740992");
  EXPECT_EQ(Encode("-2^53"), "-9007199254740992");
  EXPECT_EQ(Encode("2^53 - 1"), "9007199254740991");
  // Beyond 2^53 the float form is used, and it reads back to the same double.
  std::string big = Encode("2^53 + 2");
  EXPECT_NE(big.find_first_of(".e"), std::string::npos) << big;
  double back = 0;
  ASSERT_EQ(parser_.parse(big).get_double().get(back), simdjson::SUCCESS);
  EXPECT_EQ(back, 9007199254740994.0);
}

TEST_F(LuaJsonTest, NonFiniteNumbersAreNull) {
  EXPECT_EQ(Encode("{0/0, 1/0, -1/0, 1}"), "[null,null,null,1]");
  EXPECT_EQ(Encode("{x = 0/0}"), "{\"x\":null}");
}

TEST_F(LuaJsonTest, Arrays) {
  EXPECT_EQ(Encode("{1, 2, 3}"), "[1,2,3]");
  EXPECT_EQ(Encode("{'a', {true}, {}}"), "[\"a\",[true],[]]");
}

TEST_F(LuaJsonTest, SparseArraysCloseGapsInKeyOrder) {
  EXPECT_EQ(Encode("{[1] = 'a', [3] = 'c', [10] = 'j'}"), "[\"a\",\"c\",\"j\"]");
  EXPECT_EQ(Encode("{[2] = 'b'}"), "[\"b\"]");
  EXPECT_EQ(Encode("{1, nil, 3}"), "[1,3]");
  EXPECT_EQ(Encode("{[1e15] = 'far', [1] = 'near'}"), "[\"near\",\"far\"]");
}

TEST_F(LuaJsonTest, MixedAndNumberKeyedTablesAreObjects) {
  std::string out = Encode("{1, 2, x = 3}");
  dom::element el;
  ASSERT_EQ(parser_.parse(out).get(el), simdjson::SUCCESS) << out;
  dom::object obj;
  ASSERT_EQ(el.get_object().get(obj), simdjson::SUCCESS);
  EXPECT_EQ(obj.size(), 3u);
  EXPECT_EQ(int64_t(obj["1"]), 1);
  EXPECT_EQ(int64_t(obj["2"]), 2);
  EXPECT_EQ(int64_t(obj["x"]), 3);
  EXPECT_EQ(Encode("{[0] = 'z'}"), "{\"0\":\"z\"}");
  EXPECT_EQ(Encode("{[-1] = 'm'}"), "{\"-1\":\"m\"}");
  EXPECT_EQ(Encode("{[1.5] = 'h'}"), "{\"1.5\":\"h\"}");
  EXPECT_EQ(Encode("{[1/0] = 'i'}"), "{\"inf\":\"i\"}");
  // Keys that are neither strings nor numbers are skipped.
  EXPECT_EQ(Encode("{[true] = 1, [{}] = 2, a = 3}"), "{\"a\":3}");
}

TEST_F(LuaJsonTest, EmptyTablesAreArraysUnlessMarked) {
  EXPECT_EQ(Encode("{}"), "[]");
  EXPECT_EQ(Encode("{a = {}}"), "{\"a\":[]}");
  EXPECT_EQ(Encode("{a = {b = {}}}"), "{\"a\":{\"b\":[]}}");
  EXPECT_EQ(Encode("object({})"), "{}");
  EXPECT_EQ(Encode("{a = object({})}"), "{\"a\":{}}");
  EXPECT_EQ(Encode("object({'x', 'y'})"), "{\"1\":\"x\",\"2\":\"y\"}");
  EXPECT_EQ(RunLua(L, "object(5)").status, CallStatus::kRuntimeError);
}

TEST_F(LuaJsonTest, ObjectShapeTurnsNonObjectsIntoEmptyObject) {
  EXPECT_EQ(EncodeObject("{}"), "{}");
  EXPECT_EQ(EncodeObject("{1, 2}"), "{}");
  EXPECT_EQ(EncodeObject("5"), "{}");
  EXPECT_EQ(EncodeObject("'s'"), "{}");
  EXPECT_EQ(EncodeObject("nil"), "{}");
  EXPECT_EQ(EncodeObject("{a = {}}"), "{\"a\":[]}");
  EXPECT_EQ(EncodeObject("object({1})"), "{\"1\":1}");
}

TEST_F(LuaJsonTest, Strings) {
  EXPECT_EQ(Encode("'q\"b\\\\n\\n\\t\\r\\1\\0'"), R"("q\"b\\n\n\t\r\u0001\u0000")");
  EXPECT_EQ(Encode("'caf\\195\\169 \\226\\130\\172 \\240\\159\\152\\128'"),
            "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"");
  EXPECT_EQ(Encode("'/\\127'"), "\"/\x7F\"");
}

TEST_F(LuaJsonTest, InvalidUtf8IsReplaced) {
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(Encode("'a\\255b'"), "\"a" + fffd + "b\"");
  EXPECT_EQ(Encode("'\\226\\130'"), "\"" + fffd + fffd + "\"");              // truncated
  EXPECT_EQ(Encode("'\\192\\175'"), "\"" + fffd + fffd + "\"");              // overlong '/'
  EXPECT_EQ(Encode("'\\237\\160\\128'"), "\"" + fffd + fffd + fffd + "\"");  // surrogate
  EXPECT_EQ(Encode("'\\244\\144\\128\\128'"), "\"" + fffd + fffd + fffd + fffd + "\"");
  EXPECT_EQ(Encode("'\\128'"), "\"" + fffd + "\"");
  // Keys too.
  EXPECT_EQ(Encode("{['k\\255'] = 1}"), "{\"k" + fffd + "\":1}");
}

TEST_F(LuaJsonTest, FunctionsAndUserdataAreNull) {
  EXPECT_EQ(Encode("function() end"), "null");
  EXPECT_EQ(Encode("{f = function() end}"), "{\"f\":null}");
  EXPECT_EQ(Encode("{math.random, 1}"), "[null,1]");
  lua_newuserdata(L, 8);
  std::string out;
  ASSERT_TRUE(EncodeLuaToJson(L, -1, &out).ok());
  EXPECT_EQ(out, "null");
  lua_pop(L, 1);
}

TEST_F(LuaJsonTest, MetatablesAreIgnored) {
  EXPECT_EQ(Encode("setmetatable({}, {__index = function() error('no') end})"), "[]");
  EXPECT_EQ(Encode("setmetatable({a = 1}, {__pairs = function() error('no') end})"), "{\"a\":1}");
}

// Builds a chain of `levels` nested tables: {c = {c = ... {}}}.
std::string Nested(int levels) {
  return "(function() local root = {} local t = root for i = 2, " + std::to_string(levels) +
         " do t.c = {} t = t.c end t.leaf = 1 return root end)()";
}

int Count(const std::string& s, char c) {
  return static_cast<int>(std::count(s.begin(), s.end(), c));
}

TEST_F(LuaJsonTest, DepthLimitIs64) {
  std::string ok = Encode(Nested(64));
  EXPECT_EQ(Count(ok, '{'), 64);
  EXPECT_EQ(ok.find("too_deep"), std::string::npos);
  std::string deep = Encode(Nested(65));
  EXPECT_EQ(Count(deep, '{'), 64);
  EXPECT_NE(deep.find("\"c\":\"too_deep\""), std::string::npos) << deep;
}

TEST_F(LuaJsonTest, CyclesEndAsTooDeep) {
  std::string out = Encode("(function() local t = {} t.self = t return t end)()");
  EXPECT_EQ(Count(out, '{'), 64);
  EXPECT_NE(out.find("\"self\":\"too_deep\""), std::string::npos);
  out = Encode("(function() local t = {} t[1] = t return t end)()");
  EXPECT_EQ(Count(out, '['), 64);
  EXPECT_NE(out.find("[\"too_deep\"]"), std::string::npos);
  dom::element el;
  EXPECT_EQ(parser_.parse(out).get(el), simdjson::SUCCESS);
}

TEST_F(LuaJsonTest, SizeCapLeavesOutputUntouched) {
  ASSERT_TRUE(RunLua(L, "return string.rep('x', 200)", 1).ok());
  std::string out = "prefix";
  LuaToJsonOptions options;
  options.max_bytes = 100;
  Status s = EncodeLuaToJson(L, -1, &out, options);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().reason, "too_large");
  EXPECT_EQ(out, "prefix");
  options.max_bytes = 202;
  EXPECT_TRUE(EncodeLuaToJson(L, -1, &out, options).ok());
  EXPECT_EQ(out.size(), 6u + 202u);
  lua_pop(L, 1);
  LuaToJsonOptions small;
  small.max_bytes = 50;
  EXPECT_EQ(
      Encode("(function() local t = {} for i = 1, 100 do t[i] = i end return t end)()", small),
      "ERROR: too_large");
}

TEST_F(LuaJsonTest, EncodeWorksOnAPlainState) {
  lua_State* plain = luaL_newstate();
  luaL_openlibs(plain);
  ASSERT_EQ(luaL_dostring(plain, "return {a = {1, 2}, b = {}}"), 0);
  std::string out;
  ASSERT_TRUE(EncodeLuaToJson(plain, -1, &out).ok());
  EXPECT_TRUE(out == "{\"a\":[1,2],\"b\":[]}" || out == "{\"b\":[],\"a\":[1,2]}") << out;
  lua_close(plain);
}

TEST_F(LuaJsonTest, JsonToLuaShapes) {
  EXPECT_EQ(Decode(R"({"a":1,"b":"x","c":true,"d":null})", "v.a .. v.b .. tostring(v.c)"),
            "1xtrue");
  EXPECT_EQ(Decode(R"({"d":null})", "v.d == nil and next(v) == nil"), "true");
  EXPECT_EQ(Decode("[10,20,30]", "#v .. ':' .. v[1] .. v[3]"), "3:1030");
  EXPECT_EQ(Decode("[1,null,3]", "tostring(v[2]) .. v[3]"), "nil3");
  EXPECT_EQ(Decode("null", "v"), "nil");
  EXPECT_EQ(Decode("12345678901234567890", "v > 1e19"), "true");
  EXPECT_EQ(Decode("-5", "v"), "-5");
  EXPECT_EQ(Decode("2.5e2", "v"), "250");
  EXPECT_EQ(Decode(R"("\u00e9\u0000x")", "#v"), "4");
  EXPECT_EQ(Decode(R"({"a":1,"a":2})", "v.a"), "2");
  EXPECT_EQ(Decode(R"({"1":"s"})", "v['1'] .. tostring(v[1])"), "snil");
}

TEST_F(LuaJsonTest, JsonDepthLimit) {
  std::string ok(64, '[');
  ok += std::string(64, ']');
  EXPECT_EQ(Decode(ok, "type(v)"), "table");
  std::string deep(65, '[');
  deep += std::string(65, ']');
  EXPECT_EQ(Decode(deep, "type(v)"), "ERROR: too_deep");
  EXPECT_EQ(lua_gettop(L), 0);
  std::string objs;
  for (int i = 0; i < 65; ++i) objs += "{\"a\":";
  objs += "1" + std::string(65, '}');
  EXPECT_EQ(Decode(objs, "type(v)"), "ERROR: too_deep");
  EXPECT_EQ(lua_gettop(L), 0);
}

TEST_F(LuaJsonTest, MalformedJsonIsRejected) {
  for (std::string_view bad :
       {"", " ", "{", "[1,]", "{\"a\":}", "nul", "{'a':1}", "[1] x", "\"\xFF\"", "01", "[1e999]",
        "{\"a\" 1}", "\"unterminated", "[\"\\x\"]", "NaN"}) {
    Status s = PushJsonText(L, parser_, bad);
    EXPECT_FALSE(s.ok()) << bad;
    if (!s.ok()) {
      EXPECT_EQ(s.error().reason, "invalid_json") << bad;
    }
    EXPECT_EQ(lua_gettop(L), 0) << bad;
  }
}

TEST_F(LuaJsonTest, RoundTrips) {
  for (std::string_view json :
       {"[1,2,3]", "{\"a\":[1,{\"b\":\"c\"}]}", "\"x\"", "true", "null", "[]", "0.5", "-7",
        "[[[]]]", "{\"k\":\"\xE2\x82\xAC\\n\"}", "9007199254740992", "1e+300"}) {
    EXPECT_EQ(RoundTrip(json), json);
  }
  // Documented losses: {} becomes [], null members vanish, array holes close up.
  EXPECT_EQ(RoundTrip("{}"), "[]");
  EXPECT_EQ(RoundTrip("{\"a\":null}"), "[]");
  EXPECT_EQ(RoundTrip("[1,null,2]"), "[1,2]");
  EXPECT_EQ(RoundTrip("1.0"), "1");
}

}  // namespace
}  // namespace asobi::script
