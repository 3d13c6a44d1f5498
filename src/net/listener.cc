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

Listener::Listener(ConnectionTable& table, HandlerFactory factory)
    : table_(table), factory_(std::move(factory)) {}

Listener::~Listener() {
  if (fd_ >= 0) ::close(fd_);
}

Status Listener::Start(const std::string& host, uint16_t port, int backlog) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return MakeError("listen_failed", std::strerror(errno));
  int one = 1;
  setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  setsockopt(fd_, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
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
  if (stopped_ || armed_) return;
  io_uring_sqe* sqe = table_.shard().reactor().GetSqe(&accept_c_);
  io_uring_prep_multishot_accept(sqe, fd_, nullptr, nullptr, SOCK_CLOEXEC);
  armed_ = true;
}

void Listener::OnAccept(int32_t res, uint32_t flags) {
  if (!(flags & IORING_CQE_F_MORE)) armed_ = false;
  if (res >= 0) {
    if (stopped_) {
      ::close(res);
    } else {
      int one = 1;
      setsockopt(res, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      sockaddr_storage peer{};
      socklen_t len = sizeof peer;
      getpeername(res, reinterpret_cast<sockaddr*>(&peer), &len);
      TcpConnection* conn = table_.Add(res, peer);
      conn->SetHandler(factory_(*conn));
      conn->Start();
    }
  } else if (res != -ECANCELED && !stopped_) {
    LOG_WARN("accept failed").KV("error", std::strerror(-res));
    if (res == -EMFILE || res == -ENFILE || res == -ENOMEM) {
      // Out of descriptors: back off instead of spinning.
      table_.shard().reactor().AddTimer(100, [this] { Arm(); });
      return;
    }
  }
  if (!armed_ && !stopped_) Arm();
}

void Listener::Stop() {
  if (stopped_) return;
  stopped_ = true;
  if (armed_) {
    io_uring_sqe* sqe = table_.shard().reactor().GetSqe(nullptr);
    io_uring_prep_cancel(sqe, &accept_c_, 0);
  }
  ::shutdown(fd_, SHUT_RDWR);
}

}  // namespace asobi
