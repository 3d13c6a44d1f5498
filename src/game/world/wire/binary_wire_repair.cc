#include "game/world/wire/binary_wire_repair.h"

#include <algorithm>

namespace asobi::world {

BinaryWireRepair::Plan BinaryWireRepair::Next(int64_t now_ms) const {
  switch (state_) {
    case State::kHealthy:
      return Plan::kDelta;
    case State::kOweKeyframe:
      return Plan::kKeyframe;
    case State::kTextOnly:
      return now_ms >= retry_at_ms_ ? Plan::kKeyframe : Plan::kTextOnly;
  }
  return Plan::kTextOnly;
}

void BinaryWireRepair::Report(Plan planned, bool encoded, int64_t now_ms) {
  switch (planned) {
    case Plan::kTextOnly:
      return;
    case Plan::kDelta:
      if (!encoded) state_ = State::kOweKeyframe;
      return;
    case Plan::kKeyframe:
      if (encoded) {
        state_ = State::kHealthy;
        backoff_ms_ = opts_.retry_initial_ms;
        return;
      }
      if (state_ == State::kTextOnly) {  // a retry failed: wait twice as long next time
        backoff_ms_ = std::min(backoff_ms_ * 2, opts_.retry_max_ms);
      }
      state_ = State::kTextOnly;
      retry_at_ms_ = now_ms + backoff_ms_;
      return;
  }
}

}  // namespace asobi::world
