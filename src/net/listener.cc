#include "net/listener.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/log.h"

namespace asobi {

Listener::Listener(ConnectionTable& table, HandlerFactory factory, int accepts_per_turn)
    : table_(table), factory_(std::move(factory)), accepts_per_turn_(accepts_per_turn) {}

Listener::~Listener() {
  if (fd_ >= 0) ::close(fd_);
}

Status Listener::Start(const std::string& host, uint16_t port, int backlog) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return MakeError("listen_failed", std::strerror(errno));
  int one = 1;
  setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  setsockopt(fd_, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  // Inherited by every accepted socket (Linux copies these at accept): no syscalls per accept.
  setsockopt(fd_, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
  setsockopt(fd_, IPPROTO_TCP, TCP_KEEPIDLE, &kKeepIdleS, sizeof kKeepIdleS);
  setsockopt(fd_, IPPROTO_TCP, TCP_KEEPINTVL, &kKeepIntervalS, sizeof kKeepIntervalS);
  setsockopt(fd_, IPPROTO_TCP, TCP_KEEPCNT, &kKeepCount, sizeof kKeepCount);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    return MakeError("listen_failed", "bad listen address " + host);
  }
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    return MakeError("listen_failed", std::string("bind: ") + std::strerror(errno));
  }
  if (::listen(fd_, backlog) != 0) {
    return MakeError("listen_failed", std::string("listen: ") + std::strerror(errno));
  }
  socklen_t len = sizeof addr;
  getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  Arm();
  return Ok{};
}

void Listener::Arm() {
  if (stopped_) return;
  backoff_timer_.Cancel();
  Reactor& r = table_.shard().reactor();
  if (accepts_per_turn_ <= 0) {
    if (armed_ > 0) return;
    io_uring_prep_multishot_accept(r.GetSqe(&accept_c_), fd_, nullptr, nullptr, SOCK_CLOEXEC);
    armed_ = 1;
    return;
  }
  // Single-shot accepts go out with the next submission (the end of this turn): one that
  // completes now is re-armed for the next turn, so a turn never handles more than
  // accepts_per_turn_ of them.
  for (; armed_ < accepts_per_turn_; ++armed_) {
    io_uring_prep_accept(r.GetSqe(&accept_c_), fd_, nullptr, nullptr, SOCK_CLOEXEC);
  }
}

void Listener::OnAccept(int32_t res, uint32_t flags) {
  if (accepts_per_turn_ > 0 || !(flags & IORING_CQE_F_MORE)) --armed_;
  if (res >= 0) {
    if (stopped_) {
      ::close(res);
    } else {
      Accepted(res);
    }
  } else if (res != -ECANCELED && !stopped_) {
    LOG_WARN("accept failed").KV("error", std::strerror(-res));
    if (res == -EMFILE || res == -ENFILE || res == -ENOMEM) {
      // Out of descriptors: pause for a wheel tick instead of spinning, then accept again.
      if (!backoff_timer_.armed()) {
        Reactor& r = table_.shard().reactor();
        r.wheel().Arm(&backoff_timer_, r.now_ms() + TimerWheel::kTickMs);
      }
      return;
    }
  }
  if (!stopped_ && !backoff_timer_.armed()) Arm();
}

void Listener::Accepted(int fd) {
  sockaddr_storage peer{};
  socklen_t len = sizeof peer;
  getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len);
  ConnectionLimiter::Ticket ticket;
  if (ConnectionLimiter* limiter = table_.limiter()) {
    ConnectionLimiter::Verdict v = limiter->TryAdmit(peer, &ticket);
    if (v != ConnectionLimiter::Verdict::kAdmitted) {
      Refuse(fd, v);
      return;
    }
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  TcpConnection* conn = table_.Add(fd, peer, ticket);
  conn->SetHandler(factory_(*conn));
  conn->Start();
}

void Listener::Refuse(int fd, ConnectionLimiter::Verdict verdict) {
  ShardMetrics& m = table_.shard().metrics();
  bool per_ip = verdict == ConnectionLimiter::Verdict::kRefusedPerIp;
  (per_ip ? m.conn_refused_per_ip : m.conn_refused_node).fetch_add(1, std::memory_order_relaxed);
  // Reset rather than FIN: the client learns at once, and we keep no TIME_WAIT for it.
  linger lg{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  ::close(fd);
  // One log line per shard per 10 s at most: a flood must not turn into a log flood.
  ++refused_since_log_;
  int64_t now = table_.shard().reactor().now_ms();
  if (now - refused_log_ms_ >= 10000) {
    LOG_WARN("connections refused at accept")
        .KV("cap", per_ip ? "per_ip" : "node")
        .KV("refused", refused_since_log_);
    refused_since_log_ = 0;
    refused_log_ms_ = now;
  }
}

void Listener::Stop() {
  if (stopped_) return;
  stopped_ = true;
  if (armed_ > 0) {
    io_uring_sqe* sqe = table_.shard().reactor().GetSqe(nullptr);
    io_uring_prep_cancel(sqe, &accept_c_, IORING_ASYNC_CANCEL_ALL);
  }
  ::shutdown(fd_, SHUT_RDWR);
}

}  // namespace asobi
