// ServerShard teardown: a connection whose request is still being handled when the shard is
// destroyed (shutdown with a request waiting on the database or a worker).
#include "server/server_shard.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>

#include "server/http_session.h"

namespace asobi {
namespace {

TEST(ServerShardTest, DestroyingTheShardWithABusyRequestKeepsAndThenFreesIt) {
  ShardSet::Options so;
  so.shards = 1;
  so.pin_threads = false;
  ShardSet set(so);  // not started: this thread stands in for shard 0
  Shard& shard = set.shard(0);
  shard.reactor().AttachToThread();
  ServerShared shared{Config{}};
  // A handler that never answers (e.g. waiting on a stalled database).
  std::shared_ptr<std::atomic<bool>> gone;
  shared.http_api.Add("GET", "/hang", [&gone](HttpCall& call) { gone = call.gone; });

  auto state = std::make_unique<ServerShard>(shard, shared);
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  sockaddr_storage peer{};
  peer.ss_family = AF_INET;
  TcpConnection* conn = state->connections.Add(fds[0], peer);
  conn->SetHandler(std::make_unique<HttpSession>(*state, *conn));
  conn->handler()->OnData(*conn, "GET /hang HTTP/1.1\r\nhost: x\r\n\r\n");
  ASSERT_NE(gone, nullptr);  // dispatched, waiting for the handler
  EXPECT_FALSE(gone->load());

  // The connection dies with the shard while its request is in flight: the request must be
  // parked (the client is gone) and freed with the shard, touching nothing already freed.
  state.reset();
  EXPECT_TRUE(gone->load());
  EXPECT_EQ(gone.use_count(), 1);  // the call itself was freed
  close(fds[1]);
}

}  // namespace
}  // namespace asobi
