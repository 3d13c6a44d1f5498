// SessionDeadline: the deadline of a connection handler's current phase (HTTP idle, header,
// body, handler, linger; WebSocket idle-auth and inbound silence), kept on top of the
// connection's single timer (TcpConnection::SetDeadline) and armed lazily.
#pragma once

#include <cstdint>

#include "net/tcp_connection.h"

namespace asobi {

/// One phase deadline per handler. Moving the deadline later costs no timer operation: the
/// timer already armed fires early, Expired() sees the phase is not over and re-arms it for
/// the rest. So a WebSocket can push its silence deadline on every read and HTTP keep-alive
/// can switch phases per request for the price of a compare. Shard-affine (the connection's
/// shard); the handler calls Expired() from ConnectionHandler::OnDeadline.
class SessionDeadline {
 public:
  /// The current phase ends `delay_ms` (>= 0) from now (reactor time of this turn). Arms the
  /// connection's timer only when none is armed or the armed one fires later than that.
  void Set(TcpConnection& conn, int64_t delay_ms) {
    at_ms_ = conn.reactor().now_ms() + delay_ms;
    const int64_t armed_ms = conn.deadline_ms();
    if (armed_ms == 0 || armed_ms > at_ms_) conn.SetDeadline(delay_ms);
  }
  /// The current phase has no deadline; a timer that is still armed fires and is ignored.
  void Clear() { at_ms_ = 0; }
  /// For OnDeadline: true when the phase deadline has passed (it is cleared); false when
  /// there is none, or when it lies ahead (the connection's timer is re-armed for the rest).
  bool Expired(TcpConnection& conn) {
    if (at_ms_ == 0) return false;
    const int64_t now_ms = conn.reactor().now_ms();
    if (now_ms >= at_ms_) {
      at_ms_ = 0;
      return true;
    }
    conn.SetDeadline(at_ms_ - now_ms);
    return false;
  }
  /// Monotonic ms at which the phase ends, 0 when it has no deadline.
  int64_t at_ms() const { return at_ms_; }

 private:
  int64_t at_ms_ = 0;
};

}  // namespace asobi
