// Client: one WebSocket connection as game code sees it (websocket.md §2). Implemented by the
// server's WebSocket connection handler; game handlers never see sockets.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/shared_buffer.h"

namespace asobi {

/// Where a client lives: its shard and its shard-local connection handle. Copyable; safe to
/// hold after the connection is gone (sending to a stale ref is a no-op on the owner shard).
struct ClientRef {
  int shard = -1;
  uint32_t index = 0;
  uint32_t gen = 0;
  bool operator==(const ClientRef&) const = default;
};

/// Shard-affine: every method runs on the client's own shard.
class Client {
 public:
  virtual ~Client() = default;

  /// Sends one JSON text frame (`json` is the whole envelope). Copies the bytes.
  virtual void SendFrame(std::string_view json) = 0;
  /// Sends a pre-encoded WebSocket frame (from EncodeTextFrameShared) without copying; used to
  /// fan one encoded state frame out to many clients.
  virtual void SendEncoded(const SharedBuffer& ws_frame) = 0;
  /// Sends an `error` frame (websocket.md §4.1) for `reason`, echoing `cid_json` if non-null.
  virtual void SendError(std::string_view reason, const std::string* cid_json,
                         std::string_view extra_type = {}, std::string_view details_json = {}) = 0;
  /// Sends a close frame with `code` and `reason`, then closes the socket.
  virtual void Close(uint16_t code, std::string_view reason) = 0;

  /// This client's shard + generation-checked handle, to address it from other shards/later.
  virtual ClientRef ref() const = 0;
  /// Peer IP address (for per-IP limits and logs).
  virtual const std::string& peer_ip() const = 0;

  /// The authenticated player, empty before a successful session.connect.
  const std::string& player_id() const { return player_id_; }
  /// True once player_id() is set (session.connect succeeded; websocket.md §2.2).
  bool authenticated() const { return !player_id_.empty(); }
  /// True when the client negotiated the binary world.tick wire (websocket.md §11).
  bool binary_wire() const { return binary_wire_; }

  /// Binds the socket to `player_id` (session.connect success; a second call replaces the
  /// session, DECISIONS.md wire 3). Cancels the idle-auth timer.
  virtual void BindPlayer(std::string player_id, bool binary_wire) = 0;

 protected:
  std::string player_id_;
  bool binary_wire_ = false;
};

}  // namespace asobi
