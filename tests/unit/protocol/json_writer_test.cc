#include "protocol/json_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <string>

namespace asobi {
namespace {

std::string Str(std::string_view s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

std::string Dbl(double v) {
  JsonWriter w;
  w.Double(v);
  return w.Take();
}

constexpr std::string_view kFffd = "\xEF\xBF\xBD";

TEST(JsonWriterTest, CommasBetweenMembersAndElements) {
  JsonWriter w;
  w.BeginObject();
  w.Key("a");
  w.Int(1);
  w.Key("b");
  w.BeginArray();
  w.Int(1);
  w.String("x");
  w.BeginObject();
  w.Key("c");
  w.Null();
  w.EndObject();
  w.BeginArray();
  w.EndArray();
  w.EndArray();
  w.Key("d");
  w.Bool(true);
  w.Key("e");
  w.Bool(false);
  w.Key("f");
  w.Raw(R"({"pre":"encoded"})");
  w.Key("g");
  w.BeginObject();
  w.EndObject();
  w.EndObject();
  EXPECT_EQ(w.out(), R"({"a":1,"b":[1,"x",{"c":null},[]],"d":true,"e":false,"f":{"pre":"encoded"},)"
                     R"("g":{}})");
}

TEST(JsonWriterTest, TakeResetsAndBufferIsReusable) {
  JsonWriter w;
  w.BeginArray();
  w.Int(1);
  w.EndArray();
  EXPECT_EQ(w.Take(), "[1]");
  EXPECT_TRUE(w.out().empty());
  w.BeginArray();
  w.Int(2);
  w.EndArray();
  EXPECT_EQ(w.Take(), "[2]");  // no stray leading comma from the previous document

  JsonWriter reused(std::string("old contents"));
  reused.String("new");
  EXPECT_EQ(reused.out(), R"("new")");
  reused.Clear();
  reused.Null();
  EXPECT_EQ(reused.out(), "null");
}

TEST(JsonWriterTest, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(Str(R"(say "hi")"), R"("say \"hi\"")");
  EXPECT_EQ(Str(R"(a\b)"), R"("a\\b")");
  EXPECT_EQ(Str("\n\t\r\b\f"), R"("\n\t\r\b\f")");
  EXPECT_EQ(Str(std::string_view("\x00", 1)), R"("\u0000")");
  EXPECT_EQ(Str("\x01\x1f"), R"("\u0001\u001f")");
  EXPECT_EQ(Str("\x7f/<>'"), "\"\x7f/<>'\"");  // DEL, slash, HTML chars stay as they are
  EXPECT_EQ(Str(""), R"("")");
  JsonWriter w;
  w.BeginObject();
  w.Key("k\"ey");
  w.String("v");
  w.EndObject();
  EXPECT_EQ(w.out(), R"({"k\"ey":"v"})");
}

TEST(JsonWriterTest, ValidUnicodePassesThroughUnchanged) {
  const std::string text =
      "h\xC3\xA9llo \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF";
  EXPECT_TRUE(IsValidUtf8(text));
  EXPECT_EQ(Str(text), "\"" + text + "\"");
}

TEST(JsonWriterTest, InvalidUtf8IsReplacedPerMaximalSubpart) {
  const std::string f(kFffd);
  EXPECT_EQ(Str("a\xFF"
                "b"),
            "\"a" + f + "b\"");                                             // never-valid byte
  EXPECT_EQ(Str("\x80"), "\"" + f + "\"");                                  // lone continuation
  EXPECT_EQ(Str("\xC0\xAF"), "\"" + f + f + "\"");                          // overlong '/'
  EXPECT_EQ(Str("\xE0\x80\x80"), "\"" + f + f + f + "\"");                  // overlong 3-byte
  EXPECT_EQ(Str("\xED\xA0\x80"), "\"" + f + f + f + "\"");                  // UTF-16 surrogate
  EXPECT_EQ(Str("\xF4\x90\x80\x80"), "\"" + f + f + f + f + "\"");          // above U+10FFFF
  EXPECT_EQ(Str("\xE6\x97"), "\"" + f + "\"");                              // truncated at end
  EXPECT_EQ(Str("\xE6\x97z"), "\"" + f + "z\"");                            // truncated mid-string
  EXPECT_EQ(Str("\xF0\x9F\x98"), "\"" + f + "\"");                          // truncated emoji
  EXPECT_EQ(Str("\xF0\x9F\x98\n"), "\"" + f + "\\n\"");                     // ...followed by escape
  EXPECT_EQ(Str("\xF8\x88\x80\x80\x80"), "\"" + f + f + f + f + f + "\"");  // 5-byte form
}

TEST(JsonWriterTest, OutputIsAlwaysValidUtf8) {
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string in(rng() % 16, '\0');
    for (char& c : in) c = static_cast<char>(rng());
    const std::string out = Str(in);
    ASSERT_TRUE(IsValidUtf8(out)) << i;
    if (IsValidUtf8(in) && in.find_first_of(std::string("\"\\\0", 3)) == std::string::npos) {
      bool has_control = false;
      for (unsigned char c : in) has_control |= c < 0x20;
      if (!has_control) {
        EXPECT_EQ(out, "\"" + in + "\"");
      }
    }
  }
}

TEST(JsonWriterTest, IsValidUtf8) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("\xC3\xA9"));
  EXPECT_FALSE(IsValidUtf8("\xC3"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));
  EXPECT_FALSE(IsValidUtf8("\xFF"));
}

