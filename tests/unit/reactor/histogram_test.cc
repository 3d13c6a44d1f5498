#include "reactor/histogram.h"

#include <gtest/gtest.h>

#include "reactor/spsc_ring.h"

namespace asobi {
namespace {

TEST(HistogramTest, PercentilesWithinThreePercent) {
  Histogram h;
  for (uint64_t v = 1; v <= 10000; ++v) h.Record(v);
  EXPECT_EQ(h.count(), 10000u);
  EXPECT_EQ(h.max(), 10000u);
  auto near = [](uint64_t got, double want) {
    return double(got) >= want * 0.97 && double(got) <= want * 1.03;
  };
  EXPECT_TRUE(near(h.Percentile(50), 5000)) << h.Percentile(50);
  EXPECT_TRUE(near(h.Percentile(99), 9900)) << h.Percentile(99);
  EXPECT_EQ(h.Percentile(100), 10000u);
}

TEST(HistogramTest, SmallValuesAreExact) {
  Histogram h;
  for (int i = 0; i < 10; ++i) h.Record(7);
  h.Record(3);
  EXPECT_EQ(h.Percentile(50), 7u);
  EXPECT_EQ(h.Percentile(1), 3u);
  EXPECT_EQ(h.CountAtOrBelow(3), 1u);
  EXPECT_EQ(h.CountAtOrBelow(7), 11u);
}

TEST(HistogramTest, BucketUpperIsMonotonicAndCoversValues) {
  for (uint64_t v : {0ull, 1ull, 31ull, 32ull, 33ull, 1000ull, 123456789ull}) {
    int idx = Histogram::BucketIndex(v);
    EXPECT_GE(Histogram::BucketUpper(idx), v);
    if (idx > 0) {
      EXPECT_LT(Histogram::BucketUpper(idx - 1), v);
    }
  }
}

TEST(HistogramTest, MergeAddsCounts) {
  Histogram a, b;
  a.Record(10);
  b.Record(20);
  b.Record(30);
  a.Merge(b);
  EXPECT_EQ(a.count(), 3u);
  EXPECT_EQ(a.max(), 30u);
  EXPECT_EQ(a.sum(), 60u);
}

TEST(SpscRingTest, FifoAndBounded) {
  SpscRing<int> ring(4);
  for (int i = 0; i < 4; ++i) {
    int v = i;
    ASSERT_TRUE(ring.TryPush(v));
  }
  int extra = 9;
  EXPECT_FALSE(ring.TryPush(extra));
  EXPECT_EQ(extra, 9);  // untouched on failure
  for (int i = 0; i < 4; ++i) {
    int v = -1;
    ASSERT_TRUE(ring.TryPop(v));
    EXPECT_EQ(v, i);
  }
  int v;
  EXPECT_FALSE(ring.TryPop(v));
}

}  // namespace
}  // namespace asobi
