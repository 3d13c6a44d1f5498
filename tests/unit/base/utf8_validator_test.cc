#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/utf8.h"

namespace asobi {
namespace {

const std::vector<std::string>& ValidSamples() {
  static const std::vector<std::string> samples = {
      "",
      "plain ascii that is longer than eight bytes",
      "\x7f",
      "\xC2\x80",          // U+0080
      "\xDF\xBF",          // U+07FF
      "\xE0\xA0\x80",      // U+0800
      "\xED\x9F\xBF",      // U+D7FF, below the surrogates
      "\xEE\x80\x80",      // U+E000, above them
      "\xEF\xBF\xBF",      // U+FFFF
      "\xF0\x90\x80\x80",  // U+10000
      "\xF4\x8F\xBF\xBF",  // U+10FFFF
      "Gr\xC3\xBC\xC3\x9F"
      "e \xE2\x82\xAC \xF0\x9F\x98\x80 end",  // mixed
  };
  return samples;
}

const std::vector<std::string>& InvalidSamples() {
  static const std::vector<std::string> samples = {
      "\x80",                // stray continuation byte
      "abc\xBF",             // stray continuation after ASCII
      "\xC0\x80",            // overlong NUL
      "\xC1\xBF",            // overlong
      "\xE0\x9F\xBF",        // overlong 3-byte
      "\xF0\x8F\xBF\xBF",    // overlong 4-byte
      "\xED\xA0\x80",        // U+D800 (surrogate)
      "\xED\xBF\xBF",        // U+DFFF (surrogate)
      "\xF4\x90\x80\x80",    // U+110000
      "\xF5\x80\x80\x80",    // lead byte beyond U+10FFFF
      "\xFF",                // never valid
      "\xC3\x41",            // lead byte followed by ASCII
      "\xE2\x82\x41",        // 3-byte sequence cut by ASCII
      "0123456789\xC3\xC3",  // two lead bytes
  };
  return samples;
}

TEST(Utf8Validator, AcceptsValidSamplesInOnePiece) {
  for (const std::string& s : ValidSamples()) EXPECT_TRUE(Utf8Validator::IsValid(s)) << s;
}

TEST(Utf8Validator, RejectsInvalidSamples) {
  for (const std::string& s : InvalidSamples()) EXPECT_FALSE(Utf8Validator::IsValid(s)) << s;
}

TEST(Utf8Validator, AcceptsValidSamplesSplitAtEveryPosition) {
  for (const std::string& s : ValidSamples()) {
    for (size_t cut = 0; cut <= s.size(); ++cut) {
      Utf8Validator v;
      EXPECT_TRUE(v.Feed(std::string_view(s).substr(0, cut))) << s << " cut " << cut;
      EXPECT_TRUE(v.Feed(std::string_view(s).substr(cut))) << s << " cut " << cut;
      EXPECT_TRUE(v.complete()) << s << " cut " << cut;
    }
  }
}

TEST(Utf8Validator, RejectsInvalidSamplesFedBytewise) {
  for (const std::string& s : InvalidSamples()) {
    Utf8Validator v;
    bool ok = true;
    for (char c : s) ok = v.Feed(std::string_view(&c, 1)) && ok;
    EXPECT_FALSE(ok) << s;
    EXPECT_FALSE(v.complete()) << s;
  }
}

TEST(Utf8Validator, IncompleteCharacterIsNotComplete) {
  Utf8Validator v;
  EXPECT_TRUE(v.Feed("ab\xF0\x9F"));
  EXPECT_FALSE(v.complete());
  EXPECT_TRUE(v.Feed("\x98"));
  EXPECT_FALSE(v.complete());
  EXPECT_TRUE(v.Feed("\x80"));
  EXPECT_TRUE(v.complete());
}

TEST(Utf8Validator, StaysFailedUntilReset) {
  Utf8Validator v;
  EXPECT_FALSE(v.Feed("\xFF"));
  EXPECT_FALSE(v.Feed("ok"));
  EXPECT_FALSE(v.complete());
  v.Reset();
  EXPECT_TRUE(v.Feed("ok"));
  EXPECT_TRUE(v.complete());
}

TEST(Utf8Validator, InvalidByteAfterLongAsciiRun) {
  std::string s(1000, 'a');
  s[997] = '\x80';
  EXPECT_FALSE(Utf8Validator::IsValid(s));
  EXPECT_TRUE(Utf8Validator::IsValid(std::string(1000, 'a')));
}

}  // namespace
}  // namespace asobi