TEST(JsonWriterTest, Integers) {
  JsonWriter w;
  w.BeginArray();
  w.Int(0);
  w.Int(-1);
  w.Int(std::numeric_limits<int64_t>::min());
  w.Int(std::numeric_limits<int64_t>::max());
  w.Uint(std::numeric_limits<uint64_t>::max());
  w.EndArray();
  EXPECT_EQ(w.out(), "[0,-1,-9223372036854775808,9223372036854775807,18446744073709551615]");
}

TEST(JsonWriterTest, IntegralDoublesWithin2Pow53AreIntegers) {
  EXPECT_EQ(Dbl(0.0), "0");
  EXPECT_EQ(Dbl(-0.0), "0");
  EXPECT_EQ(Dbl(1.0), "1");
  EXPECT_EQ(Dbl(-42.0), "-42");
  EXPECT_EQ(Dbl(1730000000000.0), "1730000000000");
  EXPECT_EQ(Dbl(9007199254740992.0), "9007199254740992");    // 2^53
  EXPECT_EQ(Dbl(-9007199254740992.0), "-9007199254740992");  // -2^53
  EXPECT_EQ(Dbl(9007199254740994.0), "9007199254740994.0");  // 2^53 + 2: stays a float
  EXPECT_EQ(Dbl(-9007199254740994.0), "-9007199254740994.0");
  EXPECT_EQ(Dbl(1e300), "1e+300");
}

TEST(JsonWriterTest, FractionalDoublesUseShortestRoundTrip) {
  EXPECT_EQ(Dbl(0.1), "0.1");
  EXPECT_EQ(Dbl(-2.5), "-2.5");
  EXPECT_EQ(Dbl(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(Dbl(1.0 / 3.0), "0.3333333333333333");
  EXPECT_EQ(Dbl(5e-324), "5e-324");
  EXPECT_EQ(Dbl(1.7976931348623157e308), "1.7976931348623157e+308");
  std::mt19937_64 rng(99);
  for (int i = 0; i < 5000; ++i) {
    uint64_t bits = rng();
    double v;
    std::memcpy(&v, &bits, sizeof(v));
    if (!std::isfinite(v)) continue;
    const std::string s = Dbl(v);
    EXPECT_EQ(std::strtod(s.c_str(), nullptr), v == 0 ? 0.0 : v) << s;
  }
}

TEST(JsonWriterTest, NonFiniteDoublesAreNull) {
  EXPECT_EQ(Dbl(std::numeric_limits<double>::quiet_NaN()), "null");
  EXPECT_EQ(Dbl(std::numeric_limits<double>::infinity()), "null");
  EXPECT_EQ(Dbl(-std::numeric_limits<double>::infinity()), "null");
  JsonWriter w;
  w.BeginArray();
  w.Double(std::nan(""));
  w.Double(1.5);
  w.EndArray();
  EXPECT_EQ(w.out(), "[null,1.5]");
}

}  // namespace
}  // namespace asobi
