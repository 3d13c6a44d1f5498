// Fuzzes HttpSession on a real shard (tests/unit/server/session_harness.h): the input is a
// script of receive chunks and events. Bytes between markers are one OnData call each; a
// marker is 0xFF followed by an event:
//   'c'  the oldest pending /slow call answers (the session was busy with it)
//   's'  a few loop turns pass (posted work such as the next pipelined request runs)
//   'x'  the peer half-closes its side (EOF reaches the server)
// So one input can pipeline requests around slow ones, upgrade with leftover WebSocket
// bytes, send while busy, trip the parser's limits and the busy input bound. After every
// step the buffered input must be within its bound; at the end, once every call answered and
// the connection closed, no request state may be left behind (ServerShard::orphan_calls).
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "server/http_session.h"
#include "session_harness.h"

namespace {

using asobi::ConnId;
using asobi::HttpSession;
using asobi::TcpConnection;
using asobi::test::SessionHarness;

void Require(bool cond) {
  if (!cond) std::abort();
}

SessionHarness& Harness() {
  static SessionHarness* h = [] {
    asobi::Config c;
    // Deadlines never fire within one input: every step is driven by the input itself.
    c.http_idle_timeout_ms = c.http_header_timeout_ms = c.http_body_timeout_ms = 3600000;
    c.http_request_timeout_ms = c.http_linger_ms = 3600000;
    c.ws_idle_auth_timeout_ms = 3600000;
    c.ws_connects_per_second = 1000000000;
    c.http_body_bytes_max = 4096;  // small, so the 413 path is reachable
    return new SessionHarness(c);
  }();
  return *h;
}

void Drain(int fd) {
  char buf[65536];
  while (read(fd, buf, sizeof buf) > 0) {
  }
}

void CheckBound(SessionHarness& h, ConnId id) {
  h.Run([&] {
    TcpConnection* conn = h.Find(id);
    if (conn == nullptr) return;
    if (auto* s = dynamic_cast<HttpSession*>(conn->handler())) {
      Require(s->buffered_bytes() <= s->buffered_bytes_max());
    }
  });
}

void Step(SessionHarness& h, ConnId id, int client_fd, std::string_view chunk) {
  h.Run([&] {
    TcpConnection* conn = h.Find(id);
    if (conn == nullptr || conn->closing()) return;
    conn->handler()->OnData(*conn, chunk);
  });
  CheckBound(h, id);
  Drain(client_fd);
}

void Event(SessionHarness& h, int client_fd, char event) {
  switch (event) {
    case 'c':
      h.Run([&] { h.CompleteOldest(); });
      break;
    case 's':
      h.Settle();
      break;
    case 'x':
      shutdown(client_fd, SHUT_WR);
      h.Settle();
      break;
    default:
      break;
  }
  Drain(client_fd);
}

// Answers everything, closes the connection and waits until it is freed.
void Finish(SessionHarness& h, ConnId id, int client_fd) {
  bool gone = false;
  for (int i = 0; i < 1000 && !gone; ++i) {
    h.Run([&] {
      while (h.CompleteOldest()) {
      }
      if (TcpConnection* conn = h.Find(id)) {
        conn->Close();
      } else {
        gone = h.pending().empty();
      }
    });
    Drain(client_fd);
    h.Settle();
  }
  Require(gone);
  h.Settle();  // orphaned requests are freed on the turn after their answer
  h.Run([&] { Require(h.state().orphan_calls.empty() && h.pending().empty()); });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  SessionHarness& h = Harness();
  int fds[2];
  Require(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
  Require(fcntl(fds[1], F_SETFL, O_NONBLOCK) == 0);
  ConnId id = h.Adopt(fds[0], "127.0.0.1", true);
  std::string_view input(reinterpret_cast<const char*>(data), size);
  int steps = 0;
  while (!input.empty() && steps++ < 256) {
    size_t mark = input.find('\xff');
    if (mark != 0) {
      Step(h, id, fds[1], input.substr(0, mark));
      if (mark == std::string_view::npos) break;
      input.remove_prefix(mark);
    }
    if (input.size() >= 2) Event(h, fds[1], input[1]);
    input.remove_prefix(std::min<size_t>(2, input.size()));
  }
  Finish(h, id, fds[1]);
  close(fds[1]);
  return 0;
}
