#include "server/ws_session.h"

#include "base/log.h"
#include "protocol/errors.h"

namespace asobi {
namespace {

// While the node drains, messages that would seat the player in something new (a match, a
// world, a matchmaker queue) are refused with `not_ready` (docs/decisions.md "SIGTERM drain").
// Returns the type (a literal) or "" for any other.
std::string_view StartsNewWork(std::string_view type) {
  static constexpr std::string_view kRefused[] = {
      "matchmaker.add", "match.join", "match.find_or_create",
      "world.create",   "world.join", "world.find_or_create",
  };
  for (std::string_view t : kRefused) {
    if (t == type) return t;
  }
  return {};
}

}  // namespace

WsSession::WsSession(ServerShard& shard, TcpConnection& conn, std::string_view reject_reason,
                     std::string client_ip)
    : shard_(shard),
      conn_(conn),
      client_ip_(std::move(client_ip)),
      codec_(this),
      rate_(shard.shard.reactor().now_ms(), shard.shared.config.ws_msgs_per_window,
            shard.shared.config.ws_window_ms) {
  shard_.shard.metrics().ws_sessions.fetch_add(1, std::memory_order_relaxed);
  if (!reject_reason.empty()) {
    Close(1008, reject_reason);
    return;
  }
  deadline_.Set(conn_, shard_.shared.config.ws_idle_auth_timeout_ms);
}

WsSession::~WsSession() = default;

void WsSession::OnDeadline(TcpConnection& conn) {
  if (!deadline_.Expired(conn) || closing_) return;
  if (authenticated()) {
    Close(1000, "");
  } else {
    Close(1008, "idle_auth_timeout");
  }
}

void WsSession::OnData(TcpConnection&, std::string_view data) {
  if (closing_) return;
  // Any inbound byte (data, ping, a partial frame) ends a silence, as with upstream's
  // transport idle timeout; before authentication the idle-auth deadline stands.
  if (authenticated()) deadline_.Set(conn_, shard_.shared.config.ws_idle_timeout_ms);
  codec_.Feed(data);
}

void WsSession::OnClosed(TcpConnection&) {
  closing_ = true;
  shard_.shard.metrics().ws_sessions.fetch_sub(1, std::memory_order_relaxed);
  for (auto& hook : shard_.game.on_client_closed) hook(*this);
}

void WsSession::OnSendOverflow(TcpConnection& conn) {
  // A slow reader: drop what is queued and close with 1008 (bounded memory, never grow).
  closing_ = true;
  std::string frame;
  WsCodec::EncodeCloseFrame(1008, "send_queue_overflow", &frame);
  conn.AbortWith(frame);
}

void WsSession::SendFrame(std::string_view json) {
  if (closing_ || !codec_.can_send()) return;
  char header[10];
  size_t n = WsCodec::EncodeServerFrameHeader(0x1, json.size(), header);
  conn_.Send(std::string_view(header, n));
  conn_.Send(json);
  shard_.shard.metrics().frames_out.fetch_add(1, std::memory_order_relaxed);
}

void WsSession::SendEncoded(const SharedBuffer& ws_frame) {
  if (closing_ || !codec_.can_send()) return;
  conn_.Send(ws_frame);
  shard_.shard.metrics().frames_out.fetch_add(1, std::memory_order_relaxed);
}

void WsSession::SendError(std::string_view reason, const std::string* cid_json,
                          std::string_view extra_type, std::string_view details_json) {
  scratch_.clear();
  JsonWriter w(std::move(scratch_));
  WriteErrorFrame(&w, reason, cid_json, extra_type, details_json);
  scratch_ = std::move(w.out());
  SendFrame(scratch_);
}

void WsSession::Close(uint16_t code, std::string_view reason) {
  if (closing_) return;
  closing_ = true;
  if (codec_.can_send()) codec_.SendClose(code, reason);
  conn_.Close();
}

ClientRef WsSession::ref() const {
  return ClientRef{shard_.shard.id(), conn_.id().index, conn_.id().gen};
}

void WsSession::BindPlayer(std::string player_id, bool binary_wire) {
  // DECISIONS.md wire 3: a second session.connect replaces the session on this socket.
  player_id_ = std::move(player_id);
  binary_wire_ = binary_wire;
  deadline_.Set(conn_, shard_.shared.config.ws_idle_timeout_ms);  // replaces idle-auth
}

// websocket.md §3: a message over the rate gets `rate_limited` and the socket stays open;
// --ws-rate-limit-close-after such messages in a row close it with 1008 `rate_limited`
// (docs/decisions.md), so a client that ignores the errors cannot keep the server busy
// answering them.
bool WsSession::RateAllowed() {
  if (rate_.Allow(shard_.shard.reactor().now_ms())) {
    denied_in_row_ = 0;
    return true;
  }
  SendError("rate_limited", nullptr, {}, {});
  const int close_after = shard_.shared.config.ws_rate_limit_close_after;
  if (close_after > 0 && ++denied_in_row_ >= close_after) Close(1008, "rate_limited");
  return false;
}

void WsSession::OnText(std::string_view msg) {
  if (closing_) return;
  shard_.shard.metrics().frames_in.fetch_add(1, std::memory_order_relaxed);
  // websocket.md §1.2: size (handled by OnTooLarge) -> rate -> JSON -> envelope -> dispatch.
  if (!RateAllowed()) return;
  Envelope env;
  Status st = shard_.envelope_parser.ParseInto(msg, &env);
  if (!st.ok()) {
    SendError(st.error().reason, nullptr, {}, {});
    return;
  }
  std::string_view reason;
  const auto* entry = shard_.shared.ws_registry.Resolve(env, authenticated(), &reason);
  if (entry == nullptr) {
    SendError(reason, env.cid(), {}, {});
    return;
  }
  if (shard_.shared.draining.load(std::memory_order_relaxed)) {
    if (std::string_view refused = StartsNewWork(env.type); !refused.empty()) {
      // The extra `type` key only where the spec has it (websocket.md §4.1: matchmaker.add).
      SendError("not_ready", env.cid(), refused == "matchmaker.add" ? refused : "", {});
      return;
    }
  }
  WsContext ctx{*this, shard_.game};
  entry->handler(ctx, env);
}

void WsSession::OnBinary(size_t) {
  if (closing_) return;
  shard_.shard.metrics().frames_in.fetch_add(1, std::memory_order_relaxed);
  if (!RateAllowed()) return;
  SendError("binary_uplink_unsupported", nullptr, {}, {});
}

void WsSession::OnTooLarge(size_t) {
  if (closing_) return;
  SendError("payload_too_large", nullptr, {}, {});
}

void WsSession::OnClose(uint16_t, std::string_view) {
  // The codec already queued the close reply; close once it is written.
  closing_ = true;
  conn_.Close();
}

void WsSession::OnProtocolError() {
  closing_ = true;
  conn_.Close();
}

void WsSession::OnOutput(std::string_view bytes) { conn_.Send(bytes); }

}  // namespace asobi
