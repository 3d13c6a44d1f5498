#include "game/world/runtime/world_handlers.h"

#include "game/match/input_payload.h"
#include "game/match/join_ctx.h"
#include "game/match/match_handlers.h"
#include "game/match/match_service.h"
#include "game/reply_to.h"
#include "game/world/runtime/world.h"
#include "game/world/runtime/world_chat.h"
#include "game/world/runtime/world_create.h"
#include "game/world/runtime/world_resync.h"
#include "game/world/runtime/world_router.h"
#include "game/world/runtime/world_service.h"
#include "protocol/frame.h"

namespace asobi::world {
namespace {

Client* FindLocal(const ClientRef& ref) {
  WorldService* s = WorldService::OnThisShard();
  return s && s->game().find_client ? s->game().find_client(ref) : nullptr;
}

// On the client's shard: the outcome of a join of `world_id`.
void OnJoined(const ReplyTo& to, const std::string& world_id, const std::string& reason,
              const std::string& joined_json) {
  WorldService* svc = WorldService::OnThisShard();
  Client* c = FindLocal(to.ref);
  if (reason.empty() && c == nullptr) {  // the socket went away meanwhile
    const ClientRef ref = to.ref;
    const std::string player = to.player_id;
    RouteToWorld(*svc, world_id, [player, ref](World& w) { w.Leave(player, &ref); });
    return;
  }
  if (c == nullptr) return;
  if (!reason.empty()) return c->SendError(reason, to.cid_ptr());
  svc->SetClientWorld(to.ref, world_id);
  c->SendFrame(BuildFrame("world.joined", joined_json, to.cid_ptr()));
  // Keyframes follow world.joined: the zones are asked only now (websocket.md §10.3).
  const ClientRef ref = to.ref;
  const std::string player = to.player_id;
  const bool binary = c->binary_wire();
  RouteToWorld(*svc, world_id,
               [player, ref, binary](World& w) { w.Subscribe(player, ref, binary); });
}

// On the world's shard: joins and posts the outcome back to the client's shard.
void JoinOnOwner(World& w, const ReplyTo& to, const std::string& ctx_json) {
  const std::string world_id = w.id();
  WorldService* owner = WorldService::OnThisShard();
  w.Join(to.player_id, to.ref, ctx_json,
         [owner, to, world_id](std::string reason, std::string joined) {
           owner->host().SubmitReplyTo(to.ref.shard, [to, world_id, reason, joined] {
             OnJoined(to, world_id, reason, joined);
           });
         });
}

// On the world's shard: the world was gone; the client hears world_not_found on its shard.
void NotFoundFromOwner(const ReplyTo& to, const std::string& world_id) {
  WorldService* owner = WorldService::OnThisShard();
  owner->host().SubmitReplyTo(to.ref.shard,
                              [to, world_id] { OnJoined(to, world_id, "world_not_found", ""); });
}

bool AllowJoin(WsContext& ctx) {
  match::MatchService* m = match::MatchService::OnThisShard();
  if (m == nullptr) return true;
  return m->node().AllowJoin(ctx.client.player_id(), m->host().NowMs());
}

void OnList(WsContext& ctx, const Envelope& env) {
  std::optional<std::string> mode;
  bool has_capacity = false;
  if (auto v = GetField(env.payload, "mode")) {
    std::string_view m;
    if (v->get(m) != simdjson::SUCCESS || m.size() > 64) {
      return ctx.client.SendError("invalid_mode_filter", env.cid());
    }
    mode = std::string(m);
  }
  if (auto v = GetField(env.payload, "has_capacity")) {
    if (!v->is_bool()) return ctx.client.SendError("invalid_has_capacity_filter", env.cid());
    has_capacity = v->get_bool().value();
  }
  if (auto v = GetField(env.payload, "joinable")) {  // §10.1: type-checked, then ignored
    if (!v->is_bool()) return ctx.client.SendError("invalid_joinable_filter", env.cid());
  }
  std::string payload = "{\"worlds\":[";
  bool first = true;
  for (const WorldListing& l : WorldService::OnThisShard()->node().List(mode, has_capacity)) {
    if (!first) payload.push_back(',');
    first = false;
    payload += ListingJson(l);
  }
  payload += "]}";
  ctx.client.SendFrame(BuildFrame("world.list", payload, env.cid()));
}

// world.create and world.find_or_create (§10.2).
void CreateOrFind(WsContext& ctx, const Envelope& env, bool find) {
  auto mode_field = GetField(env.payload, "mode");
  if (!mode_field) return ctx.client.SendError("missing_field", env.cid());
  std::string_view mode_name;
  if (mode_field->get(mode_name) != simdjson::SUCCESS) {
    return ctx.client.SendError("invalid_payload", env.cid());
  }
  WorldService* svc = WorldService::OnThisShard();
  WorldNode& node = svc->node();
  if (!AllowJoin(ctx)) return ctx.client.SendError("join_rate_limited", env.cid());
  std::string ctx_json = "{}";
  std::string ctx_error = match::ValidateJoinCtx(GetField(env.payload, "ctx"), &ctx_json);
  if (!ctx_error.empty()) return ctx.client.SendError(ctx_error, env.cid());
  auto config = node.modes().Current()->Find(mode_name);
  const bool world_mode = config && config->is_world;
  if (find && world_mode && !config->quick_play) {
    return ctx.client.SendError("quick_play_disabled", env.cid());
  }
  const std::string player = ctx.client.player_id();
  const std::string current = node.WorldOf(player);
  ReplyTo to = ReplyFor(ctx, env);
  if (find && world_mode) {
    std::string id = node.FindQuickPlay(config->name);
    if (!id.empty()) {
      if (!current.empty() && current != id) {
        return ctx.client.SendError("already_in_world", env.cid());
      }
      return RouteToWorld(
          *svc, id, [to, ctx_json](World& w) { JoinOnOwner(w, to, ctx_json); },
          [to, id] { NotFoundFromOwner(to, id); });
    }
  }
  std::string cap = node.CapacityError(player);
  if (!cap.empty()) return ctx.client.SendError(cap, env.cid());
  if (!config) return ctx.client.SendError("not_found", env.cid());
  if (!config->is_world) return ctx.client.SendError("wrong_mode_type", env.cid());
  if (!current.empty()) return ctx.client.SendError("already_in_world", env.cid());
  CreateWorld(
      *svc, config, player, [to, ctx_json](World& w) { JoinOnOwner(w, to, ctx_json); },
      [to](std::string reason) {
        if (Client* c = FindLocal(to.ref)) c->SendError(reason, to.cid_ptr());
      });
}

void OnCreate(WsContext& ctx, const Envelope& env) { CreateOrFind(ctx, env, false); }
void OnFindOrCreate(WsContext& ctx, const Envelope& env) { CreateOrFind(ctx, env, true); }

// §10.3 error order: world_not_found, join_rate_limited, ctx, already_in_world, then the
// owner's (world_full, world_not_ready).
void OnJoin(WsContext& ctx, const Envelope& env) {
  auto id_field = GetField(env.payload, "world_id");
  if (!id_field) return ctx.client.SendError("missing_field", env.cid());
  std::string_view id_view;
  if (id_field->get(id_view) != simdjson::SUCCESS) {
    return ctx.client.SendError("world_not_found", env.cid());
  }
  const std::string id(id_view);
  WorldService* svc = WorldService::OnThisShard();
  std::optional<WorldListing> listing = svc->node().Find(id);
  if (!listing || listing->status == "finished") {
    return ctx.client.SendError("world_not_found", env.cid());
  }
  if (!AllowJoin(ctx)) return ctx.client.SendError("join_rate_limited", env.cid());
  std::string ctx_json = "{}";
  std::string ctx_error = match::ValidateJoinCtx(GetField(env.payload, "ctx"), &ctx_json);
  if (!ctx_error.empty()) return ctx.client.SendError(ctx_error, env.cid());
  const std::string current = svc->node().WorldOf(ctx.client.player_id());
  if (!current.empty() && current != id) {
    return ctx.client.SendError("already_in_world", env.cid());
  }
  ReplyTo to = ReplyFor(ctx, env);
  RouteToWorld(
      *svc, id, [to, ctx_json](World& w) { JoinOnOwner(w, to, ctx_json); },
      [to, id] { NotFoundFromOwner(to, id); });
}

void OnLeave(WsContext& ctx, const Envelope& env) {
  WorldService* svc = WorldService::OnThisShard();
  std::string world_id = svc->RemoveClientWorld(ctx.client.ref());
  if (!world_id.empty()) {
    const std::string player = ctx.client.player_id();
    const ClientRef ref = ctx.client.ref();
    // Membership ends before world.left: a chat.send to the world's channels or a history
    // read after it is refused (the world re-records a player whose seat another socket holds).
    svc->node().ClearWorldOf(player, world_id);
    RevokeWorldChat(ref, world_id);
    RouteToWorld(*svc, world_id, [player, ref](World& w) { w.Leave(player, &ref); });
  }
  ctx.client.SendFrame(BuildFrame("world.left", R"({"success":true})", env.cid()));
}

// §10.6: not in a world -> dropped (before payload validation); non-object -> invalid_payload.
void OnInput(WsContext& ctx, const Envelope& env) {
  WorldService* svc = WorldService::OnThisShard();
  const std::string* world_id = svc->ClientWorld(ctx.client.ref());
  if (world_id == nullptr) return;
  std::optional<std::string> input = match::NormalizeInput(env.payload);
  if (!input) return ctx.client.SendError("invalid_payload", env.cid());
  const std::string player = ctx.client.player_id();
  const int64_t seq = env.seq.value_or(-1);
  RouteToWorldLossy(*svc, *world_id, [player, json = std::move(*input), seq](World& w) mutable {
    w.Input(player, std::move(json), seq);
  });
}

// §10.7: dropped silently when not in a world, invalid, not subscribed or rate limited.
void OnResync(WsContext& ctx, const Envelope& env) {
  WorldService* svc = WorldService::OnThisShard();
  const std::string* world_id = svc->ClientWorld(ctx.client.ref());
  if (world_id == nullptr) return;
  std::optional<std::pair<int64_t, int64_t>> zone = ParseResyncZone(env.payload);
  if (!zone) return;
  const std::string player = ctx.client.player_id();
  const ClientRef ref = ctx.client.ref();
  const int64_t x = zone->first, y = zone->second;
  RouteToWorldLossy(*svc, *world_id,
                    [player, ref, x, y](World& w) { w.Resync(player, ref, x, y); });
}

// websocket.md §7: vote.cast / vote.veto from a socket in a world and in no match go to the
// world's owner shard; the answer (vote.cast_ok / vote.veto_ok or the reason) comes back here.
bool OnWorldVote(WsContext& ctx, const Envelope& env, const std::string& vote_id,
                 const std::string* option_json) {
  WorldService* svc = WorldService::OnThisShard();
  const std::string* world_id = svc ? svc->ClientWorld(ctx.client.ref()) : nullptr;
  if (world_id == nullptr) return false;
  const ReplyTo to = ReplyFor(ctx, env);
  const bool cast = option_json != nullptr;
  std::string option = cast ? *option_json : std::string();
  auto answer = [to, cast](std::string reason) {
    Client* c = FindLocal(to.ref);
    if (c == nullptr) return;
    if (!reason.empty()) return c->SendError(reason, to.cid_ptr());
    c->SendFrame(
        BuildFrame(cast ? "vote.cast_ok" : "vote.veto_ok", R"({"success":true})", to.cid_ptr()));
  };
  auto back = [answer](WorldService& owner, int shard, std::string reason) {
    owner.host().SubmitReplyTo(shard, [answer, reason] { answer(reason); });
  };
  const int home = ctx.client.ref().shard;
  RouteToWorld(
      *svc, *world_id,
      [to, vote_id, option = std::move(option), cast, back, home](World& w) {
        WorldService* owner = WorldService::OnThisShard();
        std::string reason =
            cast ? w.CastVote(to.player_id, vote_id, option) : w.VetoVote(to.player_id, vote_id);
        back(*owner, home, std::move(reason));
      },
      [back, home] { back(*WorldService::OnThisShard(), home, "not_in_match"); });
  return true;
}

}  // namespace

void RegisterWorldHandlers(MessageRegistry<WsContext>& registry) {
  match::SetVoteFallback(&OnWorldVote);
  registry.Register("world.list", &OnList, kNeedsAuth | kNeedsPayloadObject);
  registry.Register("world.create", &OnCreate, kNeedsAuth | kNeedsPayloadObject);
  registry.Register("world.find_or_create", &OnFindOrCreate, kNeedsAuth | kNeedsPayloadObject);
  registry.Register("world.join", &OnJoin, kNeedsAuth | kNeedsPayloadObject);
  registry.Register("world.leave", &OnLeave, kNeedsAuth);
  registry.Register("world.input", &OnInput, kNeedsAuth | kNeedsPayload);
  registry.Register("world.resync", &OnResync, kNeedsAuth | kNeedsPayload);
}

void OnWorldClientClosed(Client& client) {
  WorldService* svc = WorldService::OnThisShard();
  if (svc == nullptr) return;
  std::string world_id = svc->RemoveClientWorld(client.ref());
  if (world_id.empty()) return;
  const std::string player = client.player_id();
  const ClientRef ref = client.ref();
  RouteToWorld(*svc, world_id, [player, ref](World& w) { w.Detach(player, ref); });
}

void OnWorldClientAuthenticated(Client& client) {
  WorldService* svc = WorldService::OnThisShard();
  if (svc == nullptr) return;
  std::string world_id = svc->node().WorldOf(client.player_id());
  if (world_id.empty()) return;
  const std::string player = client.player_id();
  const ClientRef ref = client.ref();
  const bool binary = client.binary_wire();
  RouteToWorld(*svc, world_id, [player, ref, binary, world_id](World& w) {
    WorldService* owner = WorldService::OnThisShard();
    w.Reattach(player, ref, binary, [owner, player, ref, binary, world_id] {
      // The socket's shard records the membership, then the world subscribes it.
      owner->host().SubmitReplyTo(ref.shard, [player, ref, binary, world_id] {
        WorldService* s = WorldService::OnThisShard();
        if (FindLocal(ref) == nullptr) {
          return RouteToWorld(*s, world_id, [player, ref](World& w2) { w2.Detach(player, ref); });
        }
        s->SetClientWorld(ref, world_id);
        RouteToWorld(*s, world_id,
                     [player, ref, binary](World& w2) { w2.Subscribe(player, ref, binary); });
      });
    });
  });
}

}  // namespace asobi::world
