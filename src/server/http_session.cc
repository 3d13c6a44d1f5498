#include "server/http_session.h"

#include "base/log.h"
#include "http/error_response.h"
#include "server/ws_session.h"
#include "ws/handshake.h"

namespace asobi {
namespace {
constexpr size_t kCompactBytes = 64 * 1024;
// rest.md §4.5: every response, the 101 included.
constexpr std::string_view kUpgradeSecurityHeaders =
    "x-content-type-options: nosniff\r\n"
    "x-frame-options: DENY\r\n"
    "x-xss-protection: 0\r\n"
    "referrer-policy: strict-origin-when-cross-origin\r\n"
    "permissions-policy: camera=(), microphone=(), geolocation=()\r\n"
    "strict-transport-security: max-age=31536000; includeSubDomains\r\n";
}  // namespace

HttpSession::HttpSession(ServerShard& shard, TcpConnection& conn) : shard_(shard), conn_(conn) {
  limits_.body_bytes_max = shard.shared.config.http_body_bytes_max;
}

HttpSession::~HttpSession() {
  // A handler may still be waiting on the database or the worker pool with references into
  // the request: keep the request alive until it responds (ServerShard::orphan_calls).
  if (busy_ && inflight_) {
    HttpCall* key = inflight_->call.get();
    key->gone->store(true, std::memory_order_release);  // queued hashing is skipped
    shard_.orphan_calls[key] = std::shared_ptr<void>(std::move(inflight_));
  }
}

void HttpSession::OnData(TcpConnection&, std::string_view data) {
  if (closed_) return;
  in_.append(data);
  Process();
}

void HttpSession::OnClosed(TcpConnection&) { closed_ = true; }

void HttpSession::OnSendOverflow(TcpConnection& conn) {
  closed_ = true;
  conn.Close();
}

void HttpSession::Process() {
  while (!busy_ && !closed_ && in_off_ < in_.size()) {
    http::HttpRequest req;
    size_t consumed = 0;
    std::string_view buf(in_.data() + in_off_, in_.size() - in_off_);
    http::ParseResult pr = http::ParseRequest(buf, limits_, &req, &consumed);
    if (pr.status == http::ParseStatus::kNeedMore) {
      if (pr.expect_continue) conn_.Send("HTTP/1.1 100 Continue\r\n\r\n");
      break;
    }
    if (pr.status == http::ParseStatus::kError) {
      Finish(http::ParseErrorResponse(pr), false, false);
      return;
    }
    in_off_ += consumed;
    shard_.shard.metrics().http_requests.fetch_add(1, std::memory_order_relaxed);
    Dispatch(req);
    if (!conn_.handler() || conn_.handler() != this) return;  // upgraded
  }
  if (in_off_ == in_.size()) {
    in_.clear();
    in_off_ = 0;
  } else if (in_off_ > kCompactBytes) {
    in_.erase(0, in_off_);
    in_off_ = 0;
  }
}

void HttpSession::Finish(const http::HttpResponse& resp, bool keep_alive, bool head) {
  if (closed_) return;
  if (shard_.draining) keep_alive = false;
  std::string out;
  out.reserve(512 + resp.body.size());
  http::ResponseOptions opts;
  opts.cors_origin = shard_.shared.config.cors_origin;
  opts.keep_alive = keep_alive;
  opts.head_request = head;
  opts.date = shard_.HttpDate();
  http::SerializeResponse(resp, opts, &out);
  conn_.Send(out);
  if (!keep_alive) {
    closed_ = true;
    conn_.Close();
  }
}

void HttpSession::Dispatch(http::HttpRequest& req) {
  if (req.path == "/ws" && req.method == "GET" && req.HasHeader("upgrade")) {
    Upgrade(req);
    return;
  }
  bool head = req.method == "HEAD";
  if (req.method == "OPTIONS") {  // CORS preflight: 200, empty, before auth (rest.md §4.4)
    http::HttpResponse resp;
    resp.status = 200;
    Finish(resp, req.keep_alive, false);
    return;
  }
  const HttpApi& api = shard_.shared.http_api;
  inflight_ = std::make_unique<InFlight>();
  inflight_->request = std::move(req);
  http::HttpRequest& r = inflight_->request;
  inflight_->peer_ip = conn_.peer_ip();
  std::string_view method = head ? std::string_view("GET") : std::string_view(r.method);
  inflight_->match = api.router().Match(method, r.path);
  const http::RouteMatch& match = inflight_->match;
  if (match.status == http::RouteStatus::kNotFound) {
    Finish(http::NotFoundResponse(), r.keep_alive, head);
    return;
  }
  if (match.status == http::RouteStatus::kMethodNotAllowed) {
    Finish(http::MethodNotAllowedResponse(match.allow), r.keep_alive, head);
    return;
  }
  busy_ = true;
  keep_alive_ = r.keep_alive;
  head_ = head;
  uint64_t seq = ++request_seq_;
  ConnectionTable* table = &shard_.connections;
  ConnId id = conn_.id();
  ServerShard* shard = &shard_;
  InFlight* flight = inflight_.get();
  inflight_->call = std::make_unique<HttpCall>(HttpCall{
      r, match, shard_.game, inflight_->peer_ip,
      [shard, table, id, seq, flight](http::HttpResponse resp) {
        TcpConnection* c = table->Find(id);
        auto* self = c ? dynamic_cast<HttpSession*>(c->handler()) : nullptr;
        if (self != nullptr && self->inflight_.get() == flight) {
          self->Respond(seq, std::move(resp));
          return;
        }
        // The client went away: drop the orphaned request once this call has returned.
        auto it = shard->orphan_calls.find(flight->call.get());
        if (it != shard->orphan_calls.end()) {
          shard->shard.reactor().Post([keep = std::move(it->second)]() mutable { keep.reset(); });
          shard->orphan_calls.erase(it);
        }
      }});
  api.handler(match.route_id)(*inflight_->call);
}

void HttpSession::Respond(uint64_t seq, http::HttpResponse resp) {
  if (request_seq_ != seq || !busy_) return;
  busy_ = false;
  Finish(resp, keep_alive_, head_);
  // The handler may still be on the stack (it called respond synchronously): free the
  // request state next turn.
  if (inflight_) {
    conn_.reactor().Post([done = std::move(inflight_)]() mutable { done.reset(); });
  }
  if (!closed_ && in_off_ < in_.size()) {
    // Pipelined requests waited for this one; continue next turn.
    ConnectionTable* table = &shard_.connections;
    ConnId id = conn_.id();
    conn_.reactor().Post([table, id] {
      TcpConnection* c = table->Find(id);
      if (!c) return;
      if (auto* s = dynamic_cast<HttpSession*>(c->handler())) s->Process();
    });
  }
}

void HttpSession::Upgrade(http::HttpRequest& req) {
  UpgradeCheck check =
      ValidateUpgrade(req.method, req.Header("upgrade"), req.Header("connection"),
                      req.Header("sec-websocket-key"), req.Header("sec-websocket-version"));
  if (!check.ok) {
    http::HttpResponse resp = http::ErrorResponse("invalid_payload", check.reason);
    resp.status = check.http_status;
    if (check.http_status == 426) resp.extra_headers.push_back({"sec-websocket-version", "13"});
    Finish(resp, false, false);
    return;
  }
  // websocket.md §2.1: limits and origin are checked after the 101, as close frames.
  std::string_view reject;
  if (!shard_.shared.AllowUpgrade(conn_.peer_ip(), shard_.shard.reactor().now_ms())) {
    reject = "rate_limited";
  } else if (!OriginAllowed(req.Header("origin"), shard_.shared.config.ws_allowed_origins)) {
    reject = "origin_rejected";
  }
  std::string resp = BuildUpgradeResponse(req.Header("sec-websocket-key"),
                                          FirstSubprotocol(req.Header("sec-websocket-protocol")),
                                          kUpgradeSecurityHeaders);
  conn_.Send(resp);
  std::string rest = in_.substr(in_off_);
  in_.clear();
  in_off_ = 0;
  closed_ = true;  // this handler is done; the WsSession owns the connection now
  auto ws = std::make_unique<WsSession>(shard_, conn_, reject);
  WsSession* wsp = ws.get();
  conn_.SetHandler(std::move(ws));
  if (!rest.empty()) wsp->OnData(conn_, rest);
}

}  // namespace asobi
