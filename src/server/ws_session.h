// WsSession: one WebSocket connection after the upgrade (websocket.md §1–§3). Runs the
// inbound pipeline in spec order (size → rate limit → binary → JSON → envelope → dispatch),
// enforces the idle-auth timer and, once authenticated, the inbound-silence deadline
// (§2.3), and is the `Client` game handlers talk to.
#pragma once

#include <memory>
#include <string>

#include "game/client.h"
#include "net/tcp_connection.h"
#include "server/server_shard.h"
#include "server/session_deadline.h"
#include "ws/rate_limit.h"
#include "ws/ws_codec.h"

namespace asobi {

/// Replaces the HttpSession as the connection's handler after the 101; owned by the
/// TcpConnection, shard-affine.
class WsSession final : public ConnectionHandler, public Client, public WsCodec::Listener {
 public:
  /// `reject_reason`: non-empty when the upgrade was refused after the 101 (rate_limited,
  /// origin_rejected): the session closes at once with 1008 and that reason (§2.1).
  /// `client_ip`: the upgrade request's client address (the TCP peer, or the address a
  /// trusted proxy forwarded: net/trusted_proxies.h).
  WsSession(ServerShard& shard, TcpConnection& conn, std::string_view reject_reason,
            std::string client_ip);
  ~WsSession() override;

  // ConnectionHandler
  void OnData(TcpConnection& conn, std::string_view data) override;
  void OnClosed(TcpConnection& conn) override;
  void OnSendOverflow(TcpConnection& conn) override;
  /// Before authentication: close 1008 `idle_auth_timeout` (§2.1 step 3, counted from the
  /// upgrade). After: --ws-idle-timeout-ms without any inbound byte closes with 1000 and an
  /// empty reason (§2.4 "transport idle timeout").
  void OnDeadline(TcpConnection& conn) override;

  // Client
  void SendFrame(std::string_view json) override;
  void SendEncoded(const SharedBuffer& ws_frame) override;
  void SendError(std::string_view reason, const std::string* cid_json, std::string_view extra_type,
                 std::string_view details_json) override;
  void Close(uint16_t code, std::string_view reason) override;
  ClientRef ref() const override;
  const std::string& peer_ip() const override { return client_ip_; }
  void BindPlayer(std::string player_id, bool binary_wire) override;

  // WsCodec::Listener
  void OnText(std::string_view msg) override;
  void OnBinary(size_t size_bytes) override;
  void OnTooLarge(size_t size_bytes) override;
  void OnClose(uint16_t code, std::string_view reason) override;
  void OnProtocolError() override;
  void OnOutput(std::string_view bytes) override;

 private:
  bool RateAllowed();

  ServerShard& shard_;
  TcpConnection& conn_;
  std::string client_ip_;
  WsCodec codec_;
  FixedWindowLimiter rate_;
  SessionDeadline deadline_;  // idle-auth, then inbound silence
  int denied_in_row_ = 0;     // rate-limited messages since the last one let through
  bool closing_ = false;
  std::string scratch_;
};

}  // namespace asobi
