#include "game/auth/cluster_auth.h"

#include <memory>
#include <utility>

#include "cluster/node.h"
#include "game/game_shard.h"
#include "protocol/json_value.h"
#include "protocol/json_writer.h"

namespace asobi::cluster_auth {
namespace {

const char* OpName(AccountService::ClusterEvent k) {
  switch (k) {
    case AccountService::ClusterEvent::kEvictPlayer:
      return "evict";
    case AccountService::ClusterEvent::kRevokeSessions:
      return "revoke";
    case AccountService::ClusterEvent::kBurnTokens:
      return "burn";
  }
  return "evict";
}

void Apply(const AuthEvent& e) {
  AccountService* a = AccountService::OnThisShard();
  if (a == nullptr) return;
  switch (e.kind) {
    case AccountService::ClusterEvent::kEvictPlayer:
      a->EvictPlayerOnNode(e.player);
      break;
    case AccountService::ClusterEvent::kRevokeSessions:
      a->RevokeSessionsOnNode(e.player);
      break;
    case AccountService::ClusterEvent::kBurnTokens:
      a->BurnAccessTokensOnNode(e.tokens);
      break;
  }
}

}  // namespace

std::string EncodeAuthEvent(std::string_view from, AccountService::ClusterEvent kind,
                            const std::string& player, const std::vector<std::string>& tokens) {
  JsonWriter w;
  w.BeginObject();
  w.Key("from");
  w.String(from);
  w.Key("op");
  w.String(OpName(kind));
  if (kind == AccountService::ClusterEvent::kBurnTokens) {
    w.Key("tokens");
    w.BeginArray();
    for (const std::string& t : tokens) w.String(t);
    w.EndArray();
  } else {
    w.Key("player");
    w.String(player);
  }
  w.EndObject();
  return std::move(w.out());
}

bool ParseAuthEvent(std::string_view payload, AuthEvent* out) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(payload.data(), payload.size()).get(doc) != simdjson::SUCCESS) return false;
  if (!IsObject(doc)) return false;
  std::optional<std::string_view> from = GetString(doc, "from");
  std::optional<std::string_view> op = GetString(doc, "op");
  if (!from || !cluster::Bus::ValidToken(*from) || !op) return false;
  out->from = std::string(*from);
  if (*op == "burn") {
    out->kind = AccountService::ClusterEvent::kBurnTokens;
    simdjson::dom::array arr;
    if (doc["tokens"].get_array().get(arr) != simdjson::SUCCESS) return false;
    out->tokens.clear();
    for (simdjson::dom::element t : arr) {
      std::string_view h;
      if (t.get_string().get(h) != simdjson::SUCCESS || h.empty() || h.size() > 256) return false;
      if (out->tokens.size() >= kMaxTokensPerEvent) return false;
      out->tokens.emplace_back(h);
    }
    return !out->tokens.empty();
  }
  if (*op == "evict") {
    out->kind = AccountService::ClusterEvent::kEvictPlayer;
  } else if (*op == "revoke") {
    out->kind = AccountService::ClusterEvent::kRevokeSessions;
  } else {
    return false;
  }
  std::optional<std::string_view> player = GetString(doc, "player");
  if (!player || player->empty() || player->size() > 128) return false;
  out->player = std::string(*player);
  return true;
}

void WireClusterAuth(GameShard& game) {
  cluster::ClusterNode* node = cluster::ThisNode();
  if (node == nullptr || game.accounts == nullptr) return;
  std::string subject = node->BroadcastSubject("auth");
  game.accounts->SetClusterPublisher([node, subject](AccountService::ClusterEvent kind,
                                                     const std::string& player,
                                                     const std::vector<std::string>& tokens) {
    // Larger burns (never seen: a family holds few access tokens) go in several events.
    for (size_t i = 0; i < tokens.size() || (i == 0 && tokens.empty()); i += kMaxTokensPerEvent) {
      size_t end = std::min(tokens.size(), i + kMaxTokensPerEvent);
      std::vector<std::string> part(tokens.begin() + long(i), tokens.begin() + long(end));
      node->bus->Publish(subject, EncodeAuthEvent(node->bus->node_id(), kind, player, part));
      if (tokens.empty()) break;
    }
  });
  if (game.shard->id() != 0) return;
  uint64_t sub = node->bus->Subscribe(subject, 0, [node](std::string_view, std::string_view p) {
    AuthEvent e;
    if (!ParseAuthEvent(p, &e) || !node->membership->IsLive(e.from)) {
      node->bus->metrics().refused.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    Apply(e);
  });
  game.AddTeardown([node, sub] { node->bus->Unsubscribe(sub); });
}

}  // namespace asobi::cluster_auth
