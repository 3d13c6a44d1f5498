#include "reactor/histogram.h"

#include <algorithm>
#include <bit>

namespace asobi {

int Histogram::BucketIndex(uint64_t v) {
  if (v < uint64_t(kSub)) return int(v);
  int mag = 63 - std::countl_zero(v);  // v >= 32 -> mag >= 5
  int shift = mag - kSubBits;
  int idx = (shift + 1) * kSub + int((v >> shift) - kSub);
  return std::min(idx, kBuckets - 1);
}

uint64_t Histogram::BucketUpper(int index) {
  if (index < kSub) return uint64_t(index);
  int shift = index / kSub - 1;
  uint64_t base = uint64_t(kSub + index % kSub) << shift;
  return base + ((uint64_t(1) << shift) - 1);
}

void Histogram::Record(uint64_t v) {
  buckets_[size_t(BucketIndex(v))].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
  uint64_t m = max_.load(std::memory_order_relaxed);
  while (v > m && !max_.compare_exchange_weak(m, v, std::memory_order_relaxed)) {
  }
}

void Histogram::Merge(const Histogram& o) {
  for (int i = 0; i < kBuckets; ++i) {
    uint64_t c = o.buckets_[size_t(i)].load(std::memory_order_relaxed);
    if (c) buckets_[size_t(i)].fetch_add(c, std::memory_order_relaxed);
  }
  count_.fetch_add(o.count(), std::memory_order_relaxed);
  sum_.fetch_add(o.sum(), std::memory_order_relaxed);
  uint64_t om = o.max();
  uint64_t m = max_.load(std::memory_order_relaxed);
  while (om > m && !max_.compare_exchange_weak(m, om, std::memory_order_relaxed)) {
  }
}

void Histogram::Reset() {
  for (auto& b : buckets_) b.store(0, std::memory_order_relaxed);
  count_.store(0, std::memory_order_relaxed);
  max_.store(0, std::memory_order_relaxed);
  sum_.store(0, std::memory_order_relaxed);
}

uint64_t Histogram::Percentile(double pct) const {
  uint64_t total = count();
  if (total == 0) return 0;
  uint64_t want = uint64_t(double(total) * pct / 100.0 + 0.5);
  if (want < 1) want = 1;
  uint64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += buckets_[size_t(i)].load(std::memory_order_relaxed);
    if (seen >= want) return std::min(BucketUpper(i), max());
  }
  return max();
}

uint64_t Histogram::CountAtOrBelow(uint64_t value) const {
  int last = BucketIndex(value);
  uint64_t n = 0;
  for (int i = 0; i <= last; ++i) n += buckets_[size_t(i)].load(std::memory_order_relaxed);
  return n;
}

}  // namespace asobi
