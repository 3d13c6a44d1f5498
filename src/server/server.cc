#include "server/server.h"

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "base/clock.h"
#include "base/log.h"
#include "server/http_session.h"
#include "server/ws_session.h"

namespace asobi {
namespace {

// Connections are the descriptors a flood exhausts: run with the hard RLIMIT_NOFILE (as Go
// and nginx's worker_rlimit_nofile do), so that the node-wide cap, not EMFILE, refuses first.
void RaiseFdLimit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max) return;
  rl.rlim_cur = rl.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &rl) != 0) LOG_WARN("could not raise the descriptor limit");
}

// The node-wide caps every shard's listener admits against (docs/decisions.md "Connection
// limits and timeouts"), and the per-connection close timeout.
std::shared_ptr<ConnectionLimiter> MakeConnectionLimiter(const Config& cfg) {
  RaiseFdLimit();
  ConnectionLimiter::Options o;
  o.per_ip_max = cfg.conn_per_ip_max;
  o.node_max = ResolvedConnMax(cfg);
  o.per_ip_exempt = cfg.trusted_proxies;
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  LOG_INFO("connection caps")
      .KV("per_ip", o.per_ip_max)
      .KV("node", o.node_max)
      .KV("fd_limit", int64_t(rl.rlim_cur));
  if (rl.rlim_cur != RLIM_INFINITY && o.node_max > int64_t(rl.rlim_cur)) {
    LOG_WARN("--conn-max is above the descriptor limit: accepts may fail with EMFILE first");
  }
  return std::make_shared<ConnectionLimiter>(o);
}

}  // namespace

Server::Server(Config config) : shared_(std::make_unique<ServerShared>(std::move(config))) {}

Server::~Server() {
  if (shards_) {
    // Without a drain (start-up failed), per-shard services still need their own threads.
    if (!torn_down_) TearDownShards();
    shards_->Stop();
    shards_->Join();
    // The bus posts into the shards: it stops before they are freed.
    if (shared_->cluster) shared_->cluster->bus->Stop();
    for (ServerShard* s : shared_->shard_state) delete s;
  }
}

Result<uint16_t> Server::Start() {
  const Config& cfg = shared_->config;
  const int n = ResolvedShardCount(cfg);
  ShardSet::Options opts;
  opts.shards = n;
  opts.pin_threads = cfg.pin_shards;
  shards_ = std::make_unique<ShardSet>(opts);
  shared_->shards = shards_.get();
  if (shared_->cluster) {
    // Connects in the background: an unreachable NATS is not a start-up failure.
    Status st = shared_->cluster->bus->Start(shards_.get());
    if (!st.ok()) {
      LOG_ERROR("cluster bus").KV("error", st.error().message);
      return st.error();
    }
  }
  shared_->shard_state.assign(size_t(n), nullptr);
  ServerShared* shared = shared_.get();
  std::atomic<uint16_t>* port = &port_;
  std::atomic<int>* started = &started_;
  std::atomic<int>* failed = &listen_failed_;
  std::shared_ptr<ConnectionLimiter> limiter = MakeConnectionLimiter(cfg);
  // Shard 0 binds first (port 0 = ephemeral: the others reuse its port).
  shards_->Start([shared, port, started, failed, limiter](Shard& shard) {
    auto* state = new ServerShard(shard, *shared);
    shared->shard_state[size_t(shard.id())] = state;
    TcpConnection::Limits limits = state->connections.limits();
    limits.close_timeout_ms = shared->config.close_timeout_ms;
    state->connections.SetLimits(limits);
    state->connections.SetLimiter(limiter);
    state->game.add_teardown = [state](std::function<void()> fn) {
      state->teardown.push_back(std::move(fn));
    };
    state->game.find_client = [state](const ClientRef& ref) -> Client* {
      TcpConnection* c = state->connections.Find(ConnId{ref.index, ref.gen});
      return c ? dynamic_cast<WsSession*>(c->handler()) : nullptr;
    };
    if (shared->init_shard) shared->init_shard(*state);
    while (shard.id() != 0 && port->load() == 0 && failed->load() == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    uint16_t want = shard.id() == 0 ? shared->config.port : port->load();
    state->listener = std::make_unique<Listener>(
        state->connections,
        [state](TcpConnection& conn) -> std::unique_ptr<ConnectionHandler> {
          return std::make_unique<HttpSession>(*state, conn);
        },
        shared->config.accepts_per_turn);
    Status st = failed->load() ? Status(MakeError("listen_failed", ""))
                               : state->listener->Start(shared->config.host, want);
    if (!st.ok()) {
      if (!st.error().message.empty()) {
        LOG_ERROR("listen failed").KV("error", st.error().message);
      }
      failed->store(1);
    } else if (shard.id() == 0) {
      port->store(state->listener->port());
    }
    started->fetch_add(1);
  });
  while (started_.load() < n) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (listen_failed_.load()) return MakeError("listen_failed", "could not bind the port");
  LOG_INFO("listening").KV("port", int64_t(port_.load())).KV("shards", n);
  return port_.load();
}

void Server::RequestStop() { stop_requested_.store(true); }

void Server::WaitAndDrain() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  timespec poll{0, 100 * 1000000};
  while (!stop_requested_.load()) {
    int sig = sigtimedwait(&set, nullptr, &poll);
    if (sig == SIGTERM || sig == SIGINT) {
      LOG_INFO("signal received, draining").KV("signal", sig == SIGTERM ? "SIGTERM" : "SIGINT");
      DrainMatches(set);
      break;
    }
  }
  Drain();
}

