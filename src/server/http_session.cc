#include "server/http_session.h"

#include "base/log.h"
#include "http/content_type.h"
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

// rest.md §1.1: bodies are read (as JSON) for methods other than GET and DELETE.
bool BodyIsRead(std::string_view method) {
  return method != "GET" && method != "HEAD" && method != "DELETE" && method != "OPTIONS";
}
}  // namespace

HttpSession::HttpSession(ServerShard& shard, TcpConnection& conn) : shard_(shard), conn_(conn) {
  limits_.body_bytes_max = shard.shared.config.http_body_bytes_max;
  deadline_.Set(conn_, shard_.shared.config.http_idle_timeout_ms);
}

HttpSession::~HttpSession() {
  // A handler may still be waiting on the database or the worker pool with references into
  // the request: keep the request alive until it responds (ServerShard::orphan_calls).
  // inflight_ holds a call only while its handler has not answered.
  if (inflight_ && inflight_->call) OrphanInFlight();
}

void HttpSession::OrphanInFlight() {
  HttpCall* key = inflight_->call.get();
  key->gone->store(true, std::memory_order_release);  // nobody waits: queued hashing is skipped
  shard_.orphan_calls[key] = std::shared_ptr<void>(std::move(inflight_));
}

size_t HttpSession::buffered_bytes_max() const {
  return limits_.uri_bytes_max + limits_.header_bytes_max + limits_.body_bytes_max + kPauseBytes +
         kPauseSlackBytes;
}

void HttpSession::OnData(TcpConnection&, std::string_view data) {
  switch (phase_) {
    case Phase::kLinger:  // lingering close: read and discard
    case Phase::kDone:
      return;
    case Phase::kBusy:
      in_.append(data);
      if (buffered_bytes() > buffered_bytes_max()) {
        LOG_DEBUG("http input bound passed while busy, closing")
            .KV("bytes", int64_t(buffered_bytes()));
        phase_ = Phase::kDone;  // a handler still working keeps its request (destructor)
        conn_.Close();
        return;
      }
      UpdateReadPause();
      return;
    default:
      in_.append(data);
      Process();
  }
}

// A handler still working keeps its request either way (see the destructor and Respond).
void HttpSession::OnClosed(TcpConnection&) { phase_ = Phase::kDone; }

std::string HttpSession::ClientIp(const http::HttpRequest& req) const {
  const TrustedProxies& trusted = shard_.shared.config.trusted_proxies;
  if (trusted.empty() || !req.HasHeader("x-forwarded-for")) return conn_.peer_ip();
  std::string joined;  // every X-Forwarded-For line, in wire order
  for (const auto& [name, value] : req.headers) {
    if (name != "x-forwarded-for") continue;
    if (!joined.empty()) joined += ", ";
    joined += value;
  }
  return trusted.ClientIp(conn_.peer_ip(), joined);
}

void HttpSession::OnSendOverflow(TcpConnection& conn) {
  phase_ = Phase::kDone;
  conn.Close();
}

void HttpSession::OnDeadline(TcpConnection& conn) {
  if (!deadline_.Expired(conn)) return;
  switch (phase_) {
    case Phase::kIdle:  // nothing buffered: close quietly (a FIN, no response)
    case Phase::kLinger:
      phase_ = Phase::kDone;
      conn.Close();
      return;
    case Phase::kHeader:
    case Phase::kBody:
      Finish(http::ErrorResponse("request_timeout", phase_ == Phase::kHeader
                                                        ? "The request headers came too slowly"
                                                        : "The request body came too slowly"),
             false, false);
      return;
    case Phase::kBusy:
      TimeOutRequest();
      return;
    case Phase::kDone:
      return;
  }
}

// Switches to `phase` and (re)starts its deadline from now.
void HttpSession::EnterPhase(Phase phase) {
  phase_ = phase;
  const Config& c = shard_.shared.config;
  switch (phase) {
    case Phase::kIdle:
      deadline_.Set(conn_, c.http_idle_timeout_ms);
      break;
    case Phase::kHeader:
      deadline_.Set(conn_, c.http_header_timeout_ms);
      break;
    case Phase::kBody:
      deadline_.Set(conn_, c.http_body_timeout_ms);
      break;
    case Phase::kBusy:
      deadline_.Set(conn_, c.http_request_timeout_ms);
      break;
    case Phase::kLinger:
      deadline_.Set(conn_, c.http_linger_ms);
      break;
    case Phase::kDone:
      deadline_.Clear();
      break;
  }
}

