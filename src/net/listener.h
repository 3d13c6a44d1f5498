// Listener: a shard's own SO_REUSEPORT listening socket.
//
// Accepts are bounded per reactor turn: `accepts_per_turn` single-shot accepts are kept in
// flight, and each one completed is re-armed with the next submission, so one turn handles at
// most that many new connections and a connection burst (an idle flood) waits in the kernel's
// accept queue instead of stalling everyone else's turn (bench/README.md "Idle flood").
// `accepts_per_turn` 0 keeps one multishot accept instead (no bound: every pending
// connection is accepted as soon as the kernel has it).
//
// Accepted sockets get TCP_NODELAY, and inherit from the listening socket SO_KEEPALIVE with
// TCP_KEEPIDLE 60 s, TCP_KEEPINTVL 10 s, TCP_KEEPCNT 6 (a vanished peer is noticed about
// two minutes after it went silent, even with no deadline armed). When the table has a
// ConnectionLimiter, each accepted socket is admitted against its per-address and node-wide
// caps first; a refused socket is closed at once with a reset (never served, no TIME_WAIT
// kept on our side) and counted in ShardMetrics. Out of descriptors (EMFILE/ENFILE/ENOMEM),
// accepting pauses for one wheel tick (100-200 ms) and resumes, without spinning.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/result.h"
#include "net/tcp_connection.h"
#include "reactor/completion.h"
#include "reactor/timer_wheel.h"

namespace asobi {

/// One per shard, owned by the server shard; shard-affine. Hands each admitted socket to its
/// ConnectionTable with a handler from the factory.
class Listener {
 public:
  /// Builds the first protocol handler for each new connection.
  using HandlerFactory = std::function<std::unique_ptr<ConnectionHandler>(TcpConnection&)>;

  /// Default bound on the connections accepted per reactor turn.
  static constexpr int kAcceptsPerTurn = 32;

  /// Shard-affine. `table` receives the accepted connections. `accepts_per_turn`: at most
  /// this many accepts complete per reactor turn (0: unbounded multishot accept).
  Listener(ConnectionTable& table, HandlerFactory factory, int accepts_per_turn = kAcceptsPerTurn);
  ~Listener();

  /// TCP keepalive of accepted sockets: idle time before the first probe, probe interval,
  /// probes before the connection is dropped.
  static constexpr int kKeepIdleS = 60;
  static constexpr int kKeepIntervalS = 10;
  static constexpr int kKeepCount = 6;

  /// Binds `host:port` (IPv4 dotted or "0.0.0.0") with SO_REUSEPORT and starts accepting.
  /// Errors: reason "listen_failed" with the errno text.
  Status Start(const std::string& host, uint16_t port, int backlog = 4096);
  /// Stops accepting (drain): cancels the accept and closes the socket.
  void Stop();
  /// The bound port (the kernel's pick when Start() got 0), valid after Start() succeeded.
  uint16_t port() const { return port_; }

 private:
  void OnAccept(int32_t res, uint32_t flags);
  void Accepted(int fd);
  void Refuse(int fd, ConnectionLimiter::Verdict verdict);
  void Arm();

  ConnectionTable& table_;
  HandlerFactory factory_;
  int fd_ = -1;
  uint16_t port_ = 0;
  bool stopped_ = false;
  int accepts_per_turn_;
  int armed_ = 0;  // accepts in flight (the multishot one counts once)
  MemberCompletion<Listener, &Listener::OnAccept> accept_c_{this};
  MemberCompletion<Listener, &Listener::OnAccept> cancel_c_{this};
  MemberWheelTimer<Listener, &Listener::Arm> backoff_timer_{this};
  int64_t refused_since_log_ = 0;
  int64_t refused_log_ms_ = 0;
};

}  // namespace asobi
