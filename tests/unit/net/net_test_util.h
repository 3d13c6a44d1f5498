// Test harness for net/: a one-shard ShardSet that is never started (the test thread stands in
// for the shard), a buffer ring and a ConnectionTable, and a peer that delivers io_uring
// completions to a connection directly, so lifetime orderings are deterministic. Sockets are
// real (socketpairs) but the connection's SQEs are never submitted.
#pragma once

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "net/tcp_connection.h"
#include "reactor/buffer_ring.h"
#include "reactor/shard.h"

namespace asobi {

/// Reaches into a TcpConnection for tests: completions and internal state.
class TcpConnectionTestPeer {
 public:
  /// Delivers a receive CQE (`res` bytes into buffer `bid` when res > 0).
  static void Recv(TcpConnection& c, int32_t res, uint32_t flags) {
    c.recv_c_.OnComplete(res, flags);
  }
  /// Delivers `bytes` as one multishot receive CQE that keeps the receive armed.
  static void RecvData(TcpConnection& c, std::string_view bytes, uint16_t bid = 0) {
    std::string_view buf = c.table_->buffers().Data(bid, uint32_t(bytes.size()));
    std::memcpy(const_cast<char*>(buf.data()), bytes.data(), bytes.size());
    Recv(c, int32_t(bytes.size()),
         IORING_CQE_F_MORE | IORING_CQE_F_BUFFER | (uint32_t(bid) << IORING_CQE_BUFFER_SHIFT));
  }
  /// Delivers a send CQE.
  static void Sent(TcpConnection& c, int32_t res) { c.send_c_.OnComplete(res, 0); }

  static bool send_inflight(const TcpConnection& c) { return c.send_inflight_; }
  static bool recv_armed(const TcpConnection& c) { return c.recv_armed_; }
  static bool shut_down(const TcpConnection& c) { return c.shut_down_; }
  static bool released(const TcpConnection& c) { return c.released_; }
  static size_t inflight_bytes(const TcpConnection& c) { return c.inflight_bytes_; }
  static size_t pending_bytes(const TcpConnection& c) { return c.pending_bytes_; }
  /// The bytes of the send in flight (what the kernel was asked to write).
  static std::string Inflight(const TcpConnection& c) { return Bytes(c, c.inflight_); }
  /// The bytes queued for the next send.
  static std::string Pending(const TcpConnection& c) { return Bytes(c, c.pending_); }

 private:
  static std::string Bytes(const TcpConnection&, const TcpConnection::Batch& b) {
    std::string out;
    for (size_t i = b.first; i < b.segments.size(); ++i) {
      const auto& s = b.segments[i];
      std::string_view part = s.shared.empty()
                                  ? std::string_view(b.owned).substr(s.owned_off, s.owned_len)
                                  : std::string_view(s.shared.data(), s.shared.size());
      if (i == b.first) part.remove_prefix(b.first_off);
      out.append(part);
    }
    return out;
  }
};

namespace nettest {

/// What a test handler saw, kept outside the handler (which dies with its connection).
struct Events {
  std::string data;
  int closed = 0;
  int overflows = 0;
  int deadlines = 0;
};

/// A ConnectionHandler whose reactions are set by the test.
class ScriptedHandler final : public ConnectionHandler {
 public:
  explicit ScriptedHandler(Events* ev) : ev_(ev) {}
  std::function<void(TcpConnection&)> on_overflow;  // default: AbortWith("BYE")
  std::function<void(TcpConnection&)> on_deadline;  // default: ConnectionHandler's
  void OnData(TcpConnection&, std::string_view data) override { ev_->data.append(data); }
  void OnClosed(TcpConnection&) override { ++ev_->closed; }
  void OnSendOverflow(TcpConnection& c) override {
    ++ev_->overflows;
    if (on_overflow) {
      on_overflow(c);
    } else {
      c.AbortWith("BYE");
    }
  }
  void OnDeadline(TcpConnection& c) override {
    ++ev_->deadlines;
    if (on_deadline) {
      on_deadline(c);
    } else {
      ConnectionHandler::OnDeadline(c);
    }
  }

 private:
  Events* ev_;
};

/// One shard (not started), its buffer ring and connection table.
class NetTest : public ::testing::Test {
 protected:
  NetTest() : set_(Options()) {
    reactor().AttachToThread();
    buffers_ = std::make_unique<BufferRing>(reactor(), 0, 16, 4096);
    table_ = std::make_unique<ConnectionTable>(set_.shard(0), *buffers_);
    now_ms_ = reactor().now_ms();
  }
  ~NetTest() override {
    table_.reset();
    buffers_.reset();
    for (int fd : peers_) ::close(fd);
  }

  static ShardSet::Options Options() {
    ShardSet::Options o;
    o.shards = 1;
    o.pin_threads = false;
    o.reactor.sq_entries = 256;
    return o;
  }

  Reactor& reactor() { return set_.shard(0).reactor(); }
  ShardMetrics& metrics() { return set_.shard(0).metrics(); }
  ConnectionTable& table() { return *table_; }

  /// A connection on one end of a socketpair (the other end is kept in peers_), with a
  /// ScriptedHandler reporting into `ev`, receive armed.
  TcpConnection* NewConn(Events* ev, ScriptedHandler** handler = nullptr,
                         ConnectionLimiter::Ticket ticket = {}) {
    int sv[2];
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    peers_.push_back(sv[1]);
    sockaddr_storage peer{};
    auto* in = reinterpret_cast<sockaddr_in*>(&peer);
    in->sin_family = AF_INET;
    in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    TcpConnection* c = table_->Add(sv[0], peer, ticket);
    auto h = std::make_unique<ScriptedHandler>(ev);
    if (handler) *handler = h.get();
    c->SetHandler(std::move(h));
    c->Start();
    return c;
  }

  /// Runs one turn's work `advance_ms` after the previous one.
  void Turn(int64_t advance_ms = 0) {
    now_ms_ += advance_ms;
    reactor().RunTurnAt(now_ms_);
  }
  int64_t now() const { return now_ms_; }

  ShardSet set_;
  std::unique_ptr<BufferRing> buffers_;
  std::unique_ptr<ConnectionTable> table_;
  std::vector<int> peers_;
  int64_t now_ms_ = 0;
};

}  // namespace nettest
}  // namespace asobi
