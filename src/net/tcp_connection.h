// TcpConnection: one accepted TCP socket on one shard: multishot receive into the shard's
// buffer ring, and a bounded send queue flushed with one sendmsg per loop turn.
//
// Lifetime: a connection is released (its ConnId stops resolving, OnClosed has run) once it
// is shut down and no receive or send is in flight; it is destroyed in its own end-of-turn
// flush after that, so a flush already queued for it this turn never runs on freed memory.
//
// Timeouts (TimerWheel, 100 ms resolution, O(1) per arm/re-arm/clear): one handler-owned
// deadline (SetDeadline), and a force-close timer armed whenever closing starts (Close,
// AbortWith, peer EOF or error) and re-armed on every send progress: a peer that stops
// reading while we close is cut (RST) after Limits::close_timeout_ms without progress.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/shared_buffer.h"
#include "net/connection_limiter.h"
#include "reactor/buffer_ring.h"
#include "reactor/completion.h"
#include "reactor/reactor.h"
#include "reactor/shard.h"
#include "reactor/timer_wheel.h"

namespace asobi {

class TcpConnection;

/// Protocol logic bound to a connection (HTTP, then WebSocket after an upgrade). Called on
/// the connection's shard only.
class ConnectionHandler {
 public:
  virtual ~ConnectionHandler() = default;
  /// Bytes arrived. `data` is only valid during the call.
  virtual void OnData(TcpConnection& conn, std::string_view data) = 0;
  /// The peer closed or the socket failed; the connection is closing. No more OnData.
  virtual void OnClosed(TcpConnection& conn) = 0;
  /// The send queue passed its bound (a slow reader). The handler should call
  /// conn.AbortWith(...) (discards queued data) or conn.Close() (sends it, bounded by the
  /// close timeout); if it does neither the connection is closed with Close(). Called at
  /// most once per connection; Send() from inside it cannot recurse into it.
  virtual void OnSendOverflow(TcpConnection& conn) = 0;
  /// The deadline armed with TcpConnection::SetDeadline passed (header, body, idle, silence
  /// or linger: the handler knows which phase it armed it for). Default: close at once,
  /// discarding queued data (AbortWith({})).
  virtual void OnDeadline(TcpConnection& conn);
};

/// Shard-local handle that stays safe after the connection is gone (generation-checked).
struct ConnId {
  uint32_t index = 0;
  uint32_t gen = 0;
  bool operator==(const ConnId&) const = default;
};

class ConnectionTable;
class TcpConnectionTestPeer;

/// Owned by its ConnectionTable; shard-affine (every method on the owning shard's thread).
/// Refer to it across turns by ConnId, never by pointer.
class TcpConnection final : public TurnFlush {
 public:
  /// Largest send_queue_bytes_max: queued bytes are addressed with uint32 offsets, and one
  /// message may be appended past the bound before the overflow is noticed.
  static constexpr size_t kSendQueueBytesLimit = size_t(1) << 30;

  /// Per-connection bounds, copied from the table when the connection is added (server
  /// flags --send-queue-bytes, --close-timeout-ms).
  struct Limits {
    size_t send_queue_bytes_max = 4u << 20;  // bytes queued but not yet written (<= limit)
    int64_t close_timeout_ms = 10000;        // closing without send progress: then RST
  };

  /// `ticket`: the connection's claim on the node's ConnectionLimiter (given back when the
  /// connection is destroyed), or an empty ticket.
  TcpConnection(ConnectionTable* table, ConnId id, int fd, const sockaddr_storage& peer,
                const Limits& limits, ConnectionLimiter::Ticket ticket = {});
  ~TcpConnection() override;

  /// Identity and owning shard/reactor; shard-affine.
  ConnId id() const { return id_; }
  int fd() const { return fd_; }
  Shard& shard();
  Reactor& reactor();
  /// Peer IP address as text (IPv4 dotted or IPv6), without port.
  const std::string& peer_ip() const { return peer_ip_; }
  /// True once Close()/AbortWith()/EOF/error started closing: no more OnData, Send dropped.
  bool closing() const { return closing_; }

  /// Replaces the protocol handler (e.g. after a WebSocket upgrade). Safe to call from inside
  /// the current handler's OnData: the old handler is destroyed at the end of the turn.
  void SetHandler(std::unique_ptr<ConnectionHandler> handler);
  /// The current protocol handler (null until the listener sets the first one).
  ConnectionHandler* handler() { return handler_.get(); }