void HttpSession::Process() {
  if (conn_.closing()) {  // closed from outside (drain): no new work for this connection
    phase_ = Phase::kDone;
    return;
  }
  in_process_ = true;
  while ((phase_ == Phase::kIdle || phase_ == Phase::kHeader || phase_ == Phase::kBody) &&
         in_off_ < in_.size()) {
    if (!ParseNext()) break;
    if (conn_.handler() != this) {  // upgraded: this handler is done
      in_process_ = false;
      return;
    }
  }
  in_process_ = false;
  if (phase_ == Phase::kIdle || phase_ == Phase::kHeader || phase_ == Phase::kBody) {
    if (in_off_ == in_.size()) EnterPhase(Phase::kIdle);
  }
  Compact();
  UpdateReadPause();
}

// Parses the request at the front of the buffer and dispatches it when complete. False when
// it is incomplete (the phase says which part is missing) or the connection is ending.
bool HttpSession::ParseNext() {
  const std::string_view buf(in_.data() + in_off_, in_.size() - in_off_);
  if (need_bytes_ > buf.size()) return false;  // body still arriving: nothing to re-parse
  http::HttpRequest req;
  size_t consumed = 0;
  http::ParseResult pr = http::ParseRequest(buf, limits_, &req, &consumed, &cursor_);
  if (pr.status == http::ParseStatus::kNeedMore) {
    if (pr.request_bytes > 0) {  // the head is in, the body is not
      need_bytes_ = pr.request_bytes;
      if (phase_ != Phase::kBody) EnterPhase(Phase::kBody);
      if (pr.expect_continue && !continue_sent_) {
        continue_sent_ = true;
        conn_.Send("HTTP/1.1 100 Continue\r\n\r\n");
      }
    } else if (phase_ == Phase::kIdle) {
      EnterPhase(Phase::kHeader);
    }
    return false;
  }
  if (pr.status == http::ParseStatus::kError) {
    Finish(http::ParseErrorResponse(pr), false, false);
    return false;
  }
  in_off_ += consumed;
  need_bytes_ = 0;
  cursor_ = {};
  continue_sent_ = false;
  shard_.shard.metrics().http_requests.fetch_add(1, std::memory_order_relaxed);
  Dispatch(req);
  return true;
}

void HttpSession::Compact() {
  if (in_off_ == in_.size()) {
    in_.clear();
    in_off_ = 0;
  } else if (in_off_ > kCompactBytes) {
    in_.erase(0, in_off_);
    in_off_ = 0;
  }
}

void HttpSession::UpdateReadPause() {
  const bool pause = phase_ == Phase::kBusy && buffered_bytes() > kPauseBytes;
  if (pause == conn_.recv_paused()) return;
  if (pause) {
    conn_.PauseRecv();
  } else {
    conn_.ResumeRecv();
  }
}

void HttpSession::Finish(const http::HttpResponse& resp, bool keep_alive, bool head) {
  if (phase_ == Phase::kDone || phase_ == Phase::kLinger) return;
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
  if (!keep_alive) Linger();
}

// Ends the connection after the response just queued without an RST: half-close, then read
// and discard what the client still sends until it closes or the linger deadline passes.
void HttpSession::Linger() {
  in_.clear();
  in_off_ = 0;
  if (shard_.draining) {  // shutting down: no lingering, the drain bounds the wait
    phase_ = Phase::kDone;
    conn_.Close();
    return;
  }
  EnterPhase(Phase::kLinger);
  conn_.ResumeRecv();
  conn_.ShutdownWrite();
}

void HttpSession::Dispatch(http::HttpRequest& req) {
  bool head = req.method == "HEAD";
  if (req.method == "OPTIONS") {  // CORS preflight: 200, empty, before auth (rest.md §4.4)
    http::HttpResponse resp;
    resp.status = 200;
    Finish(resp, req.keep_alive, false);
    return;
  }
  if (req.path == "/ws") {  // websocket.md §2.1: the upgrade is GET only
    if (req.method == "GET") {
      Upgrade(req);
    } else {
      Finish(http::MethodNotAllowedResponse("GET"), req.keep_alive, head);
    }
    return;
  }
  if (req.method == "POST" && shard_.shared.draining.load(std::memory_order_relaxed) &&
      (req.path == "/api/v1/matchmaker" || req.path == "/api/v1/matchmaker/tickets" ||
       req.path == "/api/v1/worlds")) {
    // Draining: no new tickets or worlds here (docs/decisions.md "SIGTERM drain").
    Finish(http::ErrorResponse("not_ready", "The server is draining"), false, head);
    return;
  }
  const HttpApi& api = shard_.shared.http_api;
  inflight_ = std::make_unique<InFlight>();
  inflight_->request = std::move(req);
  http::HttpRequest& r = inflight_->request;
  inflight_->peer_ip = ClientIp(r);
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
  // rest.md §1.1 reads JSON bodies only; a body of any other type (text/plain, forms: what a
  // page on another origin can post without a CORS preflight) is refused, not parsed.
  if (!r.body.empty() && BodyIsRead(r.method) &&
      !http::IsJsonContentType(r.Header("content-type"))) {
    Finish(http::ErrorResponse("unsupported_media_type", "The request body must be JSON"),
           r.keep_alive, head);
    return;
  }
  StartCall(api, head);
}

