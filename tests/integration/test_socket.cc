#include "test_socket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace asobi::itest {
namespace {

void SetTimeout(int fd, int option, int timeout_ms) {
  if (timeout_ms < 1) timeout_ms = 1;
  timeval tv{};
  tv.tv_sec = timeout_ms / 1000;
  tv.tv_usec = (timeout_ms % 1000) * 1000;
  setsockopt(fd, SOL_SOCKET, option, &tv, sizeof tv);
}

// A blocking connect() interrupted by a signal (or io_uring task work of a reactor torn down
// in this process) goes on in the background: wait for it and take its result.
bool FinishInterruptedConnect(int fd) {
  pollfd p{fd, POLLOUT, 0};
  int n;
  do {
    n = poll(&p, 1, kIoTimeoutMs);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return false;
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return false;
  errno = err;
  return err == 0;
}

}  // namespace

TestSocket::~TestSocket() { Close(); }

TestSocket::TestSocket(TestSocket&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), last_errno_(other.last_errno_) {}

TestSocket& TestSocket::operator=(TestSocket&& other) noexcept {
  if (this != &other) {
    Close();
    fd_ = std::exchange(other.fd_, -1);
    last_errno_ = other.last_errno_;
  }
  return *this;
}

bool TestSocket::Connect(uint16_t port, int rcvbuf_bytes) {
  Close();
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    last_errno_ = errno;
    return false;
  }
  if (rcvbuf_bytes > 0) {
    setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf_bytes, sizeof rcvbuf_bytes);
  }
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  SetTimeout(fd_, SO_SNDTIMEO, kIoTimeoutMs);  // bounds connect() too
  if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 &&
      !(errno == EINTR && FinishInterruptedConnect(fd_))) {
    last_errno_ = errno;
    Close();
    return false;
  }
  return true;
}

bool TestSocket::SendAll(std::string_view bytes, int timeout_ms) {
  if (fd_ < 0) return false;
  SetTimeout(fd_, SO_SNDTIMEO, timeout_ms);
  while (!bytes.empty()) {
    ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      last_errno_ = errno;
      return false;
    }
    bytes.remove_prefix(size_t(n));
  }
  return true;
}

RecvStatus TestSocket::RecvSome(std::string* out, int timeout_ms) {
  if (fd_ < 0) return RecvStatus::kError;
  SetTimeout(fd_, SO_RCVTIMEO, timeout_ms);
  char buf[65536];
  for (;;) {
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
      out->append(buf, size_t(n));
      return RecvStatus::kData;
    }
    if (n == 0) return RecvStatus::kEof;
    if (errno == EINTR) continue;
    last_errno_ = errno;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return RecvStatus::kTimeout;
    return RecvStatus::kError;
  }
}

void TestSocket::ShutdownWrite() {
  if (fd_ >= 0) shutdown(fd_, SHUT_WR);
}

void TestSocket::Close() {
  if (fd_ >= 0) {
    close(fd_);
    fd_ = -1;
  }
}

}  // namespace asobi::itest
