// SessionHarness: one real shard (reactor thread, buffer ring, connection table) with a
// ServerShard, for driving HttpSession and WsSession in-process: through a real socket whose
// other end the test holds, or by calling the handler directly with bytes (unit tests and the
// http_session fuzz target). The test thread talks to the shard with Run(), which executes a
// function on the shard thread and waits for it.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "game/http_api.h"
#include "reactor/shard.h"
#include "server/config.h"
#include "server/server_shard.h"

namespace asobi::test {

/// Routes every harness registers (besides /health, /ready, /live, /metrics):
///  - `GET /sync`: answers 200 `{"ok":true}` before the handler returns.
///  - `POST /echo`: answers 200 with the request body, at once.
///  - `GET /slow` and `POST /slow`: never answers by itself; the call waits in
///    SessionHarness::pending() until the test answers it (CompleteOldest) or drops it.
class SessionHarness {
 public:
  /// `config` is used as given (tests pass small deadlines). Starts the shard thread.
  explicit SessionHarness(Config config);
  ~SessionHarness();

  /// Runs `fn` on the shard thread and waits until it returned.
  void Run(std::function<void()> fn);
  /// Waits until the shard has run a few more loop turns, so that work posted to the next
  /// turn (pipelined requests after an answer, freeing request state) has run.
  void Settle();

  /// Port of the harness's own listening socket (127.0.0.1) for test clients.
  uint16_t port() const { return port_; }
  /// Accepts the next client connection from the listening socket and binds it to a new
  /// HttpSession on the shard, as the server's Listener would. `peer_ip` (IPv4 text) is the
  /// address the session sees. Returns the connection id (valid on the shard).
  ConnId Accept(const std::string& peer_ip = "127.0.0.1");
  /// Binds `fd` (a socket the harness now owns) to a new HttpSession; `start`: arm receive.
  ConnId Adopt(int fd, const std::string& peer_ip, bool start);

  /// Shard-thread only: the live connection, or null.
  TcpConnection* Find(ConnId id) { return state_->connections.Find(id); }
  /// Shard-thread only: the calls to /slow that have not been answered yet, oldest first.
  std::deque<HttpRespond>& pending() { return *pending_; }
  /// Shard-thread only: answers the oldest pending /slow call with 200 `{"slow":true}`.
  /// False when none is pending.
  bool CompleteOldest();

  ServerShard& state() { return *state_; }
  ServerShared& shared() { return *shared_; }

 private:
  std::unique_ptr<ServerShared> shared_;
  std::unique_ptr<ShardSet> shards_;
  ServerShard* state_ = nullptr;
  std::shared_ptr<std::deque<HttpRespond>> pending_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
};

}  // namespace asobi::test
