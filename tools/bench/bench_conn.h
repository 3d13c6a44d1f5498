// BenchConn: one client WebSocket of the load generator, on one worker's reactor. It
// connects, upgrades (RFC 6455 §4.1), optionally authenticates (websocket.md §2.2), then
// sends masked requests with a unique cid each and matches replies by cid. Receives use a
// multishot recv into the worker's buffer ring; everything queued during a loop turn goes
// out in one send at the end of the turn (TurnFlush), like the server's TcpConnection.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "reactor/completion.h"
#include "reactor/reactor.h"
#include "ws_client_frame.h"

namespace asobi::bench {

class Worker;

/// Owned by its Worker for the worker's whole life (raw pointers to it stay valid); used on
/// the worker's thread only. Bounded: at most `inflight_slots` outstanding requests (the cid
/// ring), kPendingBytesMax queued output, kFrameBytesMax per inbound frame/message.
class BenchConn final : public TurnFlush {
 public:
  enum class State : uint8_t {
    kIdle,            // not started
    kConnecting,      // TCP connect in flight
    kUpgrading,       // HTTP upgrade sent, waiting for 101
    kAuthenticating,  // session.connect (or, without a token, one heartbeat) sent
    kReady,           // sending load
    kClosing,         // our close frame sent, waiting for the server's
    kDone,            // failed or closed; no more traffic
  };
  static constexpr size_t kPendingBytesMax = 1 << 20;
  static constexpr uint64_t kFrameBytesMax = 1 << 20;
  static constexpr size_t kHeaderBytesMax = 16 << 10;

  /// `token` (may be null: unauthenticated) must outlive the connection.
  BenchConn(Worker* worker, uint32_t index, const std::string* token);
  ~BenchConn() override;
  BenchConn(const BenchConn&) = delete;
  BenchConn& operator=(const BenchConn&) = delete;

  /// Creates the socket and submits the connect. Settles the worker's count exactly once
  /// (ready or failed) from here on.
  void Start();
  /// Queues as many requests as the mode allows now; `now_ns` is CLOCK_MONOTONIC.
  void Pump(int64_t now_ns);
  /// Open mode: this connection's position in the worker's schedule (slot `j`).
  void SetScheduleSlot(uint32_t j) { sched_slot_ = j; }
  /// Open mode: one more message of this connection is due.
  void AddDue() { ++due_; }
  /// Blast mode: arms `count` requests.
  void SetBlastCount(uint64_t count) { blast_left_ = count; }
  /// Starts the close handshake on a ready connection; shuts other ones down.
  void BeginClose();
  /// Shuts the socket down now (deadline); an unsettled connection counts as a timeout.
  void ForceShutdown();

  State state() const { return state_; }
  bool settled() const { return settled_; }
  bool released() const { return released_; }
  /// No request outstanding and nothing more due (or the connection is gone).
  bool Idle() const;

  void FlushTurn() override;

 private:
  struct Slot {
    int64_t sched_ns = 0;
    uint64_t cid = 0;
    bool used = false;
    bool in_window = false;
  };
  enum class Fail { kConnect, kUpgrade, kAuth, kClosed, kTimeout };

  void OnConnect(int32_t res, uint32_t flags);
  void OnRecv(int32_t res, uint32_t flags);
  void OnSend(int32_t res, uint32_t flags);
  void ArmRecv();
  void SubmitSend();
  void OnBytes(std::string_view data, int64_t now_ns);
  bool ConsumeUpgrade(std::string_view data, std::string* rest);
  bool AcceptMatches(std::string_view head) const;
  void AfterUpgrade();
  void ParseInput(std::string_view data, int64_t now_ns);
  size_t ParseFrames(std::string_view data, int64_t now_ns);
  void OnFrame(const ServerFrame& f, int64_t now_ns);
  void OnText(std::string_view json, int64_t now_ns);
  void OnServerClose(std::string_view payload);
  void OnPeerGone();
  bool CanQueue() const;
  void Queue(int64_t sched_ns, int64_t now_ns);
  void Retire(uint64_t cid, int64_t now_ns, bool is_error);
  void RetireOldest(int64_t now_ns);
  void AdvanceOldest();
  void Settle(bool ok, Fail why);
  void ProtocolFailure();
  void Shutdown();
  void MaybeRelease();
  uint32_t NextMask();
  void RequestFlush() { reactor_.RequestFlush(this); }

  Worker* worker_;
  Reactor& reactor_;
  uint32_t index_;
  const std::string* token_;
  int fd_ = -1;
  State state_ = State::kIdle;
  bool settled_ = false;
  bool connect_inflight_ = false;
  bool recv_armed_ = false;
  bool send_inflight_ = false;
  bool shut_down_ = false;
  bool shutdown_after_flush_ = false;
  bool close_sent_ = false;
  bool released_ = false;
  bool fragmenting_ = false;
  uint8_t frag_opcode_ = 0;
  uint32_t mask_state_;
  std::string ws_key_;
  std::string hdr_;      // HTTP response bytes until the blank line
  std::string in_;       // partial frame carried over between receives
  std::string frag_;     // fragmented message being reassembled
  std::string pending_;  // output queued this turn
  std::string out_;      // output being sent
  size_t out_off_ = 0;
  std::vector<Slot> slots_;  // cid ring: slot = cid & mask_
  uint64_t mask_ = 0;
  uint64_t next_cid_ = 1;
  uint64_t oldest_cid_ = 1;  // no outstanding cid below this
  uint32_t inflight_ = 0;
  uint32_t sched_slot_ = 0;
  uint64_t due_ = 0;     // open: messages due so far
  uint64_t next_k_ = 0;  // open: messages queued so far
  uint64_t blast_left_ = 0;
  MemberCompletion<BenchConn, &BenchConn::OnConnect> connect_c_{this};
  MemberCompletion<BenchConn, &BenchConn::OnRecv> recv_c_{this};
  MemberCompletion<BenchConn, &BenchConn::OnSend> send_c_{this};
};

}  // namespace asobi::bench
