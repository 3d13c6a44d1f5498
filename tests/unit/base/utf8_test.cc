// DecodeUtf8 / EncodeUtf8 / IsValidUtf8 / Utf8Length (base/utf8.h), checked by hand on the
// malformed classes and exhaustively against simdjson's validator on short strings.
#include "base/utf8.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "simdjson.h"

namespace asobi {
namespace {

struct Decoded {
  size_t len;
  uint32_t cp;
  size_t bad;
};

Decoded Decode(std::string_view s, Utf8Surrogates surrogates = Utf8Surrogates::kReject) {
  Decoded d{0, 0xFFFFFFFF, 0};
  d.len = DecodeUtf8(reinterpret_cast<const unsigned char*>(s.data()), s.size(), &d.cp, surrogates,
                     &d.bad);
  return d;
}

TEST(DecodeUtf8, DecodesEachLength) {
  EXPECT_EQ(Decode("A").len, 1u);
  EXPECT_EQ(Decode("A").cp, 0x41u);
  EXPECT_EQ(Decode(std::string_view("\0", 1)).cp, 0u);
  EXPECT_EQ(Decode("\xC2\x80").cp, 0x80u);
  EXPECT_EQ(Decode("\xDF\xBF").cp, 0x7FFu);
  EXPECT_EQ(Decode("\xE0\xA0\x80").cp, 0x800u);
  EXPECT_EQ(Decode("\xE2\x82\xAC").cp, 0x20ACu);
  EXPECT_EQ(Decode("\xED\x9F\xBF").cp, 0xD7FFu);
  EXPECT_EQ(Decode("\xEE\x80\x80").cp, 0xE000u);
  EXPECT_EQ(Decode("\xEF\xBF\xBF").cp, 0xFFFFu);
  EXPECT_EQ(Decode("\xF0\x90\x80\x80").cp, 0x10000u);
  EXPECT_EQ(Decode("\xF4\x8F\xBF\xBF").cp, 0x10FFFFu);
  EXPECT_EQ(Decode("\xF4\x8F\xBF\xBF").len, 4u);
  EXPECT_EQ(Decode("\xC3\xA9zz").len, 2u);  // only the first sequence is decoded
}

TEST(DecodeUtf8, RejectsOverlongs) {
  for (std::string_view s : {"\xC0\x80", "\xC1\xBF", "\xE0\x80\x80", "\xE0\x9F\xBF",
                             "\xF0\x80\x80\x80", "\xF0\x8F\xBF\xBF"}) {
    const Decoded d = Decode(s);
    EXPECT_EQ(d.len, 0u) << s;
    EXPECT_EQ(d.bad, 1u) << s;  // the lead alone is the maximal ill-formed subpart
  }
}

TEST(DecodeUtf8, SurrogatesAreRejectedUnlessAccepted) {
  for (std::string_view s : {"\xED\xA0\x80", "\xED\xAF\xBF", "\xED\xB0\x80", "\xED\xBF\xBF"}) {
    EXPECT_EQ(Decode(s).len, 0u) << s;
    EXPECT_EQ(Decode(s).bad, 1u) << s;
    const Decoded lua = Decode(s, Utf8Surrogates::kAccept);
    EXPECT_EQ(lua.len, 3u) << s;
    EXPECT_GE(lua.cp, 0xD800u);
    EXPECT_LE(lua.cp, 0xDFFFu);
  }
}

TEST(DecodeUtf8, RejectsAboveU10FFFF) {
  for (std::string_view s :
       {"\xF4\x90\x80\x80", "\xF4\xBF\xBF\xBF", "\xF5\x80\x80\x80", "\xF7\xBF\xBF\xBF",
        "\xF8\x88\x80\x80\x80", "\xFC\x84\x80\x80\x80\x80", "\xFE", "\xFF"}) {
    EXPECT_EQ(Decode(s).len, 0u) << s;
    EXPECT_EQ(Decode(s).bad, 1u) << s;
    EXPECT_EQ(Decode(s, Utf8Surrogates::kAccept).len, 0u) << s;
  }
}

TEST(DecodeUtf8, TruncatedSequencesGiveTheirPrefixAsSubpart) {
  EXPECT_EQ(Decode("\xC3").bad, 1u);
  EXPECT_EQ(Decode("\xE2").bad, 1u);
  EXPECT_EQ(Decode("\xE2\x82").bad, 2u);
  EXPECT_EQ(Decode("\xF0\x9F").bad, 2u);
  EXPECT_EQ(Decode("\xF0\x9F\x98").bad, 3u);
  // Cut by a non-continuation byte: the subpart stops before it.
  EXPECT_EQ(Decode("\xE2\x82\x41").bad, 2u);
  EXPECT_EQ(Decode("\xF0\x9F\x98\xC3").bad, 3u);
  EXPECT_EQ(Decode("\xC3\x41").bad, 1u);
  // Never reads past len: a valid sequence cut by the length is truncated.
  const char full[] = "\xF0\x9F\x98\x80";
  uint32_t cp;
  size_t bad = 0;
  EXPECT_EQ(DecodeUtf8(reinterpret_cast<const unsigned char*>(full), 3, &cp,
                       Utf8Surrogates::kReject, &bad),
            0u);
  EXPECT_EQ(bad, 3u);
}

TEST(DecodeUtf8, StrayContinuationBytes) {
  for (int b = 0x80; b <= 0xBF; ++b) {
    const std::string s(1, char(b));
    EXPECT_EQ(Decode(s).len, 0u);
    EXPECT_EQ(Decode(s).bad, 1u);
  }
}

TEST(EncodeUtf8, RoundTripsEveryCodePoint) {
  for (uint32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    char buf[4];
    const size_t n = EncodeUtf8(cp, buf);
    const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
    const Decoded d = Decode(std::string_view(buf, n), Utf8Surrogates::kAccept);
    ASSERT_EQ(d.len, n) << cp;
    ASSERT_EQ(d.cp, cp);
    ASSERT_EQ(Decode(std::string_view(buf, n)).len, surrogate ? 0u : n) << cp;
    ASSERT_EQ(IsValidUtf8(std::string_view(buf, n)), !surrogate) << cp;
  }
}

bool Reference(const std::string& s) { return simdjson::validate_utf8(s.data(), s.size()); }

// Every string of 1..3 bytes, and 4-byte strings over every lead >= 0xF0 and second byte with
// edge values after it, agree with simdjson's validator; so does the incremental validator
// fed byte by byte.
TEST(IsValidUtf8, AgreesWithSimdjsonOnShortStrings) {
  std::string s;
  for (int a = 0; a < 256; ++a) {
    s.assign(1, char(a));
    ASSERT_EQ(IsValidUtf8(s), Reference(s)) << a;
    for (int b = 0; b < 256; ++b) {
      s.assign({char(a), char(b)});
      ASSERT_EQ(IsValidUtf8(s), Reference(s)) << a << " " << b;
      for (int c = 0; c < 256; ++c) {
        s.assign({char(a), char(b), char(c)});
        ASSERT_EQ(IsValidUtf8(s), Reference(s)) << a << " " << b << " " << c;
      }
    }
  }
  const int edges[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF};
  for (int a = 0xF0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) {
      for (int c : edges) {
        for (int d : edges) {
          s.assign({char(a), char(b), char(c), char(d)});
          const bool want = Reference(s);
          ASSERT_EQ(IsValidUtf8(s), want) << a << " " << b << " " << c << " " << d;
          Utf8Validator v;
          bool ok = true;
          for (char ch : s) ok = v.Feed(std::string_view(&ch, 1)) && ok;
          ASSERT_EQ(ok && v.complete(), want);
        }
      }
    }
  }
}

TEST(Utf8Prefix, NeverSplitsASequence) {
  EXPECT_EQ(Utf8Prefix("abc", 5), "abc");
  EXPECT_EQ(Utf8Prefix("abc", 3), "abc");
  EXPECT_EQ(Utf8Prefix("abc", 2), "ab");
  EXPECT_EQ(Utf8Prefix("ab\xE2\x82\xAC", 4), "ab");  // would cut the euro sign
  EXPECT_EQ(Utf8Prefix("ab\xE2\x82\xAC", 5), "ab\xE2\x82\xAC");
  EXPECT_EQ(Utf8Prefix("\xF0\x9F\x8E\xAEx", 3), "");
  EXPECT_EQ(Utf8Prefix("\xF0\x9F\x8E\xAEx", 4), "\xF0\x9F\x8E\xAE");
  EXPECT_EQ(Utf8Prefix("abc", 0), "");
}

TEST(Utf8Length, CountsCodePointsOrFails) {
  EXPECT_EQ(Utf8Length(""), 0);
  EXPECT_EQ(Utf8Length("abc"), 3);
  EXPECT_EQ(Utf8Length("caf\xC3\xA9 \xE2\x82\xAC\xF0\x9F\x8E\xAE"), 7);
  EXPECT_EQ(Utf8Length("\xC3"), -1);              // truncated
  EXPECT_EQ(Utf8Length("ab\xC0\xAF"), -1);        // overlong
  EXPECT_EQ(Utf8Length("\xED\xA0\x80"), -1);      // surrogate
  EXPECT_EQ(Utf8Length("\xF4\x90\x80\x80"), -1);  // above U+10FFFF
  EXPECT_EQ(Utf8Length("\x80"), -1);              // stray continuation
}

}  // namespace
}  // namespace asobi
