// HttpSession: the HTTP/1.1 side of a connection: parses requests (keep-alive, pipelining),
// routes them through HttpApi, answers OPTIONS/CORS, and hands `GET /ws` upgrades to a
// WsSession (rest.md §1, §4; websocket.md §2.1). One request is in flight at a time; later
// pipelined requests wait in the input buffer, so responses keep request order.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "http/http_parser.h"
#include "net/tcp_connection.h"
#include "server/server_shard.h"

namespace asobi {

class HttpSession final : public ConnectionHandler {
 public:
  HttpSession(ServerShard& shard, TcpConnection& conn);
  ~HttpSession() override;

  void OnData(TcpConnection& conn, std::string_view data) override;
  void OnClosed(TcpConnection& conn) override;
  void OnSendOverflow(TcpConnection& conn) override;

 private:
  void Process();
  void Dispatch(http::HttpRequest& req);
  void Upgrade(http::HttpRequest& req);
  void Finish(const http::HttpResponse& resp, bool keep_alive, bool head);

  // The request being handled: kept alive (with its route match and call object) until the
  // handler responds, which may be after database round trips.
  struct InFlight {
    http::HttpRequest request;
    http::RouteMatch match;
    std::string peer_ip;
    std::unique_ptr<HttpCall> call;
  };
  void Respond(uint64_t seq, http::HttpResponse resp);

  ServerShard& shard_;
  TcpConnection& conn_;
  std::unique_ptr<InFlight> inflight_;
  bool keep_alive_ = true;
  bool head_ = false;
  std::string in_;
  size_t in_off_ = 0;
  bool busy_ = false;  // a request is waiting for its handler's response
  uint64_t request_seq_ = 0;
  bool closed_ = false;
  http::HttpLimits limits_;
};

}  // namespace asobi
