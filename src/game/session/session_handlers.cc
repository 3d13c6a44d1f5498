#include "game/session/session_handlers.h"

#include "base/clock.h"
#include "protocol/frame.h"
#include "protocol/json_value.h"
#include "protocol/json_writer.h"

namespace asobi {
namespace {

// session.heartbeat: works before authentication, payload ignored; replies {ts} with the cid.
void OnHeartbeat(WsContext& ctx, const Envelope& env) {
  ctx.client.SendFrame(BuildHeartbeatReply(UnixMs(), env.cid()));
}

// session.connect: {token, wire?} -> session.connected {player_id, wire} or invalid_token.
// `wire` is granted "binary" only when asked for with exactly "binary" and kBinaryWire (the
// server's --binary-wire); anything else is "json" (websocket.md §2.2). The grant is bound to
// the socket with the player (Client::binary_wire()); a later session.connect replaces it.
template <bool kBinaryWire>
void OnConnect(WsContext& ctx, const Envelope& env) {
  std::optional<std::string_view> token = GetString(env.payload, "token");
  std::string cid = env.has_cid ? env.cid_json : std::string();
  bool has_cid = env.has_cid;
  if (!token || ctx.game.verifier == nullptr) {
    ctx.client.SendError("invalid_token", has_cid ? &cid : nullptr);
    return;
  }
  bool binary = kBinaryWire && GetString(env.payload, "wire") == "binary";  // not const: captured
  ClientRef ref = ctx.client.ref();
  Client* client = &ctx.client;
  GameShard* game = &ctx.game;
  ctx.game.verifier->Verify(
      *token, [ref, client, cid = std::move(cid), has_cid, game, binary](Result<VerifiedPlayer> r) {
        // The verifier may answer later; the client may have gone meanwhile.
        Client* c = game->find_client ? game->find_client(ref) : client;
        if (c == nullptr) return;
        const std::string* cidp = has_cid ? &cid : nullptr;
        if (!r.ok()) {
          c->SendError(r.error().reason == "not_ready" ? "not_ready" : "invalid_token", cidp);
          return;
        }
        c->BindPlayer(r.value().player_id, binary);
        if (r.value().bind) r.value().bind(c->ref());
        JsonWriter w;
        w.BeginObject();
        w.Key("player_id");
        w.String(r.value().player_id);
        w.Key("wire");
        w.String(binary ? "binary" : "json");
        w.EndObject();
        c->SendFrame(BuildFrame("session.connected", w.out(), cidp));
        for (auto& hook : game->on_client_authenticated) hook(*c);
      });
}

}  // namespace

void RegisterSessionHandlers(MessageRegistry<WsContext>& registry, const SessionOptions& options) {
  registry.Register("session.heartbeat", &OnHeartbeat, kNoFlags);
  registry.Register("session.connect", options.binary_wire ? &OnConnect<true> : &OnConnect<false>,
                    kNeedsPayload);
}

}  // namespace asobi
