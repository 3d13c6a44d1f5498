// Connection caps at accept and the force close of a closing connection, against the real
// server (issue 10 defect 4; docs/decisions.md "Connection limits and timeouts"): a refused
// connection is closed at once without service, everyone else is served, and the counts come
// back when connections close. Clients bind 127.0.0.x source addresses to be "other hosts".
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "http_client.h"
#include "server_harness.h"

namespace asobi::itest {
namespace {

// A keep-alive HTTP client whose socket is bound to `source_ip` (127.0.0.0/8 all reaches the
// loopback server, and the server sees a different peer address for each).
class SourceClient {
 public:
  SourceClient() = default;
  SourceClient(SourceClient&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  ~SourceClient() { Close(); }

  ::testing::AssertionResult Connect(const char* source_ip, uint16_t port) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in src{};
    src.sin_family = AF_INET;
    inet_pton(AF_INET, source_ip, &src.sin_addr);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0) {
      return ::testing::AssertionFailure() << "bind " << source_ip << ": " << strerror(errno);
    }
    sockaddr_in dst{};
    dst.sin_family = AF_INET;
    dst.sin_port = htons(port);
    inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
    int r;
    do {
      r = connect(fd_, reinterpret_cast<sockaddr*>(&dst), sizeof dst);
    } while (r != 0 && errno == EINTR);
    if (r != 0) {
      return ::testing::AssertionFailure() << "connect: " << strerror(errno);
    }
    timeval tv{kIoTimeoutMs / 1000, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    return ::testing::AssertionSuccess();
  }

  /// GET `path` on this connection; the response, or nullopt when the server closed it (EOF,
  /// reset) or sent nothing within kIoTimeoutMs (`timed_out()` tells which).
  std::optional<HttpResponse> Get(const std::string& path) {
    return Send("GET " + path + " HTTP/1.1\r\nHost: itest\r\n\r\n");
  }

  /// Sends the raw request `req` on this connection; the response as for Get.
  std::optional<HttpResponse> Send(const std::string& req) {
    ssize_t sent;
    do {
      sent = send(fd_, req.data(), req.size(), MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    timed_out_ = false;
    if (sent != ssize_t(req.size())) return {};
    std::string buf;
    size_t head_end;
    while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill(&buf)) return {};
    }
    HttpResponse r;
    if (!ParseResponseHead(std::string_view(buf).substr(0, head_end), &r)) return {};
    size_t body_bytes = std::stoul(r.Header("content-length").value_or("0"));
    while (buf.size() < head_end + 4 + body_bytes) {
      if (!Fill(&buf)) return {};
    }
    r.body = buf.substr(head_end + 4, body_bytes);
    return r;
  }

  bool timed_out() const { return timed_out_; }
  int fd() const { return fd_; }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  bool Fill(std::string* buf) {
    char chunk[16384];
    ssize_t n;
    do {
      n = recv(fd_, chunk, sizeof chunk, 0);
    } while (n < 0 && errno == EINTR);
    if (n > 0) {
      buf->append(chunk, size_t(n));
      return true;
    }
    timed_out_ = n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    return false;
  }

  int fd_ = -1;
  bool timed_out_ = false;
};

int64_t SumMetric(const std::string& body, const std::string& name) {
  int64_t sum = 0;
  std::string needle = "\n" + name + "{";
  for (size_t at = body.find(needle); at != std::string::npos; at = body.find(needle, at + 1)) {
    size_t sp = body.find("} ", at);
    if (sp == std::string::npos) break;
    sum += std::stoll(body.substr(sp + 2));
  }
  return sum;
}

// Served: a keep-alive /health answered 200.
::testing::AssertionResult Served(SourceClient& c) {
  std::optional<HttpResponse> r = c.Get("/health");
  if (!r) return ::testing::AssertionFailure() << (c.timed_out() ? "timed out" : "closed");
  if (r->status != 200) return ::testing::AssertionFailure() << "status " << r->status;
  return ::testing::AssertionSuccess();
}

// Refused: closed by the server without a response, and not by a timeout.
::testing::AssertionResult Refused(SourceClient& c) {
  std::optional<HttpResponse> r = c.Get("/health");
  if (r) return ::testing::AssertionFailure() << "served with status " << r->status;
  if (c.timed_out()) return ::testing::AssertionFailure() << "neither served nor closed";
  return ::testing::AssertionSuccess();
}

class ConnLimitsTest : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> flags) {
    ServerOptions o;
    o.flags = std::move(flags);
    ASSERT_TRUE(server_.Start(o));
  }
  void TearDown() override { EXPECT_TRUE(server_.Stop()); }
  uint16_t port() const { return server_.port(); }