  /// Queues a copy of `bytes` (small replies). Sent at the end of this loop turn. Dropped
  /// after Close()/AbortWith() (nothing goes out after the final bytes) or a socket error.
  /// Passing the send-queue bound calls the handler's OnSendOverflow.
  void Send(std::string_view bytes);
  /// Queues a shared, pre-encoded buffer (fan-out: no copy). Same rules as above.
  void Send(SharedBuffer buf);
  /// Bytes queued or in flight to the kernel, the figure compared to send_queue_bytes_max.
  size_t queued_bytes() const { return pending_bytes_ + inflight_bytes_; }

  /// Graceful close: stops reading, sends what is queued, then closes the socket. Further
  /// Send() calls are dropped. A peer that reads nothing for close_timeout_ms is cut (RST).
  void Close();
  /// Discards queued data, queues `last_bytes` (e.g. a close frame; appended past the send
  /// queue bound if need be, and only if no Close()/AbortWith() came before) and closes
  /// after it, with the same force-close bound as Close().
  void AbortWith(std::string_view last_bytes);

  /// Half-close for a lingering close (nginx `lingering_close`): once everything queued is
  /// written, shutdown(SHUT_WR) sends a FIN; receiving goes on (OnData keeps coming, the
  /// handler discards it) until the peer closes, which then closes the connection as any EOF
  /// does. Bytes sent after this call are dropped. Closing a socket with unread input makes
  /// the kernel send an RST, which can destroy a response the peer has not read yet; this is
  /// how a handler avoids that. The handler bounds the linger with a deadline.
  void ShutdownWrite();

  /// Stops receiving (backpressure: the kernel buffer fills and TCP flow control slows the
  /// peer) until ResumeRecv. Bytes already on their way may still arrive through OnData
  /// after this call (a few receive buffers at most). An EOF or reset is noticed only after
  /// ResumeRecv. Idempotent; cheap when nothing is armed.
  void PauseRecv();
  /// Receives again after PauseRecv. Idempotent.
  void ResumeRecv();
  /// True between PauseRecv() and ResumeRecv().
  bool recv_paused() const { return recv_paused_; }

  /// Starts receiving. Called once by the table after the handler is set.
  void Start();

  /// Arms this connection's single deadline `delay_ms` (>= 0) from now (the turn's now_ms),
  /// replacing the one armed before; when it passes, handler()->OnDeadline(*this) runs on
  /// this shard. Handlers re-arm it per phase (request header, body, keep-alive idle,
  /// WebSocket inbound silence, lingering close). O(1), no allocation (a TimerWheel entry):
  /// resolution 100 ms, never early, usually at most ~100 ms late.
  void SetDeadline(int64_t delay_ms);
  /// Disarms the deadline (no-op when none is armed).
  void ClearDeadline();
  /// Monotonic ms at which the armed deadline passes, or 0 when none is armed.
  int64_t deadline_ms() const { return deadline_at_ms_; }

  /// End-of-turn work: submits the send, shuts down when closing, frees a released
  /// connection (called by the reactor only).
  void FlushTurn() override;

 private:
  friend class ConnectionTable;
  friend class TcpConnectionTestPeer;
  struct Segment {
    SharedBuffer shared;     // non-empty for shared segments
    uint32_t owned_off = 0;  // else a range of the owned byte string
    uint32_t owned_len = 0;
  };
  struct Batch {
    std::vector<Segment> segments;
    std::string owned;
    size_t first = 0;      // first segment not fully sent
    size_t first_off = 0;  // bytes of it already sent
    void Clear() {
      segments.clear();
      owned.clear();
      first = first_off = 0;
    }
  };

  void OnRecv(int32_t res, uint32_t flags);
  void OnSend(int32_t res, uint32_t flags);
  void ArmRecv();
  void SubmitSend();
  bool AppendOwned(std::string_view bytes);
  void StartClosing();
  void ArmForceClose();
  void BeginShutdown();
  void MaybeRelease();
  void CheckOverflow();
  void Overflow();
  void OnDeadlineTimer();
  void OnForceCloseTimer();

