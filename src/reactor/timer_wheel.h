// TimerWheel: coarse deadlines for many long-lived objects (one per connection), a hashed
// timing wheel of intrusive entries (Varghese & Lauck). Arming, re-arming and cancelling an
// entry is O(1) and allocates nothing; a loop turn in which no 100 ms tick boundary passed
// costs one comparison, however many entries are armed.
//
// Resolution: kTickMs (100 ms). An entry armed for time T fires in the first Advance() at or
// after the tick boundary that follows T, so never early and usually at most ~100 ms late
// (plus the loop turn that notices it). Use Reactor::AddTimer for anything that needs ms
// precision (match ticks); use the wheel for timeouts (request header, idle, close).
#pragma once

#include <cstddef>
#include <cstdint>

namespace asobi {

class TimerWheel;

namespace detail {
/// A node of a circular doubly-linked list (the wheel's bucket heads are bare nodes).
struct WheelLink {
  WheelLink* prev = nullptr;
  WheelLink* next = nullptr;
};
}  // namespace detail

/// One intrusive wheel entry, owned and embedded by its user (e.g. a connection has two: its
/// deadline and its force-close timer). Not copyable or movable (the wheel links to it).
/// Destroying an armed entry disarms it. Shard-affine: used on its wheel's thread only.
class WheelTimer : private detail::WheelLink {
 public:
  WheelTimer() = default;
  virtual ~WheelTimer() { Cancel(); }
  WheelTimer(const WheelTimer&) = delete;
  WheelTimer& operator=(const WheelTimer&) = delete;

  /// True while armed (between TimerWheel::Arm and its firing or Cancel()).
  bool armed() const { return wheel_ != nullptr; }
  /// Disarms the entry; no-op when not armed. O(1).
  void Cancel();

 protected:
  /// Runs once when the entry's time passed; the entry is already disarmed (it may re-arm).
  virtual void OnExpire() = 0;

 private:
  friend class TimerWheel;
  TimerWheel* wheel_ = nullptr;  // set while armed
  int64_t due_tick_ = 0;
};

/// Adapter: a WheelTimer that calls a member function of its owner.
template <typename T, void (T::*Method)()>
class MemberWheelTimer final : public WheelTimer {
 public:
  /// `owner` must outlive the timer (usually the timer is a member of `owner`).
  explicit MemberWheelTimer(T* owner) : owner_(owner) {}

 protected:
  void OnExpire() override { (owner_->*Method)(); }

 private:
  T* owner_;
};

/// The wheel: kBuckets buckets of kTickMs each (a revolution is 102.4 s). Entries due more
/// than one revolution ahead stay in their bucket and are skipped (O(1) each) until due.
/// Owned by a Reactor, which calls Advance() every loop turn.
class TimerWheel {
 public:
  static constexpr int64_t kTickMs = 100;
  static constexpr size_t kBuckets = 1024;

  /// `now_ms`: current monotonic ms; ticks before it count as already processed.
  explicit TimerWheel(int64_t now_ms);
  ~TimerWheel();
  TimerWheel(const TimerWheel&) = delete;
  TimerWheel& operator=(const TimerWheel&) = delete;

  /// Arms (or re-arms) `t` to fire at monotonic `due_ms` (rounded up to a tick; a time that
  /// is already past fires at the next tick). O(1); `t` must stay alive while armed.
  void Arm(WheelTimer* t, int64_t due_ms);

  /// Fires every entry whose tick passed by `now_ms` (monotonic, never decreasing). Entries
  /// may arm or cancel any entry (themselves included) from OnExpire.
  void Advance(int64_t now_ms);

  /// Monotonic ms of the next tick whose bucket holds an entry, or -1 when none does. May
  /// be early (a bucket's entries may belong to a later revolution, or were cancelled):
  /// good for a sleep bound, not as a promise.
  int64_t NextDueMs() const;

  /// Entries armed (for tests and metrics).
  size_t armed_count() const { return armed_; }

 private:
  static constexpr size_t kWords = kBuckets / 64;
  friend class WheelTimer;
  void Link(WheelTimer* t);
  void Unlink(WheelTimer* t);
  void VisitBucket(size_t bucket, int64_t now_tick);

  detail::WheelLink buckets_[kBuckets];  // list heads (circular; empty = self-linked)
  uint64_t occupied_[kWords] = {};       // bit b set while bucket b is non-empty
  int64_t current_tick_;                 // last tick processed
  size_t armed_ = 0;
};

}  // namespace asobi