  // Polls /metrics on `probe` until `name` summed over shards equals `want` (the server has
  // processed closes), failing after 20 s.
  void WaitForMetric(SourceClient& probe, const std::string& name, int64_t want) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    int64_t last = -1;
    while (std::chrono::steady_clock::now() < deadline) {
      std::optional<HttpResponse> m = probe.Get("/metrics");
      ASSERT_TRUE(m.has_value()) << "metrics connection lost";
      last = SumMetric(m->body, name);
      if (last == want) return;
    }
    FAIL() << name << " stayed at " << last << ", want " << want;
  }

  ServerProcess server_;
};

TEST_F(ConnLimitsTest, PerAddressCapRefusesTheExcessAndServesEveryoneElse) {
  constexpr int kCap = 4, kExtra = 3;
  ASSERT_NO_FATAL_FAILURE(Start({"--conn-per-ip-max", std::to_string(kCap)}));
  std::vector<SourceClient> mine(kCap);
  for (SourceClient& c : mine) {
    ASSERT_TRUE(c.Connect("127.0.0.1", port()));
    ASSERT_TRUE(Served(c));
  }
  for (int i = 0; i < kExtra; ++i) {
    SourceClient extra;
    ASSERT_TRUE(extra.Connect("127.0.0.1", port()));  // the kernel's handshake completes
    EXPECT_TRUE(Refused(extra)) << "extra connection " << i;
  }
  EXPECT_TRUE(server_.WaitForLog("connections refused at accept", 5000));
  // Another address is served, and so are the first kCap.
  SourceClient probe;
  ASSERT_TRUE(probe.Connect("127.0.0.2", port()));
  ASSERT_TRUE(Served(probe));
  for (SourceClient& c : mine) EXPECT_TRUE(Served(c));
  std::optional<HttpResponse> m = probe.Get("/metrics");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(SumMetric(m->body, "asobi_conn_refused_per_ip_total"), kExtra);
  EXPECT_EQ(SumMetric(m->body, "asobi_conn_refused_node_total"), 0);
  EXPECT_EQ(SumMetric(m->body, "asobi_connections"), kCap + 1);

  // Closed connections give their slots back: the address gets exactly kCap again.
  for (SourceClient& c : mine) c.Close();
  ASSERT_NO_FATAL_FAILURE(WaitForMetric(probe, "asobi_connections", 1));
  std::vector<SourceClient> again(kCap);
  for (SourceClient& c : again) {
    ASSERT_TRUE(c.Connect("127.0.0.1", port()));
    EXPECT_TRUE(Served(c));
  }
  SourceClient over;
  ASSERT_TRUE(over.Connect("127.0.0.1", port()));
  EXPECT_TRUE(Refused(over));
}

TEST_F(ConnLimitsTest, NodeCapRefusesAnyAddressOnceFull) {
  ASSERT_NO_FATAL_FAILURE(Start({"--conn-max", "3", "--conn-per-ip-max", "0"}));
  SourceClient probe, b, c;
  ASSERT_TRUE(probe.Connect("127.0.0.2", port()));
  ASSERT_TRUE(Served(probe));
  ASSERT_TRUE(b.Connect("127.0.0.3", port()));
  ASSERT_TRUE(Served(b));
  ASSERT_TRUE(c.Connect("127.0.0.3", port()));
  ASSERT_TRUE(Served(c));
  for (const char* ip : {"127.0.0.4", "127.0.0.1"}) {
    SourceClient refused;
    ASSERT_TRUE(refused.Connect(ip, port()));
    EXPECT_TRUE(Refused(refused)) << ip;
  }
  std::optional<HttpResponse> m = probe.Get("/metrics");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(SumMetric(m->body, "asobi_conn_refused_node_total"), 2);
  b.Close();
  ASSERT_NO_FATAL_FAILURE(WaitForMetric(probe, "asobi_connections", 2));
  SourceClient d;
  ASSERT_TRUE(d.Connect("127.0.0.4", port()));
  EXPECT_TRUE(Served(d));
}

