// SpscRing: bounded lock-free single-producer/single-consumer FIFO (cross-shard mailbox) that
// starts small and grows by doubling up to its capacity, so that N shards' N*(N-1) mailboxes
// cost memory in proportion to the traffic they carry, not N^2 * capacity.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <new>
#include <utility>

#include "base/check.h"

namespace asobi {

/// FIFO of segments (power-of-two rings). Exactly one thread calls TryPush and exactly one
/// calls TryPop. The producer writes into its newest segment; when that is full and smaller
/// than `capacity`, it links a segment twice as large and continues there; the consumer
/// drains a segment completely before following the link and frees it. TryPush fails only
/// when the newest segment has `capacity` slots and is full, so at most about 2 * capacity
/// values are in flight (older, smaller segments not yet drained plus the newest one).
///
/// Publication: the producer fills a new segment's first slot, then stores the link with
/// release; the consumer loads it with acquire only after it found the old segment empty,
/// re-reads the old segment's tail (every push to it happened before the link was stored),
/// and moves on only when that is drained too. The producer never touches a segment again
/// after linking its successor, so the consumer may free it.
template <typename T>
class SpscRing {
 public:
  /// `capacity` and `initial_capacity` are rounded up to powers of two (>= 2);
  /// initial_capacity 0 (or above capacity) means capacity.
  explicit SpscRing(size_t capacity, size_t initial_capacity = 0) {
    max_slots_ = RoundUp(capacity);
    size_t first = initial_capacity == 0 ? max_slots_ : RoundUp(initial_capacity);
    if (first > max_slots_) first = max_slots_;
    prod_ = cons_ = new Segment(first);
    allocated_slots_ = first;
  }
  ~SpscRing() {
    Segment* s = cons_;
    while (s != nullptr) {
      Segment* next = s->next.load(std::memory_order_acquire);
      delete s;
      s = next;
    }
  }
  SpscRing(const SpscRing&) = delete;
  SpscRing& operator=(const SpscRing&) = delete;

  /// Producer side. False when full (the value is left untouched).
  [[nodiscard]] bool TryPush(T& value) {
    Segment* s = prod_;
    size_t tail = s->tail.load(std::memory_order_relaxed);
    if (tail - s->head_cache > s->mask) {
      s->head_cache = s->head.load(std::memory_order_acquire);
      if (tail - s->head_cache > s->mask) return Grow(s, value);
    }
    s->slots[tail & s->mask] = std::move(value);
    s->tail.store(tail + 1, std::memory_order_release);
    return true;
  }

  /// Consumer side. False when empty.
  bool TryPop(T& out) {
    for (;;) {
      Segment* s = cons_;
      size_t head = s->head.load(std::memory_order_relaxed);
      if (head == s->tail_cache) {
        s->tail_cache = s->tail.load(std::memory_order_acquire);
        if (head == s->tail_cache) {
          Segment* next = s->next.load(std::memory_order_acquire);
          if (next == nullptr) return false;
          // The producer moved on; pushes it made to `s` before linking are visible now.
          s->tail_cache = s->tail.load(std::memory_order_acquire);
          if (head == s->tail_cache) {
            cons_ = next;
            delete s;
            continue;
          }
        }
      }
      out = std::move(s->slots[head & s->mask]);
      s->head.store(head + 1, std::memory_order_release);
      return true;
    }
  }

  /// Approximate; consumer thread (or any thread while no one pops).
  bool Empty() const {
    const Segment* s = cons_;
    return s->next.load(std::memory_order_acquire) == nullptr &&
           s->head.load(std::memory_order_acquire) == s->tail.load(std::memory_order_acquire);
  }
  /// The bound on the newest segment (values in flight stay below 2x this).
  size_t capacity() const { return max_slots_; }
  /// Slots allocated by the producer so far, freed segments included (producer thread;
  /// tests and memory accounting).
  size_t allocated_slots() const { return allocated_slots_; }
  /// Slots of the producer's current segment (producer thread).
  size_t current_slots() const { return prod_->mask + 1; }

 private:
  struct Segment {
    explicit Segment(size_t slots_count)
        : mask(slots_count - 1), slots(std::make_unique<T[]>(slots_count)) {}
    alignas(64) std::atomic<size_t> head{0};
    size_t tail_cache = 0;  // consumer's view of tail
    alignas(64) std::atomic<size_t> tail{0};
    size_t head_cache = 0;  // producer's view of head
    alignas(64) size_t mask;
    std::unique_ptr<T[]> slots;
    std::atomic<Segment*> next{nullptr};
  };

  static size_t RoundUp(size_t n) {
    size_t cap = 2;
    while (cap < n) cap <<= 1;
    return cap;
  }

  bool Grow(Segment* s, T& value) {
    if (s->mask + 1 >= max_slots_) return false;
    size_t slots_count = (s->mask + 1) * 2;
    if (slots_count > max_slots_) slots_count = max_slots_;
    auto* n = new Segment(slots_count);
    allocated_slots_ += slots_count;
    n->slots[0] = std::move(value);
    n->tail.store(1, std::memory_order_relaxed);
    s->next.store(n, std::memory_order_release);  // last access to `s` by the producer
    prod_ = n;
    return true;
  }

  alignas(64) Segment* prod_;  // producer only
  size_t max_slots_ = 0;
  size_t allocated_slots_ = 0;  // producer only
  alignas(64) Segment* cons_;   // consumer only
};

}  // namespace asobi