  ConnectionTable* table_;
  ConnId id_;
  int fd_;
  std::string peer_ip_;
  std::unique_ptr<ConnectionHandler> handler_;
  Limits limits_;
  MemberCompletion<TcpConnection, &TcpConnection::OnRecv> recv_c_{this};
  MemberCompletion<TcpConnection, &TcpConnection::OnSend> send_c_{this};
  bool recv_armed_ = false;
  bool recv_paused_ = false;      // PauseRecv: do not (re-)arm the receive
  bool recv_cancelling_ = false;  // a cancel of the armed receive is in flight
  bool write_shutdown_ = false;   // ShutdownWrite: FIN once the queue is written
  bool write_shut_ = false;       // shutdown(SHUT_WR) issued
  bool send_inflight_ = false;
  bool closing_ = false;      // no more reads; close once sends finish
  bool send_closed_ = false;  // Close()/AbortWith()/error: Send() appends nothing more
  bool overflowed_ = false;   // OnSendOverflow ran
  bool shut_down_ = false;    // shutdown(2) issued
  bool released_ = false;
  bool closed_notified_ = false;
  Batch pending_;
  Batch inflight_;
  size_t pending_bytes_ = 0;
  size_t inflight_bytes_ = 0;
  std::vector<iovec> iov_;
  msghdr msg_{};
  int64_t deadline_at_ms_ = 0;
  MemberWheelTimer<TcpConnection, &TcpConnection::OnDeadlineTimer> deadline_timer_{this};
  MemberWheelTimer<TcpConnection, &TcpConnection::OnForceCloseTimer> force_timer_{this};
  ConnectionLimiter::Ticket ticket_;
  size_t graveyard_index_ = 0;  // position in the table's graveyard once released
};

/// Owns a shard's connections: a slab of slots with generation counters, so callbacks that
/// hold a ConnId can look a connection up safely. Shard-affine.
class ConnectionTable {
 public:
  /// Empty table; `shard` and its receive `buffers` must outlive it. Default Limits, no limiter.
  ConnectionTable(Shard& shard, BufferRing& buffers);
  ~ConnectionTable();
  ConnectionTable(const ConnectionTable&) = delete;
  ConnectionTable& operator=(const ConnectionTable&) = delete;

  /// Creates a connection for an accepted fd (owned from now on). `ticket`: its claim on
  /// limiter() (see Listener), given back when the connection is destroyed.
  TcpConnection* Add(int fd, const sockaddr_storage& peer, ConnectionLimiter::Ticket ticket = {});
  /// Limits applied to connections added from now on (send queue bound, close timeout).
  void SetLimits(const TcpConnection::Limits& limits) { limits_ = limits; }
  /// Limits currently applied to new connections.
  const TcpConnection::Limits& limits() const { return limits_; }
  /// The node-wide connection caps this shard's listener admits against (shared by every
  /// shard's table; null = no caps). Set before accepting.
  void SetLimiter(std::shared_ptr<ConnectionLimiter> limiter) { limiter_ = std::move(limiter); }
  /// The shared caps, or null when none are set.
  ConnectionLimiter* limiter() { return limiter_.get(); }
  /// The live connection with this id, or null when it closed.
  TcpConnection* Find(ConnId id);
  /// Live connections on this shard, the owning shard, and its shared receive buffer ring.
  size_t size() const { return live_; }
  Shard& shard() { return shard_; }
  BufferRing& buffers() { return buffers_; }
  /// Calls fn(conn) for every live connection (used for drain on shutdown).
  template <typename Fn>
  void ForEach(Fn&& fn) {
    for (auto& s : slots_) {
      if (s.conn && !s.conn->closing()) fn(*s.conn);
    }
  }

  /// Released connections not destroyed yet (each goes in its own next flush; tests).
  size_t graveyard_size() const { return graveyard_.size(); }

 private:
  friend class TcpConnection;
  void Release(ConnId id);
  void Free(TcpConnection* conn);  // destroys a released connection
  struct Slot {
    std::unique_ptr<TcpConnection> conn;
    uint32_t gen = 0;
  };

  Shard& shard_;
  BufferRing& buffers_;
  // Declared first so it outlives the connections below, which give their tickets back.
  std::shared_ptr<ConnectionLimiter> limiter_;
  std::vector<std::unique_ptr<TcpConnection>> graveyard_;
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_;
  size_t live_ = 0;
  TcpConnection::Limits limits_;
};

}  // namespace asobi
