// AppendJsonString (base/json_escape.h): the exact bytes of each style, and that the output is
// always one valid JSON string that reads back as the input when the input is valid UTF-8.
#include "base/json_escape.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>

#include "base/utf8.h"
#include "simdjson.h"

namespace asobi {
namespace {

std::string Escape(std::string_view s, const JsonEscapeStyle& style = kJsonEscapeWire) {
  std::string out;
  AppendJsonString(&out, s, style);
  return out;
}

TEST(JsonEscape, WireStyle) {
  EXPECT_EQ(Escape(""), "\"\"");
  EXPECT_EQ(Escape("plain"), "\"plain\"");
  EXPECT_EQ(Escape("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(Escape("\b\f\n\r\t"), R"("\b\f\n\r\t")");
  EXPECT_EQ(Escape(std::string_view("\0\x01\x1f\x7f", 4)), "\"\\u0000\\u0001\\u001f\x7f\"");
  EXPECT_EQ(Escape("/"), "\"/\"");  // not escaped
  EXPECT_EQ(Escape("caf\xC3\xA9 \xF0\x9F\x8E\xAE"), "\"caf\xC3\xA9 \xF0\x9F\x8E\xAE\"");
  // One U+FFFD per maximal ill-formed subpart.
  EXPECT_EQ(Escape("x\xE2\x82y"), "\"x\xEF\xBF\xBDy\"");
  EXPECT_EQ(Escape("\xF0\x9F\x98"), "\"\xEF\xBF\xBD\"");
  EXPECT_EQ(Escape("\xC0\xAF"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");                  // overlong
  EXPECT_EQ(Escape("\xED\xA0\x80"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // surrogate
  EXPECT_EQ(Escape("\xF4\x90\x80\x80"),
            "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // above U+10FFFF
}

TEST(JsonEscape, LuaStyleReplacesEachBadByte) {
  const JsonEscapeStyle& lua = kJsonEscapeLua;
  EXPECT_EQ(Escape("a\"\\\n\x01", lua), R"("a\"\\\n\u0001")");
  EXPECT_EQ(Escape("x\xE2\x82y", lua), "\"x\xEF\xBF\xBD\xEF\xBF\xBDy\"");
  EXPECT_EQ(Escape("\xF0\x9F\x98", lua), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
  EXPECT_EQ(Escape("\xE2\x82\xAC", lua), "\"\xE2\x82\xAC\"");
}

TEST(JsonEscape, HttpErrorStyleIsAscii) {
  const JsonEscapeStyle& http = kJsonEscapeHttpError;
  EXPECT_EQ(Escape("a\"b\\c\n\x01\x1f", http), R"("a\"b\\c\u000a\u0001\u001f")");
  EXPECT_EQ(Escape("\b\f\r\t", http), R"("\u0008\u000c\u000d\u0009")");
  EXPECT_EQ(Escape("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8e\xae", http),
            "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8e\xae\"");
  EXPECT_EQ(Escape("x\xff\xc3y\xed\xa0\x80", http), R"("x\ufffd\ufffdy\ufffd\ufffd\ufffd")");
  EXPECT_EQ(Escape(std::string_view("a\0b", 3), http), R"("a\u0000b")");
  EXPECT_EQ(Escape("\xc0\xaf", http), R"("\ufffd\ufffd")");
}

TEST(JsonEscape, AppendsToWhatIsThere) {
  std::string out = "{\"k\":";
  AppendJsonString(&out, "v");
  EXPECT_EQ(out, "{\"k\":\"v\"");
}

// Random bytes biased towards the interesting ones: the output is always valid UTF-8 and one
// JSON string; for valid input it decodes back to the input in every style.
TEST(JsonEscape, OutputIsAlwaysValidJson) {
  std::mt19937_64 rng(7);
  const unsigned char interesting[] = {0,    1,    0x1f, '\n', '"',  '\\', 'a',  0x7f,
                                       0x80, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0,
                                       0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff};
  simdjson::dom::parser parser;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string in;
    const size_t len = rng() % 16;
    for (size_t i = 0; i < len; ++i) {
      const uint64_t r = rng();
      in.push_back(r & 1 ? char(interesting[(r >> 1) % sizeof(interesting)]) : char(r >> 8));
    }
    for (const JsonEscapeStyle* style :
         {&kJsonEscapeWire, &kJsonEscapeLua, &kJsonEscapeHttpError}) {
      const std::string out = Escape(in, *style);
      ASSERT_TRUE(IsValidUtf8(out));
      std::string_view back;
      ASSERT_EQ(parser.parse(out).get_string().get(back), simdjson::SUCCESS) << out;
      if (IsValidUtf8(in)) {
        EXPECT_EQ(back, in);
      }
    }
  }
}

}  // namespace
}  // namespace asobi
