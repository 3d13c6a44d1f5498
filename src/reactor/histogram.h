// Histogram: HDR-style log-linear histogram of non-negative integers (e.g. µs), about 3%
// relative precision, fixed memory (~10 KiB). One writer thread; any thread may read
// (relaxed atomics, so a concurrent read sees a slightly stale but consistent-enough view).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

namespace asobi {

/// Value type of the /metrics latency figures (loop turn, match tick lateness, ...); not copyable
/// (atomics). Merge() per-shard histograms to get a node-wide view.
class Histogram {
 public:
  static constexpr int kSubBits = 5;  // 32 sub-buckets per power of two
  static constexpr int kSub = 1 << kSubBits;
  static constexpr int kMagnitudes = 40;  // values up to ~2^44
  static constexpr int kBuckets = kMagnitudes * kSub;

  /// Adds one sample. Values beyond the range land in the last bucket.
  void Record(uint64_t value);
  /// Adds every sample of `other` (both may be in use; counts are read relaxed).
  void Merge(const Histogram& other);
  /// Zeroes every bucket and the count/sum/max; only while no writer records (tests, bench).
  void Reset();

  /// Samples recorded, largest sample, and sum of all samples (same unit as the values;
  /// relaxed loads, any thread).
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  uint64_t max() const { return max_.load(std::memory_order_relaxed); }
  uint64_t sum() const { return sum_.load(std::memory_order_relaxed); }
  /// Smallest recorded bucket value v such that at least `pct`% of samples are <= v
  /// (upper edge of the bucket, capped at max()). 0 when empty. pct in [0, 100].
  uint64_t Percentile(double pct) const;
  /// Number of samples <= `value` (bucket-granular), for Prometheus `le` buckets.
  uint64_t CountAtOrBelow(uint64_t value) const;

  /// Bucket of `value`: exact below kSub, then kSub buckets per power of two; capped at
  /// kBuckets - 1.
  static int BucketIndex(uint64_t value);
  /// Largest value that maps to bucket `index`.
  static uint64_t BucketUpper(int index);

 private:
  std::array<std::atomic<uint64_t>, kBuckets> buckets_{};
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> max_{0};
  std::atomic<uint64_t> sum_{0};
};

}  // namespace asobi
