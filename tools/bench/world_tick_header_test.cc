// Tests of the bench's binary world.tick header reader against the spec's wire fixtures
// (websocket.md §11.4, copied to tests/unit/protocol/wire_fixtures) and truncated/mangled
// frames.
#include "world_tick_header.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

namespace asobi::bench {
namespace {

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(ASOBI_WIRE_FIXTURES) + "/" + name + ".bin", std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(BinaryTickHeader, ReadsTheFixtureHeaders) {
  struct Case {
    const char* name;
    size_t bytes;
    uint8_t kind;
    int32_t zx, zy;
    uint64_t seq;
    bool kf;
    uint64_t tick;
    uint16_t records;
  };
  const Case cases[] = {
      {"add_with_all_value_types", 135, 1, 0, 0, 1, false, 20, 1},
      {"steady_state_40_updates", 1039, 1, 3, -2, 4711, false, 94220, 40},
      {"keyframe_all_adds", 298, 1, -1, -1, 88, true, 0, 5},
      {"removes_only", 44, 1, 0, 0, 12, false, 240, 3},
      {"ungated_leave_removals", 39, 2, 5, 5, 0, false, 0, 2},
      {"empty_keyframe", 29, 1, 0, 0, 0, true, 0, 0},
      {"extremes", 41, 1, INT32_MIN, INT32_MAX, 9007199254740991ull, false, 9007199254740991ull, 1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::string b = Fixture(c.name);
    ASSERT_EQ(b.size(), c.bytes);
    BinaryTickHeader h;
    ASSERT_TRUE(ParseBinaryTickHeader(b, &h));
    EXPECT_EQ(h.kind, c.kind);
    EXPECT_EQ(h.zx, c.zx);
    EXPECT_EQ(h.zy, c.zy);
    EXPECT_EQ(h.frame_seq, c.seq);
    EXPECT_EQ(h.kf, c.kf);
    EXPECT_EQ(h.tick, c.tick);
    EXPECT_EQ(h.records, c.records);
  }
}

TEST(BinaryTickHeader, RefusesTruncatedAndMangledHeaders) {
  std::string b = Fixture("steady_state_40_updates");
  ASSERT_FALSE(b.empty());
  BinaryTickHeader h;
  for (size_t n = 0; n < 29; ++n) EXPECT_FALSE(ParseBinaryTickHeader(b.substr(0, n), &h)) << n;
  // 40 records need at least 200 bytes after the count.
  EXPECT_FALSE(ParseBinaryTickHeader(b.substr(0, 100), &h));
  std::string bad = b;
  bad[0] = 3;  // kind
  EXPECT_FALSE(ParseBinaryTickHeader(bad, &h));
  bad = b;
  bad[17] = 2;  // kf
  EXPECT_FALSE(ParseBinaryTickHeader(bad, &h));
  bad = b;
  bad[26] = 33;  // dictionary length
  EXPECT_FALSE(ParseBinaryTickHeader(bad, &h));
  bad = Fixture("empty_keyframe");
  bad[26] = 1;  // one name, but no bytes for it
  EXPECT_FALSE(ParseBinaryTickHeader(bad, &h));
}

}  // namespace
}  // namespace asobi::bench
