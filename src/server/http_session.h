// HttpSession: the HTTP/1.1 side of a connection: parses requests (keep-alive, pipelining),
// routes them through HttpApi, answers OPTIONS/CORS, and hands `GET /ws` upgrades to a
// WsSession (rest.md §1, §4; websocket.md §2.1). One request is in flight at a time; later
// pipelined requests wait in the input buffer, so responses keep request order.
//
// Every phase of a connection has a deadline (docs/decisions.md "Connection limits and
// timeouts"): idle (no request in progress: closed quietly), header and body (408
// `request_timeout`), the route handler (503 `not_ready`, the connection stays usable and the
// late answer is dropped) and the lingering close after a response that ends the connection.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "http/http_parser.h"
#include "net/tcp_connection.h"
#include "server/server_shard.h"
#include "server/session_deadline.h"

namespace asobi {

/// Owned by its TcpConnection (as the handler); shard-affine. Replaced by a WsSession on upgrade.
class HttpSession final : public ConnectionHandler {
 public:
  /// What the connection is doing, which decides its deadline.
  enum class Phase : uint8_t {
    kIdle,    ///< no request bytes buffered (new connection or between requests)
    kHeader,  ///< a request's line and headers are arriving
    kBody,    ///< its body is arriving
    kBusy,    ///< a route handler works on it; later input waits (and pauses reading)
    kLinger,  ///< answered and half-closed: input is discarded until EOF or the deadline
    kDone,    ///< closed, or handed to a WsSession
  };

  /// Pipelined input buffered while a handler works above which the session stops reading
  /// from the socket (TcpConnection::PauseRecv) until the handler has answered.
  static constexpr size_t kPauseBytes = 64 * 1024;

  /// Binds to `conn` (accepted on `shard`, whose thread runs every call) and arms the idle
  /// deadline.
  HttpSession(ServerShard& shard, TcpConnection& conn);
  ~HttpSession() override;

  /// ConnectionHandler: input, peer close, slow reader (closes), and the phase deadline (see the
  /// header comment for what each phase's expiry answers).
  void OnData(TcpConnection& conn, std::string_view data) override;
  void OnClosed(TcpConnection& conn) override;
  void OnSendOverflow(TcpConnection& conn) override;
  void OnDeadline(TcpConnection& conn) override;

  /// Current phase (tests).
  Phase phase() const { return phase_; }
  /// Input bytes received and not yet consumed by a request.
  size_t buffered_bytes() const { return in_.size() - in_off_; }
  /// Slack above kPauseBytes for bytes the kernel had already delivered when reading paused
  /// (completions of one loop turn: at most about one socket receive buffer).
  static constexpr size_t kPauseSlackBytes = 4u << 20;

  /// Bound on buffered input while a handler works: one largest request plus kPauseBytes and
  /// kPauseSlackBytes. Reading pauses long before; if the bound is passed anyway the
  /// connection is closed without an answer.
  size_t buffered_bytes_max() const;

 private:
  void Process();
  bool ParseNext();
  void Dispatch(http::HttpRequest& req);
  void StartCall(const HttpApi& api, bool head);
  void Upgrade(http::HttpRequest& req);
  /// The request's client address: the TCP peer, or what a trusted proxy forwarded
  /// (net/trusted_proxies.h).
  std::string ClientIp(const http::HttpRequest& req) const;
  void Finish(const http::HttpResponse& resp, bool keep_alive, bool head);
  void EnterPhase(Phase phase);
  void Linger();
  void TimeOutRequest();
  void UpdateReadPause();
  void Compact();

  // The request being handled: kept alive (with its route match and call object) until the
  // handler responds, which may be after database round trips.
  struct InFlight {
    http::HttpRequest request;
    http::RouteMatch match;
    std::string peer_ip;
    std::unique_ptr<HttpCall> call;
  };
  void Respond(uint64_t seq, http::HttpResponse resp);
  void OrphanInFlight();

  ServerShard& shard_;
  TcpConnection& conn_;
  std::unique_ptr<InFlight> inflight_;
  Phase phase_ = Phase::kIdle;
  SessionDeadline deadline_;
  bool keep_alive_ = true;
  bool head_ = false;
  bool in_process_ = false;     // inside Process(): a synchronous answer continues the loop
  bool continue_sent_ = false;  // `100 Continue` already sent for the request arriving now
  std::string in_;
  size_t in_off_ = 0;
  size_t need_bytes_ = 0;  // bytes the arriving request needs once its head is parsed
  http::ParseCursor cursor_;
  uint64_t request_seq_ = 0;
  http::HttpLimits limits_;
};

}  // namespace asobi
