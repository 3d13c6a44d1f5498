#include "game/match/match_handlers.h"

#include <algorithm>

#include "base/clock.h"
#include "game/match/input_payload.h"
#include "game/match/join_ctx.h"
#include "game/match/match_router.h"
#include "game/match/match_service.h"
#include "game/reply_to.h"
#include "protocol/frame.h"
#include "protocol/json_writer.h"

namespace asobi::match {
namespace {

VoteFallback g_vote_fallback = nullptr;

Client* FindLocal(const ClientRef& ref) {
  MatchService* s = MatchService::OnThisShard();
  return s ? s->host().FindClient(ref) : nullptr;
}

// Clustered nodes: the node of `ref`'s match when it runs elsewhere, else "".
std::string RemoteNode(MatchService* svc, const ClientRef& ref) {
  const std::string* n = svc->clients().RemoteNodeOf(ref);
  return n == nullptr ? std::string() : *n;
}

// Sends an operation to a match on another node (MatchNode::remote_op), as `player_id`.
void SendRemote(MatchService* svc, const std::string& node, const std::string& match_id,
                const std::string& player_id, char op, std::string body,
                std::function<void(std::string)> done) {
  if (svc->node().remote_op) {
    svc->node().remote_op(node, match_id, player_id, op, std::move(body), std::move(done));
  } else if (done) {
    done("not_in_match");
  }
}

// Shared by match.join and match.find_or_create: records the membership and replies.
void OnJoinOutcome(const ReplyTo& to, JoinOutcome o) {
  MatchService* svc = MatchService::OnThisShard();
  Client* c = FindLocal(to.ref);
  if (o.ok() && c == nullptr) {  // the socket went away meanwhile
    RouteDetach(o.match_id, to.player_id, to.ref, true);
    return;
  }
  if (c == nullptr) return;
  if (!o.ok()) {
    c->SendError(o.reason, to.cid_ptr(), {}, o.details_json);
    return;
  }
  if (const std::string* prev = svc->clients().Find(to.ref); prev && *prev != o.match_id) {
    std::string node = RemoteNode(svc, to.ref);
    if (node.empty()) {
      RouteDetach(*prev, to.player_id, to.ref, false);
    } else {
      SendRemote(svc, node, *prev, to.player_id, 'L', {}, nullptr);
    }
  }
  svc->clients().Set(to.ref, o.match_id);
  c->SendFrame(BuildFrame("match.joined", o.joined_json, to.cid_ptr()));
}

void OnList(WsContext& ctx, const Envelope& env) {
  ListFilter f;
  if (auto v = GetField(env.payload, "mode")) {
    std::string_view mode;
    if (v->get(mode) != simdjson::SUCCESS || mode.size() > 64) {
      return ctx.client.SendError("invalid_mode_filter", env.cid());
    }
    f.mode = std::string(mode);
  }
  if (auto v = GetField(env.payload, "has_capacity")) {
    if (!v->is_bool()) return ctx.client.SendError("invalid_has_capacity_filter", env.cid());
    f.has_capacity = v->get_bool().value();
  }
  if (auto v = GetField(env.payload, "joinable")) {
    if (!v->is_bool()) return ctx.client.SendError("invalid_joinable_filter", env.cid());
    f.joinable = v->get_bool().value();
  }
  std::vector<MatchListing> list = MatchService::OnThisShard()->node().directory().List(f);
  std::sort(list.begin(), list.end(),
            [](const MatchListing& a, const MatchListing& b) { return a.match_id < b.match_id; });
  std::string payload = "{\"matches\":[";
  for (size_t i = 0; i < list.size(); ++i) {
    if (i > 0) payload.push_back(',');
    payload += ListingJson(list[i]);
  }
  payload += "]}";
  ctx.client.SendFrame(BuildFrame("match.list", payload, env.cid()));
}

void OnJoin(WsContext& ctx, const Envelope& env) {
  auto id = GetField(env.payload, "match_id");
  if (!id) return ctx.client.SendError("missing_field", env.cid());
  std::string_view match_id;
  if (id->get(match_id) != simdjson::SUCCESS) {
    return ctx.client.SendError("match_not_found", env.cid());  // §5.3: simply not found
  }
  JoinRequest req;
  req.match_id = std::string(match_id);
  req.player_id = ctx.client.player_id();
  req.clients = {ctx.client.ref()};
  req.ctx_error = ValidateJoinCtx(GetField(env.payload, "ctx"), &req.ctx_json);
  ReplyTo to = ReplyFor(ctx, env);
  RouteJoin(std::move(req), [to](JoinOutcome o) { OnJoinOutcome(to, std::move(o)); });
}

// websocket.md §5.2 error order: join_rate_limited, ctx, not_found, wrong_mode_type,
// quick_play_disabled, match_capacity_reached, then any match.join error.
void OnFindOrCreate(WsContext& ctx, const Envelope& env) {
  auto mode_field = GetField(env.payload, "mode");
  if (!mode_field) return ctx.client.SendError("missing_field", env.cid());
  std::string_view mode;
  if (mode_field->get(mode) != simdjson::SUCCESS) {
    return ctx.client.SendError("invalid_payload", env.cid());
  }
  MatchService* svc = MatchService::OnThisShard();
  MatchNode& node = svc->node();
  if (!node.AllowJoin(ctx.client.player_id(), svc->host().NowMs())) {
    return ctx.client.SendError("join_rate_limited", env.cid());
  }
  QuickPlayRequest req;
  std::string ctx_error = ValidateJoinCtx(GetField(env.payload, "ctx"), &req.join.ctx_json);
  if (!ctx_error.empty()) return ctx.client.SendError(ctx_error, env.cid());
  auto config = node.modes().Current()->Find(mode);
  if (!config) return ctx.client.SendError("not_found", env.cid());
  if (config->is_world) return ctx.client.SendError("wrong_mode_type", env.cid());
  if (!config->quick_play) return ctx.client.SendError("quick_play_disabled", env.cid());
  if (node.live_matches() >= node.options().match_max &&
      !node.directory().BestQuickPlay(config->name, {})) {
    return ctx.client.SendError("match_capacity_reached", env.cid());
  }
  req.mode = config->name;
  req.join.player_id = ctx.client.player_id();
  req.join.clients = {ctx.client.ref()};
  req.join.rate_limit = false;
  ReplyTo to = ReplyFor(ctx, env);
  RouteQuickPlay(std::move(req), [to](JoinOutcome o) { OnJoinOutcome(to, std::move(o)); });
}

void OnLeave(WsContext& ctx, const Envelope& env) {
  MatchService* svc = MatchService::OnThisShard();
  std::string node = RemoteNode(svc, ctx.client.ref());
  std::string match_id = svc->clients().Remove(ctx.client.ref());
  if (!match_id.empty() && !node.empty()) {
    SendRemote(svc, node, match_id, ctx.client.player_id(), 'L', {}, nullptr);
  } else if (!match_id.empty()) {
    RouteLeave(match_id, ctx.client.player_id());
  }
  ctx.client.SendFrame(BuildFrame("match.left", R"({"success":true})", env.cid()));
}

void OnInput(WsContext& ctx, const Envelope& env) {
  std::optional<std::string> input = NormalizeInput(env.payload);
  if (!input) return ctx.client.SendError("invalid_payload", env.cid());
  MatchService* svc = MatchService::OnThisShard();
  const std::string* match_id = svc->clients().Find(ctx.client.ref());
  if (match_id == nullptr) {
    // §5.6: dropped; at most once per 5 s per connection a hint without cid.
    if (svc->clients().AllowHint(ctx.client.ref(), svc->host().NowMs())) {
      ctx.client.SendError("not_in_match", nullptr, "match.input");
    }
    return;
  }
  if (std::string node = RemoteNode(svc, ctx.client.ref()); !node.empty()) {
    SendRemote(svc, node, *match_id, ctx.client.player_id(), 'I', std::move(*input), nullptr);
    return;
  }
  RouteInput(*match_id, ctx.client.player_id(), std::move(*input), ctx.client.ref());
}

// websocket.md §7.1: vote_id and option_id required (missing_field); the match is the one
// this socket is in (not_in_match); the owner checks the rest.
void OnVoteCast(WsContext& ctx, const Envelope& env) {
  auto vote_id = GetField(env.payload, "vote_id");
  auto option = GetField(env.payload, "option_id");
  if (!vote_id || !option) return ctx.client.SendError("missing_field", env.cid());
  std::string_view id;
  if (vote_id->get(id) != simdjson::SUCCESS) {
    return ctx.client.SendError("vote_not_found", env.cid());  // a non-string id names no vote
  }
  MatchService* svc = MatchService::OnThisShard();
  const std::string* match_id = svc->clients().Find(ctx.client.ref());
  if (match_id == nullptr) {
    const std::string option_json = ToJson(*option);
    if (g_vote_fallback && g_vote_fallback(ctx, env, std::string(id), &option_json)) return;
    return ctx.client.SendError("not_in_match", env.cid());
  }
  ReplyTo to = ReplyFor(ctx, env);
  auto done = [to](std::string reason) {
    Client* c = FindLocal(to.ref);
    if (c == nullptr) return;
    if (!reason.empty()) return c->SendError(reason, to.cid_ptr());
    c->SendFrame(BuildFrame("vote.cast_ok", R"({"success":true})", to.cid_ptr()));
  };
  if (std::string node = RemoteNode(svc, ctx.client.ref()); !node.empty()) {
    return SendRemote(svc, node, *match_id, ctx.client.player_id(), 'V',
                      std::string(id) + "\n" + ToJson(*option), done);
  }
  RouteVoteCast(*match_id, ctx.client.player_id(), std::string(id), ToJson(*option), done);
}

// websocket.md §7.2: vote_id required (missing_field); ends the vote at once.
void OnVoteVeto(WsContext& ctx, const Envelope& env) {
  auto vote_id = GetField(env.payload, "vote_id");
  if (!vote_id) return ctx.client.SendError("missing_field", env.cid());
  std::string_view id;
  if (vote_id->get(id) != simdjson::SUCCESS) {
    return ctx.client.SendError("vote_not_found", env.cid());
  }
  MatchService* svc = MatchService::OnThisShard();
  const std::string* match_id = svc->clients().Find(ctx.client.ref());
  if (match_id == nullptr) {
    if (g_vote_fallback && g_vote_fallback(ctx, env, std::string(id), nullptr)) return;
    return ctx.client.SendError("not_in_match", env.cid());
  }
  ReplyTo to = ReplyFor(ctx, env);
  auto done = [to](std::string reason) {
    Client* c = FindLocal(to.ref);
    if (c == nullptr) return;
    if (!reason.empty()) return c->SendError(reason, to.cid_ptr());
    c->SendFrame(BuildFrame("vote.veto_ok", R"({"success":true})", to.cid_ptr()));
  };
  if (std::string node = RemoteNode(svc, ctx.client.ref()); !node.empty()) {
    return SendRemote(svc, node, *match_id, ctx.client.player_id(), 'X', std::string(id), done);
  }
  RouteVoteVeto(*match_id, ctx.client.player_id(), std::string(id), done);
}

}  // namespace

void RegisterMatchHandlers(MessageRegistry<WsContext>& registry) {
  registry.Register("match.list", &OnList, kNeedsAuth | kNeedsPayloadObject);
  registry.Register("match.find_or_create", &OnFindOrCreate, kNeedsAuth | kNeedsPayloadObject);
  registry.Register("match.join", &OnJoin, kNeedsAuth | kNeedsPayloadObject);
  registry.Register("match.leave", &OnLeave, kNeedsAuth);
  registry.Register("match.input", &OnInput, kNeedsAuth | kNeedsPayload);
  registry.Register("vote.cast", &OnVoteCast, kNeedsAuth | kNeedsPayloadObject);
  registry.Register("vote.veto", &OnVoteVeto, kNeedsAuth | kNeedsPayloadObject);
}

void SetVoteFallback(VoteFallback fn) { g_vote_fallback = fn; }

void OnMatchClientClosed(Client& client) {
  MatchService* svc = MatchService::OnThisShard();
  if (svc == nullptr) return;
  std::string node = RemoteNode(svc, client.ref());
  std::string match_id = svc->clients().Remove(client.ref());
  if (!match_id.empty() && !node.empty()) {
    SendRemote(svc, node, match_id, client.player_id(), 'C', {}, nullptr);
  } else if (!match_id.empty()) {
    RouteDetach(match_id, client.player_id(), client.ref(), true);
  }
}

void OnMatchClientAuthenticated(Client& client) {
  MatchService* svc = MatchService::OnThisShard();
  if (svc == nullptr) return;
  std::string match_id = svc->node().ReconnectableMatchOf(client.player_id());
  if (!match_id.empty()) RouteReattach(match_id, client.player_id(), client.ref());
}

}  // namespace asobi::match
