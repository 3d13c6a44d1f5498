#include "base/sliding_window_limiter.h"

#include <gtest/gtest.h>

#include <string>

namespace asobi {
namespace {

SlidingWindowLimiter::Config Cfg(int32_t limit, int64_t window_ms, size_t max_keys = 100000) {
  SlidingWindowLimiter::Config c;
  c.limit = limit;
  c.window_ms = window_ms;
  c.max_keys = max_keys;
  return c;
}

TEST(SlidingWindowLimiter, SlidesOverIndividualRequests) {
  SlidingWindowLimiter l(Cfg(3, 1000));
  EXPECT_TRUE(l.Allow("ip", 0));
  EXPECT_TRUE(l.Allow("ip", 100));
  EXPECT_TRUE(l.Allow("ip", 200));
  int64_t retry = -1;
  EXPECT_FALSE(l.Allow("ip", 999, &retry));
  EXPECT_EQ(retry, 1);  // the request at 0 leaves the window at 1000
  EXPECT_TRUE(l.Allow("ip", 1000));
  EXPECT_FALSE(l.Allow("ip", 1050, &retry));
  EXPECT_EQ(retry, 50);  // next to leave: 100 → 1100
  EXPECT_TRUE(l.Allow("ip", 1100));
  EXPECT_TRUE(l.Allow("ip", 1200));
  EXPECT_FALSE(l.Allow("ip", 1200));
}

TEST(SlidingWindowLimiter, DefaultIsSixtyPerSecond) {
  SlidingWindowLimiter l(SlidingWindowLimiter::Config{});
  for (int i = 0; i < 60; ++i) EXPECT_TRUE(l.Allow("10.0.0.1", 5000 + i * 10)) << i;
  EXPECT_FALSE(l.Allow("10.0.0.1", 5999));
  EXPECT_TRUE(l.Allow("10.0.0.2", 5999));  // keys are independent
  EXPECT_TRUE(l.Allow("10.0.0.1", 6000));
}

TEST(SlidingWindowLimiter, JoinLimitShape) {
  SlidingWindowLimiter l(Cfg(10, 60000));
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(l.Allow("player-1", i * 1000));
  int64_t retry = 0;
  EXPECT_FALSE(l.Allow("player-1", 30000, &retry));
  EXPECT_EQ(retry, 30000);
  EXPECT_TRUE(l.Allow("player-1", 60000));
}

TEST(SlidingWindowLimiter, ClockGoingBackwardsIsClamped) {
  SlidingWindowLimiter l(Cfg(2, 1000));
  EXPECT_TRUE(l.Allow("k", 5000));
  EXPECT_TRUE(l.Allow("k", 4000));  // treated as 5000
  EXPECT_FALSE(l.Allow("k", 5999));
  EXPECT_TRUE(l.Allow("k", 6000));
}

TEST(SlidingWindowLimiter, EvictExpiredDropsIdleKeys) {
  SlidingWindowLimiter l(Cfg(5, 1000));
  for (int i = 0; i < 1000; ++i) l.Allow("key" + std::to_string(i), i);
  EXPECT_EQ(l.tracked_keys(), 1000u);
  l.EvictExpired(1500);  // keys 0..500 have nothing inside (500, 1500]
  EXPECT_EQ(l.tracked_keys(), 499u);
  l.EvictExpired(10000);
  EXPECT_EQ(l.tracked_keys(), 0u);
}

TEST(SlidingWindowLimiter, AllowEvictsLazily) {
  SlidingWindowLimiter l(Cfg(5, 1000));
  for (int i = 0; i < 1000; ++i) l.Allow("old" + std::to_string(i), 0);
  // Traffic from one key later on sweeps the idle keys a few buckets at a time.
  for (int i = 0; i < 5000; ++i) l.Allow("busy", 2000 + i * 1000);
  EXPECT_EQ(l.tracked_keys(), 1u);
}

TEST(SlidingWindowLimiter, FullTableDeniesNewKeysUntilSomeExpire) {
  SlidingWindowLimiter l(Cfg(5, 1000, /*max_keys=*/2));
  EXPECT_TRUE(l.Allow("a", 0));
  EXPECT_TRUE(l.Allow("b", 0));
  int64_t retry = 0;
  EXPECT_FALSE(l.Allow("c", 10, &retry));
  EXPECT_EQ(retry, 1000);
  EXPECT_TRUE(l.Allow("a", 20));  // tracked keys keep working
  EXPECT_EQ(l.tracked_keys(), 2u);
  EXPECT_TRUE(l.Allow("c", 1005));  // "b" expired (a is still live at 20) and is evicted
  EXPECT_EQ(l.tracked_keys(), 2u);
}

TEST(SlidingWindowLimiter, FullTableCanFailOpen) {
  SlidingWindowLimiter::Config c = Cfg(1, 1000, 1);
  c.overflow = SlidingWindowLimiter::Overflow::kAllow;
  SlidingWindowLimiter l(c);
  EXPECT_TRUE(l.Allow("a", 0));
  EXPECT_FALSE(l.Allow("a", 1));
  EXPECT_TRUE(l.Allow("b", 2));  // untracked
  EXPECT_TRUE(l.Allow("b", 3));
  EXPECT_EQ(l.tracked_keys(), 1u);
}

}  // namespace
}  // namespace asobi
