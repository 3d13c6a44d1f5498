// The ops list cursor (docs/decisions.md "Ops player list: keyset cursor, index-backed
// search, capped total"): round trips, and every malformed form is refused.
#include "game/ops/ops_cursor.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <string>
#include <vector>

namespace asobi::ops {
namespace {

constexpr char kId[] = "01930000-0000-7000-8000-000000000992";

std::string B64(const std::string& raw) {
  constexpr int v = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(raw.size(), v), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                    raw.size(), v);
  out.resize(out.size() - 1);
  return out;
}

TEST(OpsCursor, RoundTrips) {
  for (const std::string key : {"1764726000123456", "-5", "0", "", "ünï côdé with spaces"}) {
    OpsCursor c{"username", "desc", 2450, kId, key};
    std::optional<OpsCursor> back = DecodeOpsCursor(EncodeOpsCursor(c));
    ASSERT_TRUE(back) << key;
    EXPECT_EQ(back->sort, c.sort);
    EXPECT_EQ(back->order, c.order);
    EXPECT_EQ(back->offset, c.offset);
    EXPECT_EQ(back->id, c.id);
    EXPECT_EQ(back->key, c.key);
  }
  std::string text = EncodeOpsCursor({"inserted_at", "asc", 0, kId, "12"});
  EXPECT_EQ(
      text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);
}

TEST(OpsCursor, RefusesMalformed) {
  const std::string id = kId;
  const std::vector<std::string> bad = {
      "",
      "c1",
      "c1 inserted_at desc 0 " + id,
      "c2 inserted_at desc 0 " + id + " 1",
      "c1 Inserted desc 0 " + id + " 1",
      "c1 inserted_at down 0 " + id + " 1",
      "c1 inserted_at desc -1 " + id + " 1",
      "c1 inserted_at desc 01 " + id + " 1",
      "c1 inserted_at desc 1000000001 " + id + " 1",
      "c1 inserted_at desc 0 not-a-uuid 1",
      "c1 inserted_at desc 0 01930000-0000-7000-8000-00000000099G 1",
      "c1 username asc 0 " + id + " bad\xff",
      "c1 username asc 0 " + id + " nul" + '\0',
      "c1 username asc 0 " + id + " " + std::string(1025, 'a'),
      "c1  desc 0 " + id + " 1"};
  for (const std::string& raw : bad) {
    EXPECT_FALSE(DecodeOpsCursor(B64(raw))) << raw;
  }
  EXPECT_FALSE(DecodeOpsCursor("not base64!"));
  EXPECT_FALSE(DecodeOpsCursor(B64("c1 username asc 0 " + id + " x") + "="));
  EXPECT_FALSE(DecodeOpsCursor(std::string(kOpsCursorCharsMax + 1, 'A')));
  EXPECT_TRUE(DecodeOpsCursor(B64("c1 username asc 0 " + id + " x")));
}

TEST(OpsCursor, Int64Text) {
  for (const char* ok :
       {"0", "-1", "1764726000123456", "9223372036854775807", "-9223372036854775808"}) {
    EXPECT_TRUE(IsInt64Text(ok)) << ok;
  }
  for (const char* bad : {"", "-", "-0", "01", "+1", "1.5", "9223372036854775808",
                          "-9223372036854775809", "12345678901234567890", " 1", "1e3"}) {
    EXPECT_FALSE(IsInt64Text(bad)) << bad;
  }
}

}  // namespace
}  // namespace asobi::ops
