// Listener over real loopback sockets: keepalive on accepted sockets, connection caps at
// accept (issue 10 defect 4). The shard runs its own reactor thread; the test thread is the
// client and waits on the shard's metrics.
#include "net/listener.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "reactor/buffer_ring.h"
#include "reactor/shard.h"

namespace asobi {
namespace {

class EchoHandler final : public ConnectionHandler {
 public:
  void OnData(TcpConnection& c, std::string_view data) override { c.Send(data); }
  void OnClosed(TcpConnection&) override {}
  void OnSendOverflow(TcpConnection& c) override { c.Close(); }
};

// Waits for `pred` (a shard metric changing) for at most 10 s; false on timeout.
bool WaitFor(const std::function<bool()>& pred) {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!pred()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// A blocking client socket bound to `source_ip`, connected to 127.0.0.1:port.
int Connect(const char* source_ip, uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in src{};
  src.sin_family = AF_INET;
  inet_pton(AF_INET, source_ip, &src.sin_addr);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src), 0);
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  dst.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
  int r;
  do {
    r = connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst);
  } while (r != 0 && errno == EINTR);
  EXPECT_EQ(r, 0) << strerror(errno);
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

// True when `fd` gets its bytes echoed back (served).
bool Echoes(int fd) {
  ssize_t sent;
  do {
    sent = send(fd, "ping", 4, MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  if (sent != 4) return false;
  char buf[4];
  size_t got = 0;
  while (got < 4) {
    ssize_t n = recv(fd, buf + got, 4 - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    got += size_t(n);
  }
  return std::string(buf, 4) == "ping";
}

// True when the server closed `fd` without answering (EOF or reset), false on data/timeout.
bool ClosedWithoutService(int fd) {
  send(fd, "ping", 4, MSG_NOSIGNAL);
  char b;
  ssize_t n;
  do {
    n = recv(fd, &b, 1, 0);
  } while (n < 0 && errno == EINTR);
  return n == 0 || (n < 0 && (errno == ECONNRESET || errno == EPIPE));
}

struct ShardServer {
  std::unique_ptr<BufferRing> buffers;
  std::unique_ptr<ConnectionTable> table;
  std::unique_ptr<Listener> listener;
};

class ListenerTest : public ::testing::Test {
 protected:
  void StartServer(std::shared_ptr<ConnectionLimiter> limiter,
                   int accepts_per_turn = Listener::kAcceptsPerTurn) {
    ShardSet::Options o;
    o.shards = 1;
    o.pin_threads = false;
    set_ = std::make_unique<ShardSet>(o);
    set_->Start([this, limiter, accepts_per_turn](Shard& s) {
      server_.buffers = std::make_unique<BufferRing>(s.reactor(), 0, 64, 4096);
      server_.table = std::make_unique<ConnectionTable>(s, *server_.buffers);
      server_.table->SetLimiter(limiter);
      server_.listener = std::make_unique<Listener>(
          *server_.table, [](TcpConnection&) { return std::make_unique<EchoHandler>(); },
          accepts_per_turn);
      ASSERT_TRUE(server_.listener->Start("127.0.0.1", 0).ok());
      port_.store(server_.listener->port());
    });
    ASSERT_TRUE(WaitFor([this] { return port_.load() != 0; }));
  }
  void TearDown() override {
    if (!set_) return;
    // Stop the loop first: a connection's operations stay in flight in the kernel until the
    // ring goes away, so nothing may be freed while completions can still be delivered
    // (the server tears down in the same order).
    set_->Stop();
    set_->Join();
    server_.listener.reset();
    server_.table.reset();
    server_.buffers.reset();
  }
  // Runs `fn` on the shard and returns its result.
  template <typename T>
  T OnShard(std::function<T()> fn) {
    std::promise<T> p;
    set_->shard(0).PostFromAnyThread([&] { p.set_value(fn()); });
    return p.get_future().get();
  }
  ShardMetrics& metrics() { return set_->shard(0).metrics(); }

  std::unique_ptr<ShardSet> set_;
  ShardServer server_;
  std::atomic<uint16_t> port_{0};
};

TEST_F(ListenerTest, AcceptedSocketsHaveTcpKeepalive) {
  StartServer(nullptr);
  int fd = Connect("127.0.0.1", port_.load());
  ASSERT_TRUE(Echoes(fd));
  std::string opts = OnShard<std::string>([this] {
    std::string out;
    server_.table->ForEach([&](TcpConnection& c) {
      int on = 0, idle = 0, intvl = 0, cnt = 0;
      socklen_t len = sizeof(int);
      getsockopt(c.fd(), SOL_SOCKET, SO_KEEPALIVE, &on, &len);
      getsockopt(c.fd(), IPPROTO_TCP, TCP_KEEPIDLE, &idle, &len);
      getsockopt(c.fd(), IPPROTO_TCP, TCP_KEEPINTVL, &intvl, &len);
      getsockopt(c.fd(), IPPROTO_TCP, TCP_KEEPCNT, &cnt, &len);
      out = std::to_string(on != 0) + "/" + std::to_string(idle) + "/" + std::to_string(intvl) +
            "/" + std::to_string(cnt);
    });
    return out;
  });
  EXPECT_EQ(opts, "1/" + std::to_string(Listener::kKeepIdleS) + "/" +
                      std::to_string(Listener::kKeepIntervalS) + "/" +
                      std::to_string(Listener::kKeepCount));
  close(fd);
}

TEST_F(ListenerTest, PerAddressCapRefusesAtAcceptAndServesEveryoneElse) {
  auto limiter = std::make_shared<ConnectionLimiter>(
      ConnectionLimiter::Options{.per_ip_max = 2, .node_max = 0, .per_ip_exempt = {}});
  StartServer(limiter);
  const uint16_t port = port_.load();
  int a = Connect("127.0.0.1", port);
  ASSERT_TRUE(Echoes(a));
  int b = Connect("127.0.0.1", port);
  ASSERT_TRUE(Echoes(b));
  int c = Connect("127.0.0.1", port);  // the kernel completes the handshake; we refuse it
  EXPECT_TRUE(ClosedWithoutService(c));
  EXPECT_EQ(metrics().conn_refused_per_ip.load(), 1u);
  int other = Connect("127.0.0.2", port);  // another address is still served
  EXPECT_TRUE(Echoes(other));
  EXPECT_TRUE(Echoes(a));  // and the first two still are
  EXPECT_EQ(metrics().connections.load(), 3);
  close(a);  // one slot of 127.0.0.1 comes back once the server saw the close
  ASSERT_TRUE(WaitFor([this] { return metrics().connections.load() == 2; }));
  ASSERT_TRUE(WaitFor([&] { return limiter->total() == 2; }));
  int d = Connect("127.0.0.1", port);
  EXPECT_TRUE(Echoes(d));
  EXPECT_EQ(metrics().conn_refused_per_ip.load(), 1u);
  for (int fd : {b, c, other, d}) close(fd);
  ASSERT_TRUE(WaitFor([&] { return limiter->total() == 0; }));
}

TEST_F(ListenerTest, NodeCapRefusesAnyAddressOnceFull) {
  auto limiter = std::make_shared<ConnectionLimiter>(
      ConnectionLimiter::Options{.per_ip_max = 0, .node_max = 2, .per_ip_exempt = {}});
  StartServer(limiter);
  const uint16_t port = port_.load();
  int a = Connect("127.0.0.1", port);
  ASSERT_TRUE(Echoes(a));
  int b = Connect("127.0.0.2", port);
  ASSERT_TRUE(Echoes(b));
  int c = Connect("127.0.0.3", port);
  EXPECT_TRUE(ClosedWithoutService(c));
  EXPECT_EQ(metrics().conn_refused_node.load(), 1u);
  EXPECT_EQ(metrics().conn_refused_per_ip.load(), 0u);
  close(b);
  ASSERT_TRUE(WaitFor([&] { return limiter->total() == 1; }));
  int d = Connect("127.0.0.3", port);
  EXPECT_TRUE(Echoes(d));
  for (int fd : {a, c, d}) close(fd);
}

// A burst of connections waiting in the accept queue is taken at most `accepts_per_turn` per
// reactor turn (the count of open connections is sampled at the start of every turn), and
// every one of them is still served.
TEST_F(ListenerTest, AcceptsAreBoundedPerTurn) {
  constexpr int kBound = 4;
  constexpr int kBurst = 60;
  StartServer(nullptr, kBound);
  const uint16_t port = port_.load();
  // Hold the shard while the kernel completes the handshakes of the whole burst.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> holding{false};
  std::vector<int64_t> per_turn;  // shard thread only, read after `done`
  std::atomic<bool> done{false};
  std::function<void()> sample;
  Reactor* reactor = nullptr;
  sample = [&] {
    int64_t n = metrics().connections.load();
    per_turn.push_back(n);
    if (n < kBurst) {
      reactor->Post([&] { sample(); });
    } else {
      done.store(true);
    }
  };
  set_->shard(0).PostFromAnyThread([&] {
    reactor = &set_->shard(0).reactor();
    holding.store(true);
    released.wait();
    reactor->Post([&] { sample(); });
  });
  ASSERT_TRUE(WaitFor([&] { return holding.load(); }));
  std::vector<int> fds;
  for (int i = 0; i < kBurst; ++i) fds.push_back(Connect("127.0.0.1", port));
  release.set_value();
  ASSERT_TRUE(WaitFor([&] { return done.load(); }));
  ASSERT_GE(per_turn.size(), size_t(kBurst / kBound));
  for (size_t i = 1; i < per_turn.size(); ++i) {
    EXPECT_LE(per_turn[i] - per_turn[i - 1], kBound) << "turn " << i;
  }
  EXPECT_LE(per_turn[0], kBound);
  for (int fd : fds) EXPECT_TRUE(Echoes(fd));
  for (int fd : fds) close(fd);
  ASSERT_TRUE(WaitFor([this] { return metrics().connections.load() == 0; }));
}

// Without a bound (multishot accept) the same burst is served too.
TEST_F(ListenerTest, UnboundedMultishotAcceptServesABurst) {
  StartServer(nullptr, 0);
  const uint16_t port = port_.load();
  std::vector<int> fds;
  for (int i = 0; i < 60; ++i) fds.push_back(Connect("127.0.0.1", port));
  for (int fd : fds) EXPECT_TRUE(Echoes(fd));
  for (int fd : fds) close(fd);
  ASSERT_TRUE(WaitFor([this] { return metrics().connections.load() == 0; }));
}

}  // namespace
}  // namespace asobi
