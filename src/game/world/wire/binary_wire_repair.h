// BinaryWireRepair: a zone's refusal-and-repair state for the binary world.tick wire
// (websocket.md §11.3). The zone asks Plan() what the binary buffer of its next shared frame
// must be, encodes it, and reports the outcome; the state decides when binary clients need a
// keyframe and when the zone gives binary up for a while.
#pragma once

#include <cstdint>

namespace asobi::world {

/// One per zone, on the zone's shard. Not thread-safe. Time is the caller's monotonic ms.
///
/// - Healthy: binary clients get each shared frame's delta.
/// - A refused delta (it went to binary clients as text) makes the next frame's binary
///   buffer an all-adds keyframe of the whole baseline (`kf=1`, that frame's `frame_seq`),
///   while text clients get the ordinary delta of the same frame_seq.
/// - A refused keyframe drops the zone to text for everyone; it retries (with a keyframe)
///   after `retry_initial_ms`, doubling after each further refusal up to `retry_max_ms`
///   (`binary_wire_retry_ms`: 60 s to 1 h). A successful keyframe makes it healthy again and
///   resets the backoff.
class BinaryWireRepair {
 public:
  /// Backoff (ms) before binary is tried again after a refusal: starts at retry_initial_ms and
  /// doubles up to retry_max_ms (websocket.md §11.3).
  struct Options {
    int64_t retry_initial_ms = 60'000;
    int64_t retry_max_ms = 3'600'000;
  };
  /// What the binary buffer of the next shared frame must be.
  enum class Plan : uint8_t {
    kDelta,     // this frame's delta, encoded as binary
    kKeyframe,  // an all-adds keyframe of the whole baseline, kf=1, this frame's frame_seq
    kTextOnly,  // no binary buffer: binary clients get the text frame
  };

  /// Healthy state (binary on); the default Options or `o`.
  BinaryWireRepair() = default;
  explicit BinaryWireRepair(const Options& o) : opts_(o), backoff_ms_(o.retry_initial_ms) {}

  /// The plan for the shared frame being built at `now_ms`.
  Plan Next(int64_t now_ms) const;
  /// Records the outcome of encoding what Next() planned (`encoded` false: refused).
  /// A kTextOnly plan has no outcome; reporting it changes nothing.
  void Report(Plan planned, bool encoded, int64_t now_ms);

  /// True while the zone sends text only (after a refused keyframe, until a retry succeeds).
  bool text_only() const { return state_ == State::kTextOnly; }
  /// When the next retry is due (meaningful while text_only()).
  int64_t retry_at_ms() const { return retry_at_ms_; }
  /// The wait after the next refused keyframe.
  int64_t backoff_ms() const { return backoff_ms_; }

 private:
  enum class State : uint8_t { kHealthy, kOweKeyframe, kTextOnly };
  Options opts_;
  State state_ = State::kHealthy;
  int64_t backoff_ms_ = Options().retry_initial_ms;
  int64_t retry_at_ms_ = 0;
};

}  // namespace asobi::world
