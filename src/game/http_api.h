// HttpApi: the REST route table domains register into (rest.md §3), and the call object a
// route handler receives. Handlers run on the shard that owns the connection and answer by
// calling `respond` exactly once, now or later (after a database round trip), on that shard.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "game/game_shard.h"
#include "http/http_request.h"
#include "http/response.h"
#include "http/router.h"

namespace asobi {

/// Delivers the response for one request. Shard-affine; call once. Safe to call after the
/// client disconnected (then it does nothing).
using HttpRespond = std::function<void(http::HttpResponse)>;

/// One routed request. `request` and `route` live until `respond` is called, so a handler
/// that answers later must copy what it needs first.
struct HttpCall {
  const http::HttpRequest& request;
  const http::RouteMatch& route;
  GameShard& game;
  const std::string& peer_ip;
  HttpRespond respond;
  /// Set (true) by the server once nobody waits for the answer (the client disconnected);
  /// handlers hand it to queued blocking work (WorkerPool jobs) so that it can be skipped.
  std::shared_ptr<std::atomic<bool>> gone = std::make_shared<std::atomic<bool>>(false);
};

/// A route handler: runs on the connection's shard and must answer the call exactly once.
using HttpHandler = std::function<void(HttpCall&)>;

/// Built once at start-up (Add is not thread-safe); shared read-only by every shard.
class HttpApi {
 public:
  /// Registers `handler` for `method` + `pattern` (see http::Router for pattern rules).
  void Add(std::string_view method, std::string_view pattern, HttpHandler handler) {
    router_.Add(method, pattern, int(handlers_.size()));
    handlers_.push_back(std::move(handler));
  }
  /// Lookup used by HttpSession: the compiled router and the handler of a matched route_id
  /// (must come from router(); not bounds-checked).
  const http::Router& router() const { return router_; }
  const HttpHandler& handler(int route_id) const { return handlers_[size_t(route_id)]; }

 private:
  http::Router router_;
  std::vector<HttpHandler> handlers_;
};

}  // namespace asobi