void Server::DrainMatches(const sigset_t& signals) {
  drain_deadline_ms_ = MonoMs() + shared_->config.drain_timeout_ms;
  ServerShared* shared = shared_.get();
  shared->draining.store(true);
  for (int i = 0; i < shards_->size(); ++i) {
    ServerShard* state = shared->shard_state[size_t(i)];
    shards_->shard(i).PostFromAnyThread([shared, state] {
      for (auto& step : shared->drain_steps) step(*state);
    });
  }
  auto live = [shared]() -> int64_t { return shared->live_matches ? shared->live_matches() : 0; };
  if (live() > 0) {
    LOG_INFO("draining: waiting for live matches")
        .KV("matches", live())
        .KV("timeout_ms", int64_t(shared->config.drain_timeout_ms));
  }
  timespec poll{0, 20 * 1000000};
  while (live() > 0 && !stop_requested_.load()) {
    if (MonoMs() >= drain_deadline_ms_) {
      LOG_WARN("drain deadline passed, stopping live matches").KV("matches", live());
      return;
    }
    int sig = sigtimedwait(&signals, nullptr, &poll);
    if (sig == SIGTERM || sig == SIGINT) {
      LOG_WARN("second signal, stopping live matches").KV("matches", live());
      return;
    }
  }
}

void Server::Drain() {
  // Stop accepting and send close frames, on each shard's own thread.
  for (int i = 0; i < shards_->size(); ++i) {
    ServerShard* state = shared_->shard_state[size_t(i)];
    shards_->shard(i).PostFromAnyThread([state] {
      state->draining = true;
      state->listener->Stop();
      state->connections.ForEach([](TcpConnection& conn) {
        if (auto* ws = dynamic_cast<WsSession*>(conn.handler())) {
          ws->Close(1001, "server_shutdown");
        } else {
          conn.Close();
        }
      });
    });
  }
  int64_t deadline =
      drain_deadline_ms_ > 0
          ? std::max(drain_deadline_ms_,
                     MonoMs() + std::min<int64_t>(kCloseGraceMs, shared_->config.drain_timeout_ms))
          : MonoMs() + shared_->config.drain_timeout_ms;
  while (MonoMs() < deadline) {
    int64_t open = 0;
    for (int i = 0; i < shards_->size(); ++i) {
      open += shards_->shard(i).metrics().connections.load();
    }
    if (open == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  TearDownShards();
  shards_->Stop();
  shards_->Join();
  if (shared_->cluster) shared_->cluster->bus->Stop();
  LOG_INFO("stopped");
}

void Server::TearDownShards() {
  torn_down_ = true;
  // Blocking-work pools stop first: their results would reach services freed below.
  if (shared_->before_stop) shared_->before_stop();
  // Free per-shard services on their own threads while the reactors still run, so their
  // in-flight operations (database sockets, timers) complete before the rings go away.
  auto torn_down = std::make_shared<std::atomic<int>>(0);
  int expected = 0;
  for (int i = 0; i < shards_->size(); ++i) {
    ServerShard* state = shared_->shard_state[size_t(i)];
    if (state == nullptr) continue;  // that shard never finished starting
    ++expected;
    shards_->shard(i).PostFromAnyThread([state, torn_down] {
      state->RunTeardown();
      // A few more turns let cancelled operations deliver their completions.
      state->shard.reactor().AddTimer(50, [torn_down] { torn_down->fetch_add(1); });
    });
  }
  int64_t teardown_deadline = MonoMs() + 2000;
  while (torn_down->load() < expected && MonoMs() < teardown_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (torn_down->load() < expected) {
    LOG_WARN("shard teardown did not finish in time").KV("shards", expected - torn_down->load());
  }
}

}  // namespace asobi
