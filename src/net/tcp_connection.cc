#include "net/tcp_connection.h"

#include <arpa/inet.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

#include "base/check.h"
#include "base/log.h"

namespace asobi {
namespace {

constexpr size_t kMaxIov = 256;
// Owned bytes are addressed with uint32 offsets (Segment): never let the string grow past.
constexpr size_t kOwnedBytesMax = UINT32_MAX;

std::string PeerIp(const sockaddr_storage& ss) {
  char buf[INET6_ADDRSTRLEN] = {0};
  if (ss.ss_family == AF_INET) {
    auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &a->sin_addr, buf, sizeof buf);
  } else if (ss.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof buf);
  }
  return buf;
}

}  // namespace

TcpConnection::TcpConnection(ConnectionTable* table, ConnId id, int fd,
                             const sockaddr_storage& peer, const Limits& limits,
                             ConnectionLimiter::Ticket ticket)
    : table_(table), id_(id), fd_(fd), peer_ip_(PeerIp(peer)), limits_(limits), ticket_(ticket) {}

TcpConnection::~TcpConnection() {
  if (fd_ >= 0) ::close(fd_);
  if (ticket_.held && table_->limiter() != nullptr) table_->limiter()->Release(&ticket_);
}

void ConnectionHandler::OnDeadline(TcpConnection& conn) { conn.AbortWith({}); }

void TcpConnection::SetDeadline(int64_t delay_ms) {
  if (released_) return;
  if (delay_ms < 0) delay_ms = 0;
  deadline_at_ms_ = reactor().now_ms() + delay_ms;
  reactor().wheel().Arm(&deadline_timer_, deadline_at_ms_);
}

void TcpConnection::ClearDeadline() {
  deadline_timer_.Cancel();
  deadline_at_ms_ = 0;
}

void TcpConnection::OnDeadlineTimer() {
  deadline_at_ms_ = 0;
  if (released_ || !handler_) return;
  handler_->OnDeadline(*this);
}

void TcpConnection::ArmForceClose() {
  reactor().wheel().Arm(&force_timer_, reactor().now_ms() + limits_.close_timeout_ms);
}

