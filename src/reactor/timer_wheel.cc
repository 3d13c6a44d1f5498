#include "reactor/timer_wheel.h"

namespace asobi {

void WheelTimer::Cancel() {
  if (wheel_ != nullptr) wheel_->Unlink(this);
}

TimerWheel::TimerWheel(int64_t now_ms) : current_tick_(now_ms / kTickMs) {
  for (detail::WheelLink& b : buckets_) b.prev = b.next = &b;
}

TimerWheel::~TimerWheel() {
  // Disarm what is still armed, so the entries' destructors never touch a dead wheel.
  for (detail::WheelLink& b : buckets_) {
    while (b.next != &b) Unlink(static_cast<WheelTimer*>(b.next));
  }
}

void TimerWheel::Arm(WheelTimer* t, int64_t due_ms) {
  if (t->wheel_ != nullptr) t->wheel_->Unlink(t);
  int64_t tick = due_ms <= 0 ? 0 : (due_ms + kTickMs - 1) / kTickMs;
  if (tick <= current_tick_) tick = current_tick_ + 1;
  t->due_tick_ = tick;
  t->wheel_ = this;
  ++armed_;
  Link(t);
}

void TimerWheel::Link(WheelTimer* t) {
  size_t b = size_t(t->due_tick_) % kBuckets;
  detail::WheelLink& head = buckets_[b];
  t->prev = head.prev;
  t->next = &head;
  head.prev->next = t;
  head.prev = t;
  occupied_[b / 64] |= uint64_t(1) << (b % 64);
}

void TimerWheel::Unlink(WheelTimer* t) {
  t->prev->next = t->next;
  t->next->prev = t->prev;
  t->prev = t->next = nullptr;
  t->wheel_ = nullptr;
  --armed_;
  size_t b = size_t(t->due_tick_) % kBuckets;
  if (buckets_[b].next == &buckets_[b]) occupied_[b / 64] &= ~(uint64_t(1) << (b % 64));
}

void TimerWheel::Advance(int64_t now_ms) {
  const int64_t target = now_ms / kTickMs;
  if (target <= current_tick_) return;  // the common case: same tick as the last turn
  if (armed_ == 0) {
    current_tick_ = target;
    return;
  }
  // After a long gap one sweep over all buckets is enough: every entry lives in one.
  if (target - current_tick_ > int64_t(kBuckets)) current_tick_ = target - int64_t(kBuckets);
  while (current_tick_ < target) {
    ++current_tick_;
    VisitBucket(size_t(current_tick_) % kBuckets, target);
    if (armed_ == 0) current_tick_ = target;
  }
}

void TimerWheel::VisitBucket(size_t bucket, int64_t now_tick) {
  detail::WheelLink& head = buckets_[bucket];
  if (head.next == &head) return;
  // Move the bucket to a local list first: entries armed, re-armed or cancelled from a
  // callback then never make this loop revisit them.
  detail::WheelLink local;
  local.next = head.next;
  local.prev = head.prev;
  local.next->prev = &local;
  local.prev->next = &local;
  head.next = head.prev = &head;
  occupied_[bucket / 64] &= ~(uint64_t(1) << (bucket % 64));
  while (local.next != &local) {
    auto* t = static_cast<WheelTimer*>(local.next);
    t->prev->next = t->next;
    t->next->prev = t->prev;
    if (t->due_tick_ > now_tick) {  // a later revolution: back into its bucket
      Link(t);
      continue;
    }
    t->prev = t->next = nullptr;
    t->wheel_ = nullptr;
    --armed_;
    t->OnExpire();  // may destroy t, or arm or cancel any entry
  }
}

int64_t TimerWheel::NextDueMs() const {
  if (armed_ == 0) return -1;
  const size_t start = size_t(current_tick_ + 1) % kBuckets;
  for (size_t i = 0; i < kBuckets;) {
    size_t b = (start + i) % kBuckets;
    uint64_t bits = occupied_[b / 64] >> (b % 64);
    if (bits != 0) {
      size_t d = i + size_t(__builtin_ctzll(bits));
      if (d < kBuckets) return (current_tick_ + 1 + int64_t(d)) * kTickMs;
      break;
    }
    i += 64 - b % 64;
  }
  return -1;
}

}  // namespace asobi
