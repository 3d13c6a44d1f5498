// The part of an epoll WebSocket client thread that the chat and matchmaking scenarios share:
// per socket, a non-blocking TCP connect, the HTTP upgrade (RFC 6455 §4.1), session.connect
// with the socket's token, masked text sends and the reading of the server's frames. The
// scenario (Derived, CRTP) owns the states after kAuth and all counting. One instance per
// client thread; nothing here is shared between threads.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ws_client_frame.h"

namespace asobi::bench {

/// Socket fields every scenario connection has. The scenario's `Conn` derives from it and adds
/// `st`, an enum with at least kIdle, kConnecting, kUpgrading, kAuth, kClosing and kDone.
struct WsConnBase {
  int fd = -1;
  int index = 0;  // global socket (player) index
  std::string in, out;
  size_t out_off = 0;
  bool want_write = false;
  int64_t since_ns = 0;  // entered the current state, CLOCK_MONOTONIC ns
  uint32_t mask = 0x9e3779b9u;
  uint64_t bytes_in = 0;  // every byte received on the socket (HTTP response and frames)
  /// Extra members spliced into this socket's session.connect payload after the token, e.g.
  /// `,"wire":"binary"` (websocket.md §11); empty by default.
  std::string_view connect_extra;
};

/// Connect -> upgrade -> session.connect and the frame plumbing for `Conn`s on one epoll.
/// Derived must provide:
///   void Done(Conn&)                      release the socket (its accounting, then Release)
///   void ConnectFailed(Conn&, int errno)  connect(2) failed at once (fd already closed)
///   const std::string& TokenOf(const Conn&)
///   void OnText(Conn&, std::string_view json, int64_t now)
///   void OnServerClosed(Conn&, bool close_frame)  EOF/reset or a close frame; Done follows
/// and may provide void OnBinary(Conn&, std::string_view payload, int64_t now) (binary frames
/// are dropped otherwise).
template <class Derived, class Conn>
class WsEpollClient {
 public:
  /// One server address: IPv4 literal and port.
  struct Endpoint {
    std::string host;
    uint16_t port;
  };

  /// Sockets [first, first + count) of `host`:`port` (IPv4 literal).
  WsEpollClient(const std::string& host, uint16_t port, int first, int count)
      : WsEpollClient(std::vector<Endpoint>{{host, port}}, first, count) {}

  /// Sockets [first, first + count); socket i connects to `endpoints[i % size]` (e.g. the
  /// nodes of a cluster, so a scenario knows which node holds which player). Non-empty.
  WsEpollClient(const std::vector<Endpoint>& endpoints, int first, int count)
      : conns_(size_t(count)), host_(endpoints.front().host) {
    for (int i = 0; i < count; ++i) {
      conns_[size_t(i)].index = first + i;
      conns_[size_t(i)].mask ^= uint32_t(first + i) * 2654435761u;
    }
    for (const Endpoint& e : endpoints) {
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_port = htons(e.port);
      inet_pton(AF_INET, e.host.c_str(), &a.sin_addr);
      addrs_.push_back(a);
    }
  }

 protected:
  Derived& self() { return *static_cast<Derived*>(this); }

  /// Starts a non-blocking connect; on an immediate failure the socket ends in kDone.
  void StartConnect(Conn& c, int64_t now) {
    c.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    const sockaddr_in& to = addrs_[size_t(c.index) % addrs_.size()];
    int rc = connect(c.fd, reinterpret_cast<const sockaddr*>(&to), sizeof to);
    if (rc != 0 && errno != EINPROGRESS) {
      const int err = errno;
      close(c.fd);
      c.fd = -1;
      c.st = decltype(c.st)::kDone;
      self().ConnectFailed(c, err);
      return;
    }
    ++live_;
    c.st = decltype(c.st)::kConnecting;
    c.since_ns = now;
    epoll_event ev{EPOLLIN | EPOLLOUT, {.ptr = &c}};
    epoll_ctl(ep_, EPOLL_CTL_ADD, c.fd, &ev);
  }

  /// Closes the socket and marks it kDone (no counting); for Derived::Done.
  void Release(Conn& c) {
    epoll_ctl(ep_, EPOLL_CTL_DEL, c.fd, nullptr);
    close(c.fd);
    c.fd = -1;
    c.st = decltype(c.st)::kDone;
    --live_;
  }

  void Watch(Conn& c, bool write) {
    if (c.want_write == write || c.fd < 0) return;
    c.want_write = write;
    epoll_event ev{EPOLLIN | (write ? uint32_t(EPOLLOUT) : 0u), {.ptr = &c}};
    epoll_ctl(ep_, EPOLL_CTL_MOD, c.fd, &ev);
  }