// Hands the request in inflight_ to its route handler; the session is busy until it answers
// (Respond) or the request deadline passes (TimeOutRequest).
void HttpSession::StartCall(const HttpApi& api, bool head) {
  http::HttpRequest& r = inflight_->request;
  const http::RouteMatch& match = inflight_->match;
  phase_ = Phase::kBusy;  // the deadline is armed below, unless the handler answers at once
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
        // The client went away or the request timed out (503 sent): drop the late answer
        // and free the orphaned request once this call has returned.
        auto it = shard->orphan_calls.find(flight->call.get());
        if (it != shard->orphan_calls.end()) {
          shard->shard.reactor().Post([keep = std::move(it->second)]() mutable { keep.reset(); });
          shard->orphan_calls.erase(it);
        }
      }});
  api.handler(match.route_id)(*inflight_->call);
  if (phase_ == Phase::kBusy) EnterPhase(Phase::kBusy);
}

void HttpSession::Respond(uint64_t seq, http::HttpResponse resp) {
  // The handler may still be on the stack (it called respond synchronously): free the
  // request state next turn.
  if (inflight_) {
    conn_.reactor().Post([done = std::move(inflight_)]() mutable { done.reset(); });
  }
  if (request_seq_ != seq || phase_ != Phase::kBusy) return;  // closing: drop the answer
  phase_ = Phase::kIdle;  // the deadline follows below, or in Process()
  Finish(resp, keep_alive_, head_);
  if (phase_ != Phase::kIdle || in_process_) return;  // lingering, or Process() goes on
  EnterPhase(Phase::kIdle);
  UpdateReadPause();
  if (in_off_ < in_.size()) {
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

// The handler did not answer within --http-request-timeout-ms: the client gets 503
// `not_ready` now, the request state waits in orphan_calls for the late answer, which is
// dropped, and the connection goes on with the next request.
void HttpSession::TimeOutRequest() {
  LOG_WARN("http request timed out")
      .KV("path", inflight_ ? std::string_view(inflight_->request.path) : std::string_view());
  if (inflight_) OrphanInFlight();
  phase_ = Phase::kIdle;
  Finish(http::ErrorResponse("not_ready", "The server could not answer in time"), keep_alive_,
         head_);
  if (phase_ != Phase::kIdle) return;
  EnterPhase(Phase::kIdle);
  Process();
}

void HttpSession::Upgrade(http::HttpRequest& req) {
  UpgradeCheck check = ValidateUpgrade(req.method, req.Header("upgrade"), req.Header("connection"),
                                       req.Header("sec-websocket-key"),
                                       req.Header("sec-websocket-version"), req.version_minor);
  if (!check.ok) {
    http::HttpResponse resp = http::ErrorResponse("invalid_payload", check.reason);
    resp.status = check.http_status;
    if (check.http_status == 426) resp.extra_headers.push_back({"sec-websocket-version", "13"});
    Finish(resp, false, false);
    return;
  }
  // Draining (SIGTERM): no new sockets; 503 before the 101 so that a client or the load
  // balancer retries on another node (docs/decisions.md "SIGTERM drain").
  if (shard_.shared.draining.load(std::memory_order_relaxed)) {
    Finish(http::ErrorResponse("not_ready", "The server is draining"), false, false);
    return;
  }
  // websocket.md §2.1: limits and origin are checked after the 101, as close frames.
  std::string_view reject;
  std::string client_ip = ClientIp(req);
  if (!shard_.shared.AllowUpgrade(client_ip, shard_.shard.reactor().now_ms())) {
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
  EnterPhase(Phase::kDone);  // this handler is done; the WsSession owns the connection now
  auto ws = std::make_unique<WsSession>(shard_, conn_, reject, std::move(client_ip));
  WsSession* wsp = ws.get();
  conn_.SetHandler(std::move(ws));
  if (!rest.empty()) wsp->OnData(conn_, rest);
}

}  // namespace asobi
