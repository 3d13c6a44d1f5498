#include "game/matchmaker/matchmaker_handlers.h"

#include <cmath>

#include "game/matchmaker/matchmaker.h"
#include "game/matchmaker/matchmaker_wire.h"
#include "protocol/frame.h"

namespace asobi::matchmaker {
namespace {

constexpr size_t kModeBytesMax = 64;  // websocket.md §6.1

// Runs `fn(client)` if the socket `ref` of this shard is still open.
template <typename F>
void WithClient(GameShard* game, const ClientRef& ref, F&& fn) {
  Client* c = game->find_client ? game->find_client(ref) : nullptr;
  if (c != nullptr) fn(*c);
}

void OnAdd(WsContext& ctx, const Envelope& env) {
  const std::string* cid = env.cid();
  Matchmaker* mm = Matchmaker::OnThisShard();
  if (mm == nullptr) return ctx.client.SendError("internal", cid, "matchmaker.add", {});
  AddRequest req;
  Status parsed = ParseAddRequest(env.payload, false, &req);
  if (!parsed.ok()) return ctx.client.SendError(parsed.error().reason, cid, "matchmaker.add", {});
  if (!mm->node().FindMode(req.mode)) {
    return ctx.client.SendError("unknown_mode", cid, "matchmaker.add", {});
  }
  req.player_id = ctx.client.player_id();
  req.client = ctx.client.ref();
  ClientRef ref = ctx.client.ref();
  GameShard* game = &ctx.game;
  std::string cid_copy = env.has_cid ? env.cid_json : std::string();
  bool has_cid = env.has_cid;
  mm->Add(std::move(req), [game, ref, cid_copy, has_cid](Result<AddReply> r) {
    WithClient(game, ref, [&](Client& c) {
      const std::string* cidp = has_cid ? &cid_copy : nullptr;
      if (!r.ok()) return c.SendError(r.error().reason, cidp, "matchmaker.add", {});
      c.SendFrame(BuildFrame("matchmaker.queued", QueuedPayload(r.value()), cidp));
    });
  });
}

void OnRemove(WsContext& ctx, const Envelope& env) {
  const std::string* cid = env.cid();
  Matchmaker* mm = Matchmaker::OnThisShard();
  if (mm == nullptr) return ctx.client.SendError("internal", cid, "matchmaker.remove", {});
  std::optional<JsonValue> id = GetField(env.payload, "ticket_id");
  if (!id) return ctx.client.SendError("missing_field", cid, "matchmaker.remove", {});
  std::optional<std::string_view> ticket = GetString(env.payload, "ticket_id");
  if (!ticket) return ctx.client.SendError("invalid_payload", cid, "matchmaker.remove", {});
  ClientRef ref = ctx.client.ref();
  GameShard* game = &ctx.game;
  std::string cid_copy = env.has_cid ? env.cid_json : std::string();
  bool has_cid = env.has_cid;
  mm->Remove(std::string(*ticket), ctx.client.player_id(),
             [game, ref, cid_copy, has_cid](Status st) {
               WithClient(game, ref, [&](Client& c) {
                 const std::string* cidp = has_cid ? &cid_copy : nullptr;
                 if (!st.ok()) return c.SendError(st.error().reason, cidp, "matchmaker.remove", {});
                 c.SendFrame(BuildFrame("matchmaker.removed", R"({"success":true})", cidp));
               });
             });
}

}  // namespace

Status ParseAddRequest(JsonValue body, bool properties_must_be_object, AddRequest* req) {
  if (std::optional<JsonValue> mode = GetField(body, "mode")) {
    std::optional<std::string_view> s = GetString(body, "mode");
    if (!s) return MakeError("invalid_payload", "mode must be a string");
    if (s->size() > kModeBytesMax || s->empty()) return MakeError("unknown_mode");
    req->mode = std::string(*s);
  } else {
    req->mode = "default";
  }
  req->properties_json = "{}";
  req->skill = kDefaultSkill;
  if (std::optional<JsonValue> props = GetField(body, "properties")) {
    if (properties_must_be_object && !IsObject(*props)) {
      return MakeError("invalid_payload", "properties must be an object");
    }
    req->properties_json = ToJson(*props);
    if (req->properties_json.size() > kTicketPropertiesBytesMax) {
      return MakeError("invalid_payload", "properties too large");
    }
    if (std::optional<double> skill = GetNumber(*props, "skill"); skill && std::isfinite(*skill)) {
      req->skill = *skill;
    }
  }
  return Ok{};
}

void RegisterMatchmakerHandlers(MessageRegistry<WsContext>& registry) {
  registry.Register("matchmaker.add", &OnAdd, kNeedsAuth | kNeedsPayloadObject);
  registry.Register("matchmaker.remove", &OnRemove, kNeedsAuth | kNeedsPayloadObject);
}

void AddMatchmakerCloseHook(GameShard& game) {
  game.on_client_closed.push_back([](Client& client) {
    if (Matchmaker* mm = Matchmaker::OnThisShard()) mm->OnClientClosed(client.ref());
  });
}

}  // namespace asobi::matchmaker
