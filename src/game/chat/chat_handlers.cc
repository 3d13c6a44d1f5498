#include "game/chat/chat_handlers.h"

#include <string>
#include <utility>

#include "base/clock.h"
#include "game/chat/channel_id.h"
#include "game/chat/chat_acl.h"
#include "game/chat/chat_service.h"
#include "game/chat/dm_send.h"
#include "protocol/frame.h"
#include "protocol/json_writer.h"

namespace asobi::chat {
namespace {

// What an asynchronous answer needs: the socket and the request's cid.
struct Reply {
  GameShard* game;
  ClientRef ref;
  bool has_cid;
  std::string cid;

  Reply(WsContext& ctx, const Envelope& env)
      : game(&ctx.game),
        ref(ctx.client.ref()),
        has_cid(env.has_cid),
        cid(env.has_cid ? env.cid_json : std::string()) {}
  Client* client() const { return game->find_client ? game->find_client(ref) : nullptr; }
  const std::string* cidp() const { return has_cid ? &cid : nullptr; }
  void Error(std::string_view reason, std::string_view type) const {
    if (Client* c = client()) c->SendError(reason, cidp(), type, {});
  }
};

std::string ChannelPayload(std::string_view channel_id) {
  JsonWriter w;
  w.BeginObject();
  w.Key("channel_id");
  w.String(channel_id);
  w.EndObject();
  return w.Take();
}

// payload.channel_id as a string, or answers missing_field / invalid_payload.
std::optional<std::string_view> ChannelField(WsContext& ctx, const Envelope& env,
                                             std::string_view type) {
  if (!GetField(env.payload, "channel_id")) {
    ctx.client.SendError("missing_field", env.cid(), type, {});
    return std::nullopt;
  }
  std::optional<std::string_view> id = GetString(env.payload, "channel_id");
  if (!id) ctx.client.SendError("invalid_payload", env.cid(), type, {});
  return id;
}

void OnJoin(WsContext& ctx, const Envelope& env) {
  std::optional<std::string_view> id = ChannelField(ctx, env, "chat.join");
  if (!id) return;
  ChatService* chat = ChatService::OnThisShard();
  if (chat == nullptr) return ctx.client.SendError("not_ready", env.cid(), "chat.join", {});
  std::optional<ChannelRef> parsed = ParseChannelId(*id);
  if (!parsed) return ctx.client.SendError("invalid_channel_id", env.cid(), "chat.join", {});
  std::string channel(*id);
  Reply reply(ctx, env);
  CheckAccess(chat->db(), chat->acl(), ctx.client.player_id(), channel, *parsed,
              [reply = std::move(reply), channel](Access a) {
                ChatService* chat = ChatService::OnThisShard();
                Client* c = reply.client();
                if (c == nullptr || chat == nullptr) return;
                if (a == Access::kUnavailable) return reply.Error("not_ready", "chat.join");
                if (a == Access::kDenied) return reply.Error("not_authorized", "chat.join");
                // The bound counts every joined channel, even when this one is among them.
                if (chat->JoinedCount(reply.ref) >= kChannelsPerSocketMax) {
                  return reply.Error("too_many_channels", "chat.join");
                }
                chat->Join(reply.ref, channel, [reply, channel] {
                  if (Client* c = reply.client()) {
                    c->SendFrame(BuildFrame("chat.joined", ChannelPayload(channel), reply.cidp()));
                  }
                });
              });
}

void OnLeave(WsContext& ctx, const Envelope& env) {
  std::optional<std::string_view> id = ChannelField(ctx, env, "chat.leave");
  if (!id) return;
  if (ChatService* chat = ChatService::OnThisShard()) {
    chat->Leave(ctx.client.ref(), std::string(*id));
  }
  ctx.client.SendFrame(BuildFrame("chat.left", ChannelPayload(*id), env.cid()));
}

void OnSend(WsContext& ctx, const Envelope& env) {
  if (!GetField(env.payload, "channel_id") || !GetField(env.payload, "content")) {
    return ctx.client.SendError("invalid_payload", env.cid(), "chat.send", {});
  }
  std::optional<std::string_view> content = GetString(env.payload, "content");
  if (!content || content->size() > kContentBytesMax) return;  // dropped silently (§8.4)
  std::optional<std::string_view> id = GetString(env.payload, "channel_id");
  std::optional<ChannelRef> parsed;
  if (id) parsed = ParseChannelId(*id);
  if (!parsed) return ctx.client.SendError("not_authorized", env.cid(), "chat.send", {});
  ChatService* chat = ChatService::OnThisShard();
  if (chat == nullptr) return ctx.client.SendError("not_ready", env.cid(), "chat.send", {});
  ChatMessage msg{std::string(*id), std::string(ChannelTypeOf(parsed->kind)),
                  ctx.client.player_id(), std::string(*content), UnixMs()};
  // A joined socket passed the ACL at chat.join. World membership can end since, so the world
  // forms are asked again: a socket in that world itself sends at once (shard-local lookup);
  // otherwise the ACL asks the node's world index.
  const bool world_form = parsed->kind == ChannelKind::kWorld ||
                          parsed->kind == ChannelKind::kZone || parsed->kind == ChannelKind::kProx;
  if (world_form ? chat->acl().socket_in_world &&
                       chat->acl().socket_in_world(ctx.client.ref(), parsed->world)
                 : chat->IsJoined(ctx.client.ref(), msg.channel_id)) {
    return chat->Publish(std::move(msg), true);
  }
  Reply reply(ctx, env);
  std::string channel = msg.channel_id;
  CheckAccess(chat->db(), chat->acl(), ctx.client.player_id(), channel, *parsed,
              [reply = std::move(reply), msg = std::move(msg)](Access a) mutable {
                ChatService* chat = ChatService::OnThisShard();
                if (chat == nullptr) return;
                if (a == Access::kUnavailable) return reply.Error("not_ready", "chat.send");
                if (a == Access::kDenied) return reply.Error("not_authorized", "chat.send");
                chat->Publish(std::move(msg), true);
              });
}

void OnDmSend(WsContext& ctx, const Envelope& env) {
  std::string recipient, content;
  std::string_view bad = ValidateDm(env.payload, &recipient, &content);
  if (!bad.empty()) return ctx.client.SendError(bad, env.cid(), "dm.send", {});
  ChatService* chat = ChatService::OnThisShard();
  if (chat == nullptr) return ctx.client.SendError("not_ready", env.cid(), "dm.send", {});
  Reply reply(ctx, env);
  SendDm(ctx.game, *chat, ctx.client.player_id(), recipient, std::move(content),
         [reply = std::move(reply)](std::string_view reason, const std::string& channel) {
           if (!reason.empty()) return reply.Error(reason, "dm.send");
           if (Client* c = reply.client()) {
             c->SendFrame(BuildFrame("dm.sent", ChannelPayload(channel), reply.cidp()));
           }
         });
}

}  // namespace

void RegisterChatHandlers(MessageRegistry<WsContext>& registry) {
  registry.Register("chat.join", &OnJoin, kNeedsAuth | kNeedsPayloadObject);
  registry.Register("chat.leave", &OnLeave, kNeedsPayloadObject);
  registry.Register("chat.send", &OnSend, kNeedsAuth | kNeedsPayloadObject);
  registry.Register("dm.send", &OnDmSend, kNeedsAuth | kNeedsPayloadObject);
}

}  // namespace asobi::chat
