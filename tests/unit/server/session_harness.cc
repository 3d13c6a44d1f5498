#include "session_harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <unistd.h>

#include <atomic>
#include <future>

#include "base/check.h"
#include "game/session/session_handlers.h"
#include "server/http_session.h"
#include "server/server.h"
#include "server/ws_session.h"

namespace asobi::test {
namespace {

http::HttpResponse Json(std::string body) {
  http::HttpResponse r;
  r.body = std::move(body);
  return r;
}

sockaddr_storage Ipv4(const std::string& ip) {
  sockaddr_storage ss{};
  auto* a = reinterpret_cast<sockaddr_in*>(&ss);
  a->sin_family = AF_INET;
  CHECK(inet_pton(AF_INET, ip.c_str(), &a->sin_addr) == 1);
  return ss;
}

}  // namespace

SessionHarness::SessionHarness(Config config)
    : shared_(std::make_unique<ServerShared>(std::move(config))),
      pending_(std::make_shared<std::deque<HttpRespond>>()) {
  RegisterBuiltinRoutes(*shared_);
  RegisterSessionHandlers(shared_->ws_registry);
  HttpApi& api = shared_->http_api;
  api.Add("GET", "/sync", [](HttpCall& c) { c.respond(Json(R"({"ok":true})")); });
  api.Add("POST", "/echo", [](HttpCall& c) { c.respond(Json(c.request.body)); });
  auto pending = pending_;
  api.Add("GET", "/slow", [pending](HttpCall& c) { pending->push_back(c.respond); });
  api.Add("POST", "/slow", [pending](HttpCall& c) { pending->push_back(c.respond); });

  ShardSet::Options opts;
  opts.shards = 1;
  opts.pin_threads = false;
  opts.mailbox_capacity = 64;
  shards_ = std::make_unique<ShardSet>(opts);
  shared_->shards = shards_.get();
  shared_->shard_state.assign(1, nullptr);
  std::promise<ServerShard*> started;
  ServerShared* shared = shared_.get();
  shards_->Start([shared, &started](Shard& shard) {
    auto* state = new ServerShard(shard, *shared);
    shared->shard_state[0] = state;
    state->game.find_client = [state](const ClientRef& ref) -> Client* {
      TcpConnection* c = state->connections.Find(ConnId{ref.index, ref.gen});
      return c ? dynamic_cast<WsSession*>(c->handler()) : nullptr;
    };
    started.set_value(state);
  });
  state_ = started.get_future().get();

  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  CHECK(listen_fd_ >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  CHECK(bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  CHECK(listen(listen_fd_, 64) == 0);
  socklen_t len = sizeof addr;
  CHECK(getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  port_ = ntohs(addr.sin_port);
}

SessionHarness::~SessionHarness() {
  // Close every connection and answer what is still pending, on the shard, so that request
  // state and sockets are freed while the reactor runs.
  Run([this] {
    while (CompleteOldest()) {
    }
    state_->connections.ForEach([](TcpConnection& c) { c.Close(); });
  });
  Settle();
  shards_->Stop();
  shards_->Join();
  delete state_;
  if (listen_fd_ >= 0) close(listen_fd_);
}

void SessionHarness::Run(std::function<void()> fn) {
  std::promise<void> done;
  shards_->shard(0).PostFromAnyThread([&fn, &done] {
    fn();
    done.set_value();
  });
  done.get_future().get();
}

void SessionHarness::Settle() {
  // Each hop runs on the next loop turn: posted work of the turns before has run.
  std::promise<void> done;
  Reactor* r = &shards_->shard(0).reactor();
  shards_->shard(0).PostFromAnyThread(
      [r, &done] { r->Post([r, &done] { r->Post([&done] { done.set_value(); }); }); });
  done.get_future().get();
}

ConnId SessionHarness::Accept(const std::string& peer_ip) {
  int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
  CHECK(fd >= 0);
  return Adopt(fd, peer_ip, true);
}

ConnId SessionHarness::Adopt(int fd, const std::string& peer_ip, bool start) {
  ConnId id;
  sockaddr_storage peer = Ipv4(peer_ip);
  Run([&] {
    TcpConnection* conn = state_->connections.Add(fd, peer);
    conn->SetHandler(std::make_unique<HttpSession>(*state_, *conn));
    if (start) conn->Start();
    id = conn->id();
  });
  return id;
}

bool SessionHarness::CompleteOldest() {
  if (pending_->empty()) return false;
  HttpRespond respond = std::move(pending_->front());
  pending_->pop_front();
  respond(Json(R"({"slow":true})"));
  return true;
}

}  // namespace asobi::test
