#include "blocking_http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>

namespace asobi::bench {

BlockingHttpConn::~BlockingHttpConn() {
  if (fd_ >= 0) close(fd_);
}

int BlockingHttpConn::Request(const std::string& path, const std::string& body,
                              const std::string& bearer) {
  if (fd_ < 0 && !Connect()) return 0;
  std::string req = body.empty()
                        ? "GET " + path + " HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer " +
                              bearer + "\r\n\r\n"
                        : "POST " + path + " HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer " +
                              bearer + "\r\nContent-Type: application/json\r\nContent-Length: " +
                              std::to_string(body.size()) + "\r\n\r\n" + body;
  for (size_t off = 0; off < req.size();) {
    ssize_t n = send(fd_, req.data() + off, req.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return Reset();
    off += size_t(n);
  }
  for (;;) {
    size_t head_end = buf_.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      size_t cl = buf_.find("content-length: ");
      size_t len = cl < head_end ? size_t(std::atol(buf_.c_str() + cl + 16)) : 0;
      if (buf_.size() >= head_end + 4 + len) {
        int status = std::atoi(buf_.c_str() + 9);
        buf_.erase(0, head_end + 4 + len);
        return status;
      }
    }
    char tmp[16384];
    ssize_t n = recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) return Reset();
    buf_.append(tmp, size_t(n));
  }
}

bool BlockingHttpConn::Connect() {
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(uint16_t(port_));
  inet_pton(AF_INET, host_.c_str(), &a.sin_addr);
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  timeval tv{30, 0};
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd_);
    fd_ = -1;
    return false;
  }
  return true;
}

int BlockingHttpConn::Reset() {
  close(fd_);
  fd_ = -1;
  buf_.clear();
  return 0;
}

}  // namespace asobi::bench
