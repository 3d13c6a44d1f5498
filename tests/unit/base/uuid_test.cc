#include "base/uuid.h"

#include <gtest/gtest.h>

#include <string>

namespace asobi {
namespace {

TEST(UuidTest, IdsOfOneThreadSortInTheOrderTheyWereMade) {
  // 20,000 ids come from a handful of milliseconds: more than the 12-bit counter holds in one.
  std::string previous = NewUuidV7();
  for (int i = 0; i < 20000; ++i) {
    std::string id = NewUuidV7();
    ASSERT_LT(previous, id) << "at " << i;
    previous = id;
  }
}

TEST(UuidTest, CanonicalVersion7WithRfcVariant) {
  for (int i = 0; i < 100; ++i) {
    std::string id = NewUuidV7();
    ASSERT_TRUE(IsCanonicalUuid(id)) << id;
    EXPECT_EQ(id[14], '7') << id;
    EXPECT_TRUE(id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b') << id;
  }
}

}  // namespace
}  // namespace asobi
