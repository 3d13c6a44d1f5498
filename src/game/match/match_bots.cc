// Match: game.bots.add / game.bots.remove (lua.md §9 "Match control and bots", §10). A bot
// joins through `join` like anyone (ctx {}, no join rate limit) with a client from
// MatchNode::bot_hooks, and leaves through `leave`. Both happen on a later turn of the shard.
#include <sodium.h>

#include <cstdio>

#include "base/log.h"
#include "game/match/match.h"
#include "game/match/match_service.h"

namespace asobi::match {
namespace {

constexpr int64_t kNoopLogIntervalMs = 10000;

// `bot_<name>_<6 lowercase hex>` (lua.md §9).
std::string NewBotId(const std::string& name) {
  char hex[8];
  std::snprintf(hex, sizeof(hex), "%06x", unsigned(randombytes_uniform(1u << 24)));
  return "bot_" + name + "_" + hex;
}

bool IsHex6(std::string_view s) {
  if (s.size() != 6) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// True when `id` is `bot_<name>_<6 hex>`.
bool BotIdHasName(std::string_view id, std::string_view name) {
  if (id.size() != 4 + name.size() + 7 || id.substr(0, 4) != "bot_") return false;
  return id.substr(4, name.size()) == name && id[4 + name.size()] == '_' &&
         IsHex6(id.substr(5 + name.size()));
}

}  // namespace

int Match::BotCount() const {
  int n = int(pending_bots_.size());
  for (const Member& m : roster_) n += m.player_id.compare(0, 4, "bot_") == 0 ? 1 : 0;
  return n;
}

bool Match::HasBotNamed(std::string_view name) const {
  for (const std::string& p : pending_bots_) {
    if (p == name) return true;
  }
  for (const Member& m : roster_) {
    if (BotIdHasName(m.player_id, name)) return true;
  }
  return false;
}

void Match::AddBot(std::string_view name_view) {
  std::string name(name_view);
  const char* noop = nullptr;
  if (status_ == MatchStatus::kFinished || destroying_) {
    noop = "finished";
  } else if (int(roster_.size() + pending_bots_.size()) >= mode_->max_players) {
    noop = "match_full";
  } else if (HasBotNamed(name)) {
    noop = "duplicate_name";
  } else if (BotCount() >= kBotsMax) {
    noop = "bot_limit";
  }
  if (noop != nullptr) {
    const int64_t now = service_.host().NowMs();
    if (now - last_bot_noop_log_ms_ >= kNoopLogIntervalMs) {
      last_bot_noop_log_ms_ = now;
      LOG_INFO("game.bots.add ignored").KV("match_id", id_).KV("bot_name", name).KV("reason", noop);
    }
    return;
  }
  pending_bots_.push_back(name);
  MatchService* svc = &service_;
  std::string id = id_;
  service_.host().AddTimer(0, [svc, id, name] {
    if (Match* m = svc->Find(id)) m->SpawnBot(name);
  });
}

void Match::SpawnBot(const std::string& name) {
  const MatchNode::BotHooks& hooks = service_.node().bot_hooks;
  JoinRequest req;
  req.match_id = id_;
  req.player_id = NewBotId(name);
  req.rate_limit = false;
  if (hooks.create) {
    const ClientRef ref = hooks.create(mode_->name, req.player_id);
    if (ref.shard >= 0) req.clients.push_back(ref);
  }
  std::vector<ClientRef> clients = req.clients;
  std::string bot_id = req.player_id;
  MatchService* svc = &service_;
  std::string match_id = id_;
  Join(std::move(req), [svc, match_id, name, bot_id, clients](JoinOutcome o) {
    const MatchNode::BotHooks& h = svc->node().bot_hooks;
    Match* m = svc->Find(match_id);
    if (m != nullptr) std::erase(m->pending_bots_, name);
    if (!o.ok() || m == nullptr) {
      LOG_INFO("game.bots.add: bot not joined")
          .KV("match_id", match_id)
          .KV("bot_id", bot_id)
          .KV("reason", o.reason);
      for (const ClientRef& c : clients) {
        if (h.destroy) h.destroy(c);
      }
      return;
    }
    svc->AttachClients(match_id, bot_id, clients);
    for (const ClientRef& c : clients) {
      if (h.start) h.start(c, match_id);
    }
  });
}

void Match::RemoveBot(std::string_view name_or_id) {
  std::string bot_id;
  for (const Member& m : roster_) {
    if (m.player_id.compare(0, 4, "bot_") != 0) continue;
    if (m.player_id == name_or_id || BotIdHasName(m.player_id, name_or_id)) {
      bot_id = m.player_id;
      break;
    }
  }
  if (bot_id.empty()) return;  // not a bot of this match: nothing to do
  MatchService* svc = &service_;
  std::string id = id_;
  service_.host().AddTimer(0, [svc, id, bot_id] {
    Match* m = svc->Find(id);
    if (m == nullptr) return;
    Member* member = m->FindMember(bot_id);
    if (member == nullptr) return;
    std::vector<ClientRef> clients = member->clients;
    m->Leave(bot_id);
    const MatchNode::BotHooks& h = svc->node().bot_hooks;
    for (const ClientRef& c : clients) {
      if (h.destroy) h.destroy(c);
    }
  });
}

}  // namespace asobi::match