void TcpConnection::OnForceCloseTimer() {
  if (released_) return;
  // The peer read nothing for close_timeout_ms while we closed: drop what is left and
  // reset (SO_LINGER 0: close() sends RST and frees the kernel's send buffer at once).
  shard().metrics().force_closes.fetch_add(1, std::memory_order_relaxed);
  pending_.Clear();
  pending_bytes_ = 0;
  send_closed_ = true;
  linger lg{1, 0};
  setsockopt(fd_, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  shut_down_ = false;  // issue shutdown(2) again: it completes a receive and a stuck send
  BeginShutdown();
  // Belt and braces: cancel what is still in flight (its CQE then completes the release).
  if (send_inflight_) io_uring_prep_cancel(reactor().GetSqe(nullptr), &send_c_, 0);
  if (recv_armed_) io_uring_prep_cancel(reactor().GetSqe(nullptr), &recv_c_, 0);
  ArmForceClose();  // keep trying if the kernel still holds an operation
  MaybeRelease();
}

Shard& TcpConnection::shard() { return table_->shard(); }
Reactor& TcpConnection::reactor() { return table_->shard().reactor(); }

void TcpConnection::SetHandler(std::unique_ptr<ConnectionHandler> handler) {
  if (handler_) {
    // The old handler may be on the stack (OnData): destroy it at the next turn.
    reactor().Post([old = std::move(handler_)]() mutable { old.reset(); });
  }
  handler_ = std::move(handler);
}

void TcpConnection::Start() { ArmRecv(); }

void TcpConnection::ArmRecv() {
  if (closing_ || recv_armed_ || recv_paused_) return;
  io_uring_sqe* sqe = reactor().GetSqe(&recv_c_);
  io_uring_prep_recv_multishot(sqe, fd_, nullptr, 0, 0);
  sqe->flags |= IOSQE_BUFFER_SELECT;
  sqe->buf_group = table_->buffers().group_id();
  recv_armed_ = true;
}

void TcpConnection::OnRecv(int32_t res, uint32_t flags) {
  bool more = flags & IORING_CQE_F_MORE;
  if (!more) recv_armed_ = false;
  if (!more && recv_cancelling_) {
    recv_cancelling_ = false;
    if (res == -ECANCELED) {  // PauseRecv's cancel: not an error; re-arm if resumed meanwhile
      if (!closing_) ArmRecv();
      MaybeRelease();
      return;
    }
  }
  if (res > 0 && (flags & IORING_CQE_F_BUFFER)) {
    uint16_t bid = uint16_t(flags >> IORING_CQE_BUFFER_SHIFT);
    if (!closing_) {
      ShardMetrics& m = shard().metrics();
      m.bytes_in.fetch_add(uint64_t(res), std::memory_order_relaxed);
      handler_->OnData(*this, table_->buffers().Data(bid, uint32_t(res)));
    }
    table_->buffers().Recycle(bid);
    if (!more && !closing_) ArmRecv();
  } else if (res == -ENOBUFS) {
    // Buffer ring exhausted: retry next turn, after buffers were recycled.
    if (!more && !closing_) {
      ConnId id = id_;
      ConnectionTable* t = table_;
      reactor().Post([t, id] {
        if (TcpConnection* c = t->Find(id)) c->ArmRecv();
      });
    }
  } else if (res == 0 || res < 0) {
    if (res < 0 && res != -ECANCELED && res != -ECONNRESET && res != -EPIPE) {
      LOG_DEBUG("recv failed").KV("error", int64_t(-res));
    }
    // EOF or error: nothing more will be read; drop unsent data only on error (the peer is
    // gone: nothing can be delivered any more).
    if (res < 0) {
      pending_.Clear();
      pending_bytes_ = 0;
      send_closed_ = true;
    }
    StartClosing();
  }
  MaybeRelease();
}

bool TcpConnection::AppendOwned(std::string_view bytes) {
  if (bytes.size() > kOwnedBytesMax - pending_.owned.size()) return false;
  Segment seg;
  seg.owned_off = uint32_t(pending_.owned.size());
  seg.owned_len = uint32_t(bytes.size());
  pending_.owned.append(bytes);
  // Merge with a directly preceding owned segment.
  if (!pending_.segments.empty() && pending_.segments.back().shared.empty()) {
    pending_.segments.back().owned_len += seg.owned_len;
  } else {
    pending_.segments.push_back(std::move(seg));
  }
  pending_bytes_ += bytes.size();
  return true;
}

void TcpConnection::Send(std::string_view bytes) {
  if (send_closed_ || shut_down_ || write_shutdown_ || bytes.empty()) return;
  if (!AppendOwned(bytes)) {  // would not be addressable: past any sane bound anyway
    Overflow();
    return;
  }
  reactor().RequestFlush(this);
  CheckOverflow();
}

void TcpConnection::Send(SharedBuffer buf) {
  if (send_closed_ || shut_down_ || write_shutdown_ || buf.empty()) return;
  pending_bytes_ += buf.size();
  Segment seg;
  seg.shared = std::move(buf);
  pending_.segments.push_back(std::move(seg));
  reactor().RequestFlush(this);
  CheckOverflow();
}

void TcpConnection::CheckOverflow() {
  if (queued_bytes() > limits_.send_queue_bytes_max) Overflow();
}

void TcpConnection::Overflow() {
  // Once per connection: a handler that sends from OnSendOverflow, or an AbortWith whose
  // final bytes land past the bound, must not come back here (issue 10 defect 2).
  if (overflowed_ || send_closed_) return;
  overflowed_ = true;
  shard().metrics().send_overflow_closes.fetch_add(1, std::memory_order_relaxed);
  if (handler_) handler_->OnSendOverflow(*this);
  if (!send_closed_) Close();
}

void TcpConnection::StartClosing() {
  if (!force_timer_.armed() && !released_) ArmForceClose();
  closing_ = true;
  reactor().RequestFlush(this);
}

void TcpConnection::Close() {
  if (send_closed_ && closing_) return;
  send_closed_ = true;
  StartClosing();
}

void TcpConnection::AbortWith(std::string_view last_bytes) {
  if (shut_down_) return;
  pending_.Clear();
  pending_bytes_ = 0;
  // The first final bytes win: after Close() or an earlier AbortWith nothing is appended.
  // The bound is not checked here: the final bytes are small and bounded (a close frame).
  if (!send_closed_ && !last_bytes.empty()) AppendOwned(last_bytes);
  send_closed_ = true;
  StartClosing();
}

void TcpConnection::ShutdownWrite() {
  if (closing_ || write_shutdown_) return;
  write_shutdown_ = true;
  reactor().RequestFlush(this);
}

void TcpConnection::PauseRecv() {
  if (recv_paused_) return;
  recv_paused_ = true;
  if (!recv_armed_ || recv_cancelling_ || closing_) return;
  // The cancel has no completion of its own (user_data 0 is ignored by the reactor); the
  // receive ends with -ECANCELED, or with data/EOF when it won the race.
  io_uring_sqe* sqe = reactor().GetSqe();
  io_uring_prep_cancel(sqe, static_cast<Completion*>(&recv_c_), 0);
  io_uring_sqe_set_data(sqe, nullptr);
  recv_cancelling_ = true;
}

void TcpConnection::ResumeRecv() {
  if (!recv_paused_) return;
  recv_paused_ = false;
  ArmRecv();  // no-op while the cancelled receive is still armed: OnRecv re-arms it
}

void TcpConnection::FlushTurn() {
  if (released_) {
    // Queued by Release(): every flush of this turn that could touch us has run or been
    // coalesced into this one, so this is the one place a connection is destroyed.
    table_->Free(this);
    return;
  }
  if (!send_inflight_ && !pending_.segments.empty()) {
    std::swap(pending_, inflight_);
    pending_.Clear();
    inflight_bytes_ = pending_bytes_;
    pending_bytes_ = 0;
    SubmitSend();
  }
  if (write_shutdown_ && !write_shut_ && !send_inflight_ && !shut_down_) {
    write_shut_ = true;
    ::shutdown(fd_, SHUT_WR);
  }
  if (closing_ && !send_inflight_) BeginShutdown();
  MaybeRelease();
}

void TcpConnection::SubmitSend() {
  iov_.clear();
  for (size_t i = inflight_.first; i < inflight_.segments.size() && iov_.size() < kMaxIov; ++i) {
    const Segment& s = inflight_.segments[i];
    const char* p;
    size_t n;
    if (!s.shared.empty()) {
      p = s.shared.data();
      n = s.shared.size();
    } else {
      p = inflight_.owned.data() + s.owned_off;
      n = s.owned_len;
    }
    if (i == inflight_.first) {
      p += inflight_.first_off;
      n -= inflight_.first_off;
    }
    iov_.push_back(iovec{const_cast<char*>(p), n});
  }
  io_uring_sqe* sqe = reactor().GetSqe(&send_c_);
  if (iov_.size() == 1) {
    // The common case (header and JSON merged into one owned segment): a plain send skips
    // the kernel's iovec import.
    io_uring_prep_send(sqe, fd_, iov_[0].iov_base, iov_[0].iov_len, MSG_NOSIGNAL);
  } else {
    msg_ = msghdr{};
    msg_.msg_iov = iov_.data();
    msg_.msg_iovlen = iov_.size();
    io_uring_prep_sendmsg(sqe, fd_, &msg_, MSG_NOSIGNAL);
  }
  send_inflight_ = true;
}

void TcpConnection::OnSend(int32_t res, uint32_t) {
  send_inflight_ = false;
  if (res < 0) {
    inflight_.Clear();
    inflight_bytes_ = 0;
    pending_.Clear();
    pending_bytes_ = 0;
    send_closed_ = true;
    StartClosing();
    BeginShutdown();
    MaybeRelease();
    return;
  }
  if (closing_ && res > 0 && !released_) ArmForceClose();  // progress: the peer reads
  ShardMetrics& m = shard().metrics();
  m.bytes_out.fetch_add(uint64_t(res), std::memory_order_relaxed);
  size_t left = size_t(res);
  inflight_bytes_ -= left;
  while (left > 0 && inflight_.first < inflight_.segments.size()) {
    const Segment& s = inflight_.segments[inflight_.first];
    size_t seg_len = s.shared.empty() ? s.owned_len : s.shared.size();
    size_t rest = seg_len - inflight_.first_off;
    if (left >= rest) {
      left -= rest;
      inflight_.first++;
      inflight_.first_off = 0;
    } else {
      inflight_.first_off += left;
      left = 0;
    }
  }
  if (inflight_.first < inflight_.segments.size()) {
    SubmitSend();
  } else {
    inflight_.Clear();
    inflight_bytes_ = 0;
    if (!pending_.segments.empty() || closing_ || write_shutdown_) reactor().RequestFlush(this);
  }
  MaybeRelease();
}

void TcpConnection::BeginShutdown() {
  if (shut_down_) return;
  closing_ = true;
  shut_down_ = true;
  ::shutdown(fd_, SHUT_RDWR);  // completes the armed receive (and any stuck send)
}

void TcpConnection::MaybeRelease() {
  if (released_ || !shut_down_ || recv_armed_ || send_inflight_) return;
  released_ = true;
  deadline_timer_.Cancel();
  force_timer_.Cancel();
  deadline_at_ms_ = 0;
  if (!closed_notified_ && handler_) {
    closed_notified_ = true;
    handler_->OnClosed(*this);
  }
  table_->Release(id_);
}

ConnectionTable::ConnectionTable(Shard& shard, BufferRing& buffers)
    : shard_(shard), buffers_(buffers) {}

ConnectionTable::~ConnectionTable() {
  // Connections first (they give their limiter tickets back), while limiter_ is alive.
  graveyard_.clear();
  slots_.clear();
}

TcpConnection* ConnectionTable::Add(int fd, const sockaddr_storage& peer,
                                    ConnectionLimiter::Ticket ticket) {
  uint32_t index;
  if (!free_.empty()) {
    index = free_.back();
    free_.pop_back();
  } else {
    index = uint32_t(slots_.size());
    slots_.emplace_back();
  }
  Slot& s = slots_[index];
  s.conn = std::make_unique<TcpConnection>(this, ConnId{index, s.gen}, fd, peer, limits_, ticket);
  ++live_;
  shard_.metrics().connections.fetch_add(1, std::memory_order_relaxed);
  return s.conn.get();
}

TcpConnection* ConnectionTable::Find(ConnId id) {
  if (id.index >= slots_.size()) return nullptr;
  Slot& s = slots_[id.index];
  if (s.gen != id.gen || !s.conn || s.conn->released_) return nullptr;
  return s.conn.get();
}

void ConnectionTable::Release(ConnId id) {
  Slot& s = slots_[id.index];
  CHECK(s.gen == id.gen && s.conn);
  TcpConnection* conn = s.conn.get();
  conn->graveyard_index_ = graveyard_.size();
  graveyard_.push_back(std::move(s.conn));
  // Destroyed in its own flush (TcpConnection::FlushTurn): never by another object's flush,
  // which could run before a flush already queued for this connection (issue 10 defect 1).
  shard_.reactor().RequestFlush(conn);
  s.gen++;
  free_.push_back(id.index);
  --live_;
  shard_.metrics().connections.fetch_sub(1, std::memory_order_relaxed);
}

void ConnectionTable::Free(TcpConnection* conn) {
  size_t i = conn->graveyard_index_;
  CHECK(i < graveyard_.size() && graveyard_[i].get() == conn);
  if (i + 1 != graveyard_.size()) {
    std::swap(graveyard_[i], graveyard_.back());
    graveyard_[i]->graveyard_index_ = i;
  }
  graveyard_.pop_back();  // destroys conn
}

}  // namespace asobi