// A connection that closes (send-queue overflow or the final `Connection: close`) while its peer
// reads nothing is reset after --close-timeout-ms without send progress, so its descriptor
// and slot come back instead of being held forever.
TEST_F(ConnLimitsTest, ClosingConnectionWhosePeerNeverReadsIsReset) {
  ASSERT_NO_FATAL_FAILURE(Start({"--close-timeout-ms", "500"}));
  SourceClient probe;
  ASSERT_TRUE(probe.Connect("127.0.0.2", port()));
  ASSERT_TRUE(Served(probe));
  HttpClient stuck;
  ASSERT_TRUE(stuck.Connect(port(), /*rcvbuf_bytes=*/4096));
  // ~10 MB of /metrics responses: more than the kernel buffers (loopback autotunes the send
  // buffer to a few MB; the client's receive window is 4 KiB) plus the 4 MiB send queue.
  std::string burst;
  for (int i = 0; i < 2500; ++i) burst += "GET /metrics HTTP/1.1\r\nHost: itest\r\n\r\n";
  burst += "GET /metrics HTTP/1.1\r\nHost: itest\r\nConnection: close\r\n\r\n";
  ASSERT_TRUE(stuck.SendRaw(burst));
  ASSERT_NO_FATAL_FAILURE(WaitForMetric(probe, "asobi_conn_force_closes_total", 1));
  ASSERT_NO_FATAL_FAILURE(WaitForMetric(probe, "asobi_connections", 1));
  // The stuck client now reads what its kernel buffer held, then the reset (or EOF).
  for (;;) {
    std::string sink;
    RecvStatus st = stuck.socket().RecvSome(&sink, kIoTimeoutMs);
    ASSERT_NE(st, RecvStatus::kTimeout) << "the connection was left open";
    if (st != RecvStatus::kData) break;
  }
}

// docs/decisions.md "Client addresses behind a proxy": a trusted proxy carries many players,
// so the per-address cap does not apply to it; other addresses keep theirs.
TEST_F(ConnLimitsTest, TrustedProxyIsExemptFromThePerAddressCap) {
  ASSERT_NO_FATAL_FAILURE(Start({"--conn-per-ip-max", "1", "--trusted-proxies", "127.0.0.1"}));
  std::vector<SourceClient> proxy(3);
  for (SourceClient& c : proxy) {
    ASSERT_TRUE(c.Connect("127.0.0.1", port()));
    EXPECT_TRUE(Served(c));
  }
  SourceClient direct, second;
  ASSERT_TRUE(direct.Connect("127.0.0.2", port()));
  EXPECT_TRUE(Served(direct));
  ASSERT_TRUE(second.Connect("127.0.0.2", port()));
  EXPECT_TRUE(Refused(second));
}

// Requests through a trusted proxy are rate-limited per forwarded client; X-Forwarded-For from
// anyone else is ignored.
TEST_F(ConnLimitsTest, ForwardedClientsAreRateLimitedApart) {
  ASSERT_NO_FATAL_FAILURE(
      Start({"--trusted-proxies", "127.0.0.1", "--rate-limits", "auth=2/600000"}));
  auto login = [this](const std::string& source, const std::string& xff) {
    SourceClient c;
    EXPECT_TRUE(c.Connect(source.c_str(), port()));
    std::optional<HttpResponse> r =
        c.Send("POST /api/v1/auth/login HTTP/1.1\r\nHost: itest\r\nX-Forwarded-For: " + xff +
               "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
    return r ? r->status : 0;
  };
  EXPECT_NE(login("127.0.0.1", "198.51.100.1"), 429);
  EXPECT_NE(login("127.0.0.1", "198.51.100.1"), 429);
  EXPECT_EQ(login("127.0.0.1", "198.51.100.1"), 429);
  EXPECT_NE(login("127.0.0.1", "198.51.100.2"), 429);  // another player behind the proxy
  // A spoofed entry left of the proxy's own is not believed.
  EXPECT_EQ(login("127.0.0.1", "198.51.100.9, 198.51.100.1"), 429);
  // Not from a trusted proxy: the header is ignored, the peer address is limited.
  EXPECT_NE(login("127.0.0.2", "198.51.100.3"), 429);
  EXPECT_NE(login("127.0.0.2", "198.51.100.4"), 429);
  EXPECT_EQ(login("127.0.0.2", "198.51.100.5"), 429);
}

}  // namespace
}  // namespace asobi::itest
