// Listener: a shard's own SO_REUSEPORT listening socket with a multishot accept.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/result.h"
#include "net/tcp_connection.h"
#include "reactor/completion.h"

namespace asobi {

class Listener {
 public:
  /// Builds the first protocol handler for each new connection.
  using HandlerFactory = std::function<std::unique_ptr<ConnectionHandler>(TcpConnection&)>;

  /// Shard-affine. `table` receives the accepted connections.
  Listener(ConnectionTable& table, HandlerFactory factory);
  ~Listener();

  /// Binds `host:port` (IPv4 dotted or "0.0.0.0") with SO_REUSEPORT and starts accepting.
  /// Errors: reason "listen_failed" with the errno text.
  Status Start(const std::string& host, uint16_t port, int backlog = 4096);
  /// Stops accepting (drain): cancels the accept and closes the socket.
  void Stop();
  uint16_t port() const { return port_; }

 private:
  void OnAccept(int32_t res, uint32_t flags);
  void Arm();

  ConnectionTable& table_;
  HandlerFactory factory_;
  int fd_ = -1;
  uint16_t port_ = 0;
  bool stopped_ = false;
  bool armed_ = false;
  MemberCompletion<Listener, &Listener::OnAccept> accept_c_{this};
  MemberCompletion<Listener, &Listener::OnAccept> cancel_c_{this};
};

}  // namespace asobi