  /// Sends what `c.out` holds; waits for EPOLLOUT when the kernel buffer is full.
  void Flush(Conn& c) {
    while (c.out_off < c.out.size()) {
      ssize_t n = send(c.fd, c.out.data() + c.out_off, c.out.size() - c.out_off, MSG_NOSIGNAL);
      if (n > 0) {
        c.out_off += size_t(n);
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return Watch(c, true);
      return self().Done(c);
    }
    c.out.clear();
    c.out_off = 0;
    Watch(c, false);
  }

  /// Next masking key of `c` (xorshift32).
  uint32_t NextMask(Conn& c) {
    c.mask ^= c.mask << 13;
    c.mask ^= c.mask >> 17;
    c.mask ^= c.mask << 5;
    return c.mask;
  }

  /// Queues one masked text frame and flushes; no-op on a released socket.
  void SendText(Conn& c, std::string_view json) {
    if (c.fd < 0) return;
    AppendMaskedFrame(kOpText, json, NextMask(c), &c.out);
    Flush(c);
  }

  /// Queues a close frame (1000) and moves `c` to kClosing.
  void SendClose(Conn& c, int64_t now) {
    c.st = decltype(c.st)::kClosing;
    c.since_ns = now;
    AppendMaskedClose(1000, "", NextMask(c), &c.out);
    Flush(c);
  }

  /// Handles one epoll event of `c`.
  void OnEvent(Conn& c, uint32_t events, int64_t now) {
    if (c.fd < 0) return;
    if (c.st == decltype(c.st)::kConnecting && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
      int err = 0;
      socklen_t len = sizeof err;
      getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) return self().Done(c);
      c.st = decltype(c.st)::kUpgrading;
      c.since_ns = now;
      c.out = "GET /ws HTTP/1.1\r\nHost: " + host_ +
              "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " +
              std::string(kKey) + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
      c.want_write = true;
      Flush(c);
      return;
    }
    if (events & EPOLLOUT) Flush(c);
    if (c.fd >= 0 && (events & (EPOLLIN | EPOLLERR | EPOLLHUP))) OnReadable(c, now);
  }

  std::vector<Conn> conns_;
  int ep_ = -1;
  size_t live_ = 0;

 private:
  static constexpr std::string_view kKey = "dGhlIHNhbXBsZSBub25jZQ==";  // RFC 6455 §1.3
  static constexpr std::string_view kAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

  void OnReadable(Conn& c, int64_t now) {
    char buf[65536];
    for (;;) {
      ssize_t n = recv(c.fd, buf, sizeof buf, 0);
      if (n > 0) {
        c.in.append(buf, size_t(n));
        c.bytes_in += uint64_t(n);
        if (size_t(n) < sizeof buf) break;
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      self().OnServerClosed(c, false);
      return self().Done(c);
    }
    if (c.st == decltype(c.st)::kUpgrading) {
      size_t end = c.in.find("\r\n\r\n");
      if (end == std::string::npos) return;
      std::string_view head(c.in.data(), end);
      if (head.rfind("HTTP/1.1 101", 0) != 0 || head.find(kAccept) == std::string_view::npos) {
        return self().Done(c);
      }
      c.in.erase(0, end + 4);
      c.st = decltype(c.st)::kAuth;
      c.since_ns = now;
      SendText(c, R"({"type":"session.connect","cid":"a","payload":{"token":")" +
                      self().TokenOf(c) + "\"" + std::string(c.connect_extra) + "}}");
    }
    size_t off = 0;
    while (c.fd >= 0) {
      ServerFrame f;
      size_t used = 0;
      FrameParse p = ParseServerFrame(std::string_view(c.in).substr(off), 1 << 20, &f, &used);
      if (p == FrameParse::kNeedMore) break;
      if (p == FrameParse::kBad) return self().Done(c);
      off += used;
      if (f.opcode == kOpText) self().OnText(c, f.payload, now);
      if constexpr (requires(Derived & d) { d.OnBinary(c, f.payload, now); }) {
        if (f.opcode == kOpBinary) self().OnBinary(c, f.payload, now);
      }
      if (f.opcode == kOpClose) {
        self().OnServerClosed(c, true);
        return self().Done(c);
      }
    }
    if (c.fd >= 0) c.in.erase(0, off);
  }

  std::string host_;
  std::vector<sockaddr_in> addrs_;
};

}  // namespace asobi::bench
