// HydrateCursor: the keyset pages of a board's hydration (docs/decisions.md "Leaderboards:
// hydration in pages").
#include "game/leaderboard/hydrate_cursor.h"

#include <gtest/gtest.h>

#include <string>

#include "game/leaderboard/leaderboard_sql.h"

namespace asobi::leaderboard {
namespace {

constexpr char kA[] = "00000000-0000-7000-8000-00000000000a";
constexpr char kB[] = "00000000-0000-7000-8000-00000000000b";

TEST(HydrateCursor, FirstPageHasNoCursorThenPagesFollowTheLastKeyInRankOrder) {
  HydrateCursor c(3);
  EXPECT_EQ(&c.statement(), &sql::kHydrateFirst);
  std::vector<db::Param> p = c.Params("board");
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].text(), "board");
  EXPECT_EQ(p[1].text(), "3");
  EXPECT_TRUE(c.Advance(3, 900, kA));  // a full page: more may follow
  EXPECT_FALSE(c.done());
  EXPECT_EQ(&c.statement(), &sql::kHydrateAfter);
  p = c.Params("board");
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[1].text(), "900");
  EXPECT_EQ(p[2].text(), kA);
  EXPECT_EQ(p[3].text(), "3");
  EXPECT_TRUE(c.Advance(3, -5, kB));
  EXPECT_EQ(c.Params("board")[1].text(), "-5");
  EXPECT_EQ(c.Params("board")[2].text(), kB);
  EXPECT_EQ(c.after_score(), -5);
  EXPECT_FALSE(c.Advance(1, -7, "00000000-0000-7000-8000-00000000000c"));  // short: loaded
  EXPECT_TRUE(c.done());
  EXPECT_EQ(c.rows(), 7u);
  EXPECT_EQ(c.pages(), 3u);
}

TEST(HydrateCursor, AnEmptyBoardIsOnePage) {
  HydrateCursor c(3);
  EXPECT_FALSE(c.Advance(0, 0, ""));
  EXPECT_TRUE(c.done());
  EXPECT_EQ(c.rows(), 0u);
  EXPECT_EQ(c.after(), "");
}

TEST(HydrateCursor, ABoardOfExactlyOnePageTakesAnEmptySecondPage) {
  HydrateCursor c(2);
  EXPECT_TRUE(c.Advance(2, 4, kB));
  // The empty page after a full one keeps the cursor where it was.
  EXPECT_FALSE(c.Advance(0, 0, ""));
  EXPECT_EQ(c.after(), kB);
  EXPECT_EQ(c.after_score(), 4);
  EXPECT_EQ(c.rows(), 2u);
  EXPECT_EQ(c.pages(), 2u);
}

TEST(HydrateCursor, ChunkRowsIsAtLeastOne) {
  HydrateCursor c(0);
  EXPECT_EQ(c.chunk_rows(), 1u);
  EXPECT_TRUE(c.Advance(1, 4, kA));
  EXPECT_FALSE(c.Advance(0, 0, ""));
  EXPECT_EQ(HydrateCursor().chunk_rows(), kHydrateChunkRows);
}

}  // namespace
}  // namespace asobi::leaderboard
