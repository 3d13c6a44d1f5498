// Matchmaker: construction, timers and the client side (routing, replies, socket records).
#include "game/matchmaker/matchmaker.h"

#include <algorithm>
#include <map>

#include "base/log.h"
#include "game/match/match_id.h"
#include "game/matchmaker/matchmaker_internal.h"

namespace asobi::matchmaker {
namespace {
thread_local Matchmaker* t_matchmaker = nullptr;
}  // namespace

Matchmaker* Matchmaker::OnThisShard() { return t_matchmaker; }

Matchmaker::Matchmaker(MatchmakerNode& node, match::MatchHost& host, MatchmakerDeps deps)
    : node_(node), host_(host), deps_(std::move(deps)) {
  t_matchmaker = this;
  node_.Register(host_.shard_id(), this);
  tick_timer_ = host_.AddTimer(node_.options().tick_ms, [this] { OnTick(); });
  if (node_.options().bot_fill_ms > 0) {
    bot_timer_ = host_.AddTimer(node_.options().bot_fill_ms, [this] { OnBotFill(); });
  }
}

Matchmaker::~Matchmaker() {
  for (auto id : {tick_timer_, bot_timer_, eager_timer_}) {
    if (id != 0) host_.CancelTimer(id);
  }
  node_.Register(host_.shard_id(), nullptr);
  if (t_matchmaker == this) t_matchmaker = nullptr;
}

void Matchmaker::OnTick() {
  tick_timer_ = host_.AddTimer(node_.options().tick_ms, [this] { OnTick(); });
  TickNow();
}

void Matchmaker::OnBotFill() {
  bot_timer_ = host_.AddTimer(node_.options().bot_fill_ms, [this] { OnBotFill(); });
  FillBotsNow();
}

template <typename T>
void Matchmaker::ReplyTo(int shard, std::function<void(T)> done, T value) {
  if (shard == host_.shard_id()) {
    done(std::move(value));
    return;
  }
  host_.SubmitReplyTo(shard, [done = std::move(done), value = std::move(value)]() mutable {
    done(std::move(value));
  });
}

void Matchmaker::Add(AddRequest req, AddDone done) {
  if (req.origin_node.empty() && node_.cluster() != nullptr &&
      node_.cluster()->ForwardAdd(req, done)) {
    return;  // another node owns the cluster's queues
  }
  int here = host_.shard_id();
  int owner = node_.QueueShardOf(req.mode);
  std::optional<ClientRef> client = req.client;
  // Runs back here: remember the ticket for the socket, or let go of it if the socket closed
  // while the request travelled.
  AddDone back = [this, client, done = std::move(done)](Result<AddReply> r) {
    if (r.ok() && client) {
      if (host_.FindClient(*client) != nullptr) {
        Remember(*client, r.value().ticket_id);
      } else {
        std::string id = r.value().ticket_id;
        ClientRef ref = *client;
        int owner_shard = match::OwnerShardOf(id, node_.shard_count());
        MatchmakerNode* node = &node_;
        host_.SubmitReplyTo(owner_shard, [node, owner_shard, id, ref] {
          if (Matchmaker* mm = node->OnShard(owner_shard)) mm->DetachOnOwner(id, ref);
        });
      }
    }
    done(std::move(r));
  };
  MatchmakerNode* node = &node_;
  auto task = [node, owner, here, req = std::move(req), back]() mutable {
    Matchmaker* mm = node->OnShard(owner);
    if (mm == nullptr) return;
    Result<AddReply> r = mm->AddOnOwner(req);
    mm->ReplyTo<Result<AddReply>>(here, back, std::move(r));
  };
  if (!host_.SubmitTo(owner, std::move(task))) {
    back(MakeError("queue_full", "matchmaker mailbox full"));
  }
}

void Matchmaker::Remove(const std::string& ticket_id, const std::string& player_id,
                        StatusDone done) {
  if (node_.cluster() != nullptr && node_.cluster()->ForwardRemove(ticket_id, player_id, done)) {
    return;
  }
  int here = host_.shard_id();
  int owner = match::OwnerShardOf(ticket_id, node_.shard_count());
  MatchmakerNode* node = &node_;
  auto task = [node, owner, here, ticket_id, player_id, done]() mutable {
    Matchmaker* mm = node->OnShard(owner);
    if (mm == nullptr) return;
    mm->ReplyTo<Status>(here, std::move(done), mm->RemoveOnOwner(ticket_id, player_id));
  };
  if (!host_.SubmitTo(owner, std::move(task))) done(MakeError("internal", "mailbox full"));
}

void Matchmaker::Get(const std::string& ticket_id, const std::string& player_id, GetDone done) {
  if (node_.cluster() != nullptr && node_.cluster()->ForwardGet(ticket_id, player_id, done)) {
    return;
  }
  int here = host_.shard_id();
  int owner = match::OwnerShardOf(ticket_id, node_.shard_count());
  MatchmakerNode* node = &node_;
  auto task = [node, owner, here, ticket_id, player_id, done]() mutable {
    Matchmaker* mm = node->OnShard(owner);
    if (mm == nullptr) return;
    mm->ReplyTo<Result<TicketStatus>>(here, std::move(done), mm->GetOnOwner(ticket_id, player_id));
  };
  if (!host_.SubmitTo(owner, std::move(task))) done(MakeError("internal", "mailbox full"));
}

void Matchmaker::OnClientClosed(const ClientRef& ref) {
  auto it = socket_tickets_.find(RefKey(ref));
  if (it == socket_tickets_.end()) return;
  std::vector<std::string> tickets = std::move(it->second);
  socket_tickets_.erase(it);
  MatchmakerNode* node = &node_;
  for (const std::string& id : tickets) {
    int owner = match::OwnerShardOf(id, node_.shard_count());
    host_.SubmitReplyTo(owner, [node, owner, id, ref] {
      if (Matchmaker* mm = node->OnShard(owner)) mm->DetachOnOwner(id, ref);
    });
  }
}

void Matchmaker::Remember(const ClientRef& ref, const std::string& ticket_id) {
  std::vector<std::string>& v = socket_tickets_[RefKey(ref)];
  if (std::find(v.begin(), v.end(), ticket_id) == v.end()) v.push_back(ticket_id);
}

void Matchmaker::Forget(const ClientRef& ref, const std::string& ticket_id) {
  auto it = socket_tickets_.find(RefKey(ref));
  if (it == socket_tickets_.end()) return;
  std::erase(it->second, ticket_id);
  if (it->second.empty()) socket_tickets_.erase(it);
}

size_t Matchmaker::SocketTickets(const ClientRef& ref) const {
  auto it = socket_tickets_.find(RefKey(ref));
  return it == socket_tickets_.end() ? 0 : it->second.size();
}

void Matchmaker::Send(std::vector<ClientRef> refs, std::string frame,
                      std::vector<std::string> forget, bool drop_others) {
  std::map<int, std::vector<ClientRef>> by_shard;
  for (const ClientRef& r : refs) by_shard[r.shard].push_back(r);
  MatchmakerNode* node = &node_;
  for (auto& [shard, group] : by_shard) {
    if (shard == host_.shard_id()) {
      DeliverLocal(group, frame, forget, drop_others);
      continue;
    }
    // Results of admitted tickets (matched / failed, and the ticket records to forget):
    // bounded by the tickets, never dropped.
    host_.SubmitReplyTo(shard,
                        [node, to = shard, group = std::move(group), frame, forget, drop_others] {
                          if (Matchmaker* mm = node->OnShard(to)) {
                            mm->DeliverLocal(group, frame, forget, drop_others);
                          }
                        });
  }
}

void Matchmaker::DeliverLocal(const std::vector<ClientRef>& refs, const std::string& frame,
                              const std::vector<std::string>& forget, bool drop_others) {
  for (const ClientRef& ref : refs) {
    for (const std::string& id : forget) Forget(ref, id);
    Client* c = host_.FindClient(ref);
    if (c != nullptr && !frame.empty()) c->SendFrame(frame);
    if (!drop_others || c == nullptr) continue;
    auto it = socket_tickets_.find(RefKey(ref));
    if (it == socket_tickets_.end()) continue;
    // Matched: this socket's tickets for other modes are withdrawn (one match at a time).
    std::vector<std::string> others = std::move(it->second);
    socket_tickets_.erase(it);
    for (const std::string& id : others) Remove(id, c->player_id(), [](Status) {});
  }
}

}  // namespace asobi::matchmaker
