// BlockingHttpConn: one blocking keep-alive HTTP/1.1 client connection for the REST load
// scenarios (economy purchases, leaderboard submits and reads): one per client thread,
// reconnects after an I/O failure. Not thread-safe; own it from one thread.
#pragma once

#include <string>

namespace asobi::bench {

class BlockingHttpConn {
 public:
  /// `host` is an IPv4 address; connects lazily on the first request.
  BlockingHttpConn(std::string host, int port) : host_(std::move(host)), port_(port) {}
  ~BlockingHttpConn();
  BlockingHttpConn(const BlockingHttpConn&) = delete;
  BlockingHttpConn& operator=(const BlockingHttpConn&) = delete;

  /// Sends POST `path` with the JSON `body` (GET when `body` is empty) and the bearer token,
  /// waits for the whole response (30 s receive timeout) and returns its status; 0 on an I/O
  /// failure (the connection is closed and reopened by the next request).
  int Request(const std::string& path, const std::string& body, const std::string& bearer);
  /// Opens the connection now (requests open it lazily otherwise), e.g. so that racing
  /// requests do not pay for their connects; false when the connect failed.
  bool Connect();

 private:
  int Reset();

  std::string host_;
  int port_;
  int fd_ = -1;
  std::string buf_;  // bytes received past the last response
};

}  // namespace asobi::bench
