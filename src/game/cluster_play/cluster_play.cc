#include "game/cluster_play/cluster_play.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdlib>

#include "base/clock.h"
#include "base/log.h"
#include "cluster/node.h"
#include "game/directory/player_directory.h"
#include "game/game_shard.h"
#include "game/match/match_id.h"
#include "game/match/match_node.h"
#include "game/match/match_router.h"
#include "game/match/match_service.h"
#include "game/matchmaker/matchmaker.h"
#include "protocol/frame.h"
#include "reactor/shard.h"

namespace asobi::cluster_play {
namespace {

// Set while the owner runs a request that came over the bus, so it is never forwarded again
// (two nodes that briefly disagree about the owner must not bounce it between them).
thread_local bool t_from_bus = false;

std::string ProxyKey(std::string_view player, std::string_view origin) {
  std::string k(player);
  k += '\n';
  k += origin;
  return k;
}

int64_t ToInt(std::string_view s) {
  int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

std::string NodeLostFrame(const std::string& match_id) {
  return BuildFrame("match.finished",
                    "{\"match_id\":\"" + match_id + "\",\"result\":{\"status\":\"node_lost\"}}",
                    nullptr);
}

}  // namespace

ClusterPlay::ClusterPlay(cluster::ClusterNode& node, matchmaker::MatchmakerNode& mm,
                         match::MatchNode& matches, int shard_count)
    : node_(node), mm_(mm), matches_(matches), node_id_(node.bus->node_id()) {
  shards_.resize(size_t(shard_count));
  social::SetBlockRelay(this);
  mm_.set_cluster(this);
  matches_.remote_op = [this](const std::string& n, const std::string& match_id,
                              const std::string& player, char op, std::string body,
                              std::function<void(std::string)> done) {
    SendRemoteOp(n, match_id, player, op, std::move(body), std::move(done));
  };
}

ClusterPlay::~ClusterPlay() {
  if (social::GetBlockRelay() == this) social::SetBlockRelay(nullptr);
  mm_.set_cluster(nullptr);
  matches_.remote_op = nullptr;
}

ClusterPlay::PerShard& ClusterPlay::Here() { return shards_[size_t(Shard::Current()->id())]; }

std::string ClusterPlay::Subject(const std::string& node) const {
  return node_.NodeSubject(node) + ".mm";
}

std::string ClusterPlay::OwnerNode() const {
  // Draining nodes are skipped; when every node drains, this node keeps its own queue.
  std::string owner = node_.membership->OwnDraining() ? std::string() : node_id_;
  for (const cluster::NodeInfo& p : node_.membership->Peers()) {
    if (!p.draining && (owner.empty() || p.node_id < owner)) owner = p.node_id;
  }
  return owner.empty() ? node_id_ : owner;
}

void ClusterPlay::WireShard(GameShard& game) {
  PerShard& ps = shards_[size_t(game.shard->id())];
  ps.game = &game;
  auto sockets = game.find_client;
  game.find_client = [sockets, &ps](const ClientRef& ref) -> Client* {
    if (ProxyClient::IsProxyRef(ref)) {
      auto it = ps.proxies.find(ref.index);
      return it == ps.proxies.end() ? nullptr : it->second.get();
    }
    return sockets ? sockets(ref) : nullptr;
  };
  game.on_client_closed.push_back([this](Client& c) { OnClientClosed(c.ref()); });
  Shard* shard = game.shard;
  auto arm = std::make_shared<std::function<void()>>();
  *arm = [this, shard, &ps, arm] {
    ps.timer = shard->reactor().AddTimer(kSweepMs, [this, arm] {
      Sweep();
      (*arm)();
    });
  };
  (*arm)();
  if (shard->id() == 0) {
    ps.sub = node_.bus->Subscribe(Subject(node_id_), 0,
                                  [this](std::string_view, std::string_view p) { OnMessage(p); });
  }
  game.AddTeardown([this, shard, &ps, arm] {
    shard->reactor().CancelTimer(ps.timer);
    *arm = nullptr;  // breaks the self-reference
    if (ps.sub != 0) node_.bus->Unsubscribe(ps.sub);
    ps.proxies.clear();
    ps.proxy_of.clear();
    ps.pending.clear();
    ps.game = nullptr;
  });
}

// ---- requests and replies ----

bool ClusterPlay::Request(const std::string& node, char kind, std::vector<std::string> fields,
                          std::string rest, ReplyFn fn, std::function<void()> redo) {
  PerShard& ps = Here();
  if (ps.pending.size() >= kPendingMax) return false;
  uint64_t seq = ps.next_seq++;
  std::string req_id = std::to_string(Shard::Current()->id()) + "." + std::to_string(seq);
  fields.insert(fields.begin(), req_id);
  std::vector<std::string_view> views(fields.begin(), fields.end());
  if (node_.bus->Publish(Subject(node), Encode(kind, node_id_, views, rest)) !=
      cluster::Bus::PublishResult::kQueued) {
    return false;
  }
  ps.pending[seq] = Pending{MonoMs() + kRequestTimeoutMs, std::move(fn), node, std::move(redo)};
  return true;
}

void ClusterPlay::Reply(const std::string& node, char kind, std::vector<std::string> fields,
                        std::string rest) {
  std::vector<std::string_view> views(fields.begin(), fields.end());
  node_.bus->Publish(Subject(node), Encode(kind, node_id_, views, rest));
}

bool ClusterPlay::ForwardAdd(matchmaker::AddRequest& req,
                             std::function<void(Result<matchmaker::AddReply>)>& done) {
  if (t_from_bus) return false;
  std::string owner = OwnerNode();
  if (owner == node_id_) return false;
  char skill[32];
  auto [end, ec] = std::to_chars(skill, skill + sizeof(skill), req.skill);
  std::string skill_s = ec == std::errc() ? std::string(skill, end) : "1000";
  // If the owner dies before it answers, the request goes to the next owner (or queues here).
  auto redo = [req, done] {
    if (matchmaker::Matchmaker* mm = matchmaker::Matchmaker::OnThisShard()) {
      mm->Add(req, done);
    }
  };
  Record rec{req.mode,  req.player_id, req.properties_json,
             owner,     req.skill,     MonoMs() - std::max<int64_t>(0, req.waited_ms),
             req.client};
  auto fn = [this, rec = std::move(rec), done](bool replied,
                                               const std::vector<std::string>& f) mutable {
    if (!replied) {
      metrics_.timeouts.fetch_add(1, std::memory_order_relaxed);
      return done(MakeError("internal", "the queue's node did not answer"));
    }
    // f: req_id, reason, ticket_id, players_needed, already_queued
    if (!f[1].empty()) return done(MakeError(f[1]));
    matchmaker::AddReply r{f[2], int(ToInt(f[3])), f[4] == "1"};
    Remember(r.ticket_id, std::move(rec));
    done(std::move(r));
  };
  bool sent = Request(owner, 'A', {req.player_id, req.mode, skill_s, std::to_string(req.waited_ms)},
                      req.properties_json.empty() ? "{}" : req.properties_json, std::move(fn),
                      std::move(redo));
  metrics_.forwarded.fetch_add(1, std::memory_order_relaxed);
  if (!sent) done(MakeError("queue_full", "cluster request table full"));
  return true;
}

bool ClusterPlay::ForwardRemove(const std::string& ticket_id, const std::string& player_id,
                                std::function<void(Status)>& done) {
  if (t_from_bus) return false;
  std::string owner = OwnerNode();
  if (owner == node_id_) return false;
  auto fn = [this, done, ticket_id](bool replied, const std::vector<std::string>& f) {
    if (!replied) {
      metrics_.timeouts.fetch_add(1, std::memory_order_relaxed);
      return done(MakeError("internal", "the queue's node did not answer"));
    }
    if (!f[1].empty()) return done(MakeError(f[1]));
    Shard::Current()->SubmitReplyTo(0, [this, ticket_id] { shards_[0].records.erase(ticket_id); });
    done(Ok{});
  };
  metrics_.forwarded.fetch_add(1, std::memory_order_relaxed);
  if (!Request(owner, 'R', {player_id}, ticket_id, std::move(fn))) {
    done(MakeError("internal", "cluster request table full"));
  }
  return true;
}

bool ClusterPlay::ForwardGet(const std::string& ticket_id, const std::string& player_id,
                             std::function<void(Result<matchmaker::TicketStatus>)>& done) {
  if (t_from_bus) return false;
  std::string owner = OwnerNode();
  if (owner == node_id_) return false;
  auto fn = [this, done](bool replied, const std::vector<std::string>& f) {
    if (!replied) {
      metrics_.timeouts.fetch_add(1, std::memory_order_relaxed);
      return done(MakeError("internal", "the queue's node did not answer"));
    }
    // f: req_id, reason, id, mode, status, submitted_at, match_id, properties
    if (!f[1].empty()) return done(MakeError(f[1]));
    done(matchmaker::TicketStatus{f[2], f[3], f[4], f[7], ToInt(f[5]), f[6]});
  };
  metrics_.forwarded.fetch_add(1, std::memory_order_relaxed);
  if (!Request(owner, 'T', {player_id}, ticket_id, std::move(fn))) {
    done(MakeError("internal", "cluster request table full"));
  }
  return true;
}

std::string ClusterPlay::PickNode() {
  PerShard& ps = Here();
  int64_t best = node_.membership->OwnDraining()
                     ? INT64_MAX
                     : node_.membership->OwnLoad() + ps.recent[node_id_];
  std::string pick;  // "" = this node
  for (const cluster::NodeInfo& p : node_.membership->Peers()) {
    if (p.draining) continue;  // its matches must finish, not start
    int64_t load = p.load + ps.recent[p.node_id];
    if (load < best) {
      best = load;
      pick = p.node_id;
    }
  }
  // Spread a burst: each group counts as load on its node until the next sweep.
  ps.recent[pick.empty() ? node_id_ : pick] += 2;
  return pick;
}

bool ClusterPlay::SendGroup(const std::string& node, const std::string& mode,
                            const std::vector<matchmaker::Ticket>& group) {
  if (group.size() > kGroupMax || !node_.membership->IsLive(node)) return false;
  std::vector<std::string> fields{mode, std::to_string(group.size())};
  for (const matchmaker::Ticket& t : group) {
    fields.push_back(t.id);
    fields.push_back(t.player_id);
    fields.push_back(t.origin_node.empty() ? node_id_ : t.origin_node);
    fields.push_back(t.bot ? "1" : "0");
  }
  std::vector<std::string_view> views(fields.begin(), fields.end());
  if (node_.bus->Publish(Subject(node), Encode('G', node_id_, views, "")) !=
      cluster::Bus::PublishResult::kQueued) {
    return false;
  }
  metrics_.groups_sent.fetch_add(1, std::memory_order_relaxed);
  return true;
}

ClientRef ClusterPlay::ProxyFor(const std::string& player, const std::string& origin) {
  PerShard& ps = Here();
  std::string key = ProxyKey(player, origin);
  if (auto it = ps.proxy_of.find(key); it != ps.proxy_of.end()) {
    return ps.proxies.at(it->second)->ref();
  }
  int shard = Shard::Current()->id();
  if (ps.proxies.size() >= kProxiesMax) {
    metrics_.proxies_full.fetch_add(1, std::memory_order_relaxed);
    return ClientRef{shard, ProxyClient::kIndexEnd - 1, 0};  // names no client
  }
  uint32_t index = ps.next_index;
  while (ps.proxies.count(index) != 0 || index >= ProxyClient::kIndexEnd - 1) {
    index = index + 1 >= ProxyClient::kIndexEnd - 1 ? ProxyClient::kIndexBase : index + 1;
  }
  ps.next_index = index + 1;
  ClientRef ref{shard, index, 1};
  ps.proxies[index] =
      std::make_unique<ProxyClient>(ref, player, origin, MonoMs(),
                                    [this](const std::string& o, const std::string& pl,
                                           std::string_view frame) { Batch(o, pl, frame); });
  ps.proxy_of[key] = index;
  metrics_.proxies.fetch_add(1, std::memory_order_relaxed);
  return ref;
}

void ClusterPlay::TicketsPlaced(const std::vector<std::string>& ticket_ids) {
  auto run = [this, ticket_ids] {
    for (const std::string& id : ticket_ids) shards_[0].records.erase(id);
  };
  if (Shard::Current()->id() == 0) {
    run();
  } else {
    Shard::Current()->SubmitReplyTo(0, std::move(run));  // bounded by placed groups
  }
}

// ---- incoming (shard 0) ----

void ClusterPlay::OnMessage(std::string_view payload) {
  Message m;
  if (!Parse(payload, &m) || m.from == node_id_ || !node_.membership->IsLive(m.from)) {
    node_.bus->metrics().refused.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  switch (m.kind) {
    case 'A':
      return OnAdd(m);
    case 'R':
      return OnRemove(m);
    case 'T':
      return OnStatus(m);
    case 'G':
      return OnGroup(m);
    case 'P':
      return OnPlaced(m);
    case 'F':
      return OnFrame(m);
    case 'B':
      return OnBatch(m);
    case 'O':
      return OnOp(m);
    case 'K':
      return OnBlockCheck(m);
    case 'L':
      return OnBlockChange(m);
    default:
      return Resolve(m);  // 'Y', 'S', 'V'
  }
}

void ClusterPlay::OnAdd(const Message& m) {
  matchmaker::Matchmaker* mm = matchmaker::Matchmaker::OnThisShard();
  if (mm == nullptr) return;
  matchmaker::AddRequest req;
  req.player_id = std::string(m.fields[1]);
  req.mode = std::string(m.fields[2]);
  req.skill = std::strtod(std::string(m.fields[3]).c_str(), nullptr);
  req.waited_ms = ToInt(m.fields[4]);
  req.properties_json = std::string(m.rest);
  req.origin_node = std::string(m.from);
  std::string from(m.from), req_id(m.fields[0]);
  metrics_.remote_adds.fetch_add(1, std::memory_order_relaxed);
  if (!mm->node().FindMode(req.mode)) {
    return Reply(from, 'Y', {req_id, "unknown_mode", "", "0"}, "0");
  }
  t_from_bus = true;
  mm->Add(std::move(req), [this, from, req_id](Result<matchmaker::AddReply> r) {
    if (!r.ok()) return Reply(from, 'Y', {req_id, r.error().reason, "", "0"}, "0");
    const matchmaker::AddReply& a = r.value();
    Reply(from, 'Y', {req_id, "", a.ticket_id, std::to_string(a.players_needed)},
          a.already_queued ? "1" : "0");
  });
  t_from_bus = false;
}

void ClusterPlay::OnRemove(const Message& m) {
  matchmaker::Matchmaker* mm = matchmaker::Matchmaker::OnThisShard();
  if (mm == nullptr) return;
  std::string from(m.from), req_id(m.fields[0]);
  t_from_bus = true;
  mm->Remove(std::string(m.rest), std::string(m.fields[1]), [this, from, req_id](Status st) {
    Reply(from, 'Y', {req_id, st.ok() ? "" : st.error().reason, "", "0"}, "0");
  });
  t_from_bus = false;
}

void ClusterPlay::OnStatus(const Message& m) {
  matchmaker::Matchmaker* mm = matchmaker::Matchmaker::OnThisShard();
  if (mm == nullptr) return;
  std::string from(m.from), req_id(m.fields[0]);
  t_from_bus = true;
  mm->Get(std::string(m.rest), std::string(m.fields[1]),
          [this, from, req_id](Result<matchmaker::TicketStatus> r) {
            if (!r.ok())
              return Reply(from, 'S', {req_id, r.error().reason, "", "", "", "0", ""}, "");
            const matchmaker::TicketStatus& s = r.value();
            Reply(from, 'S',
                  {req_id, "", s.id, s.mode, s.status,
                   std::to_string(std::max<int64_t>(0, s.submitted_at_ms)), s.match_id},
                  s.properties_json);
          });
  t_from_bus = false;
}

void ClusterPlay::OnGroup(const Message& m) {
  matchmaker::Matchmaker* mm = matchmaker::Matchmaker::OnThisShard();
  if (mm == nullptr) return;
  std::string mode(m.fields[0]);
  std::vector<matchmaker::Ticket> group;
  int64_t now = MonoMs();
  for (size_t i = 2; i + 3 < m.fields.size(); i += 4) {
    matchmaker::Ticket t;
    t.id = std::string(m.fields[i]);
    t.player_id = std::string(m.fields[i + 1]);
    t.mode = mode;
    t.origin_node = std::string(m.fields[i + 2]);
    t.queue_node = std::string(m.from);
    t.bot = m.fields[i + 3] == "1";
    t.submitted_unix_ms = UnixMs();
    t.submitted_mono_ms = now;
    t.via_rest = true;
    group.push_back(std::move(t));
  }
  metrics_.groups_placed.fetch_add(1, std::memory_order_relaxed);
  mm->PlaceRemoteGroup(mode, std::move(group));
}

void ClusterPlay::OnPlaced(const Message& m) {
  matchmaker::Matchmaker* mm = matchmaker::Matchmaker::OnThisShard();
  if (mm == nullptr) return;
  std::vector<std::string> ids(m.fields.begin() + 4, m.fields.end());
  auto outcome = matchmaker::PlacementOutcome(m.fields[1][0]);  // validated: m, f or r
  if (outcome == matchmaker::PlacementOutcome::kRequeue) {
    metrics_.requeued.fetch_add(ids.size(), std::memory_order_relaxed);
  }
  mm->RecordRemotePlacement(std::string(m.fields[0]), outcome, std::string(m.fields[2]),
                            std::move(ids));
}

bool ClusterPlay::ReportPlacement(const std::string& queue_node, const std::string& mode,
                                  matchmaker::PlacementOutcome outcome, const std::string& match_id,
                                  const std::vector<std::string>& ticket_ids) {
  if (queue_node == node_id_ || ticket_ids.empty() || ticket_ids.size() > kGroupMax ||
      !node_.membership->IsLive(queue_node)) {
    return false;
  }
  std::string count = std::to_string(ticket_ids.size());
  char kind = char(outcome);
  std::vector<std::string_view> fields{mode, std::string_view(&kind, 1), match_id, count};
  fields.insert(fields.end(), ticket_ids.begin(), ticket_ids.end());
  return node_.bus->Publish(Subject(queue_node), Encode('P', node_id_, fields, "")) ==
         cluster::Bus::PublishResult::kQueued;
}

void ClusterPlay::Batch(const std::string& origin, const std::string& player,
                        std::string_view frame) {
  PerShard& ps = Here();
  PerShard::Batch& b = ps.out[origin];
  if (b.last_size != 0 && b.last_size == frame.size() &&
      std::string_view(b.rest).substr(b.last_at, b.last_size) == frame) {
    AppendBatchRepeat(&b.rest, player);  // a broadcast: its bytes cross once per node
    metrics_.frames_repeated.fetch_add(1, std::memory_order_relaxed);
  } else {
    AppendBatchItem(&b.rest, player, frame);
    b.last_at = b.rest.size() - frame.size();
    b.last_size = frame.size();
  }
  ++b.count;
  metrics_.frames_sent.fetch_add(1, std::memory_order_relaxed);
  if (b.rest.size() >= kBatchBytesMax || b.count >= kBatchMax) {
    Flush(ps);
    return;
  }
  if (ps.flush_scheduled) return;
  // Runs on the next reactor turn, after the match's flush of this turn.
  Shard* shard = Shard::Current();
  ps.flush_scheduled = shard->SubmitTo(shard->id(), [this, &ps] {
    ps.flush_scheduled = false;
    Flush(ps);
  });
  if (!ps.flush_scheduled) Flush(ps);  // own mailbox full: send now rather than late
}

void ClusterPlay::Flush(PerShard& ps) {
  for (auto& [node, b] : ps.out) {
    if (b.count == 0) continue;
    std::string count = std::to_string(b.count);
    node_.bus->Publish(Subject(node), Encode('B', node_id_, {count}, b.rest));
    b.rest.clear();
    b.count = 0;
    b.last_at = b.last_size = 0;
  }
  if (ps.out.size() > 64) ps.out.clear();  // forget nodes no longer sent to
}

void ClusterPlay::OnBatch(const Message& m) {
  std::string from(m.from);
  for (size_t i = 1; i + 1 < m.fields.size(); i += 2) {
    DeliverFrame(from, std::string(m.fields[i]), m.fields[i + 1]);
  }
}

void ClusterPlay::OnFrame(const Message& m) {
  DeliverFrame(std::string(m.from), std::string(m.fields[0]), m.rest);
}

void ClusterPlay::DeliverFrame(const std::string& from, const std::string& player,
                               std::string_view frame_bytes) {
  directory::PlayerDirectory* d = directory::PlayerDirectory::OnThisShard();
  if (d == nullptr) return;
  bool matched = IsPush(frame_bytes, "match.matched");
  bool finished = !matched && IsPush(frame_bytes, "match.finished");
  std::string match_id =
      matched || finished ? std::string(FrameMatchId(frame_bytes)) : std::string();
  if (matched || IsPush(frame_bytes, "match.matchmaker_failed")) {
    // Matched (or failed): the tickets this node forwarded for the player are done.
    auto& recs = shards_[0].records;
    std::erase_if(recs, [&](const auto& kv) { return kv.second.player == player; });
  }
  auto frame = std::make_shared<const std::string>(frame_bytes);
  d->RunOnLocalSockets(player, [frame, matched, finished, match_id, from](Client& c) {
    match::MatchService* svc = match::MatchService::OnThisShard();
    if (svc != nullptr && matched && !match_id.empty()) {
      svc->clients().SetRemote(c.ref(), match_id, from);
    }
    c.SendFrame(*frame);
    if (svc != nullptr && finished && !match_id.empty()) svc->clients().ClearIf(c.ref(), match_id);
  });
}

void ClusterPlay::OnOp(const Message& m) {
  std::string match_id(m.fields[3]);
  int owner = match::OwnerShardOf(match_id, int(shards_.size()));
  std::vector<std::string> f(m.fields.begin(), m.fields.end());
  std::string from(m.from), body(m.rest);
  auto run = [this, from, f = std::move(f), body = std::move(body)] { RunOp(from, f, body); };
  if (owner == Shard::Current()->id()) {
    run();
  } else if (!Shard::Current()->SubmitTo(owner, std::move(run))) {
    node_.bus->metrics().refused.fetch_add(1, std::memory_order_relaxed);  // full mailbox
  }
}

void ClusterPlay::RunOp(const std::string& from, const std::vector<std::string>& f,
                        const std::string& body) {
  // f: req_id, op, player, match_id
  PerShard& ps = Here();
  const std::string& req_id = f[0];
  char op = f[1][0];
  const std::string& player = f[2];
  const std::string& match_id = f[3];
  auto it = ps.proxy_of.find(ProxyKey(player, from));
  if (it == ps.proxy_of.end()) {
    if (op == 'V' || op == 'X') Reply(from, 'V', {req_id}, "not_in_match");
    return;
  }
  uint32_t index = it->second;
  ClientRef ref = ps.proxies.at(index)->ref();
  metrics_.ops.fetch_add(1, std::memory_order_relaxed);
  auto reply = [this, from, req_id](std::string reason) { Reply(from, 'V', {req_id}, reason); };
  switch (op) {
    case 'I':
      match::RouteInput(match_id, player, body, ref);
      return;
    case 'L':
      match::RouteLeave(match_id, player);
      DropProxy(ps, index);
      return;
    case 'C':
      match::RouteDetach(match_id, player, ref, true);
      DropProxy(ps, index);
      return;
    case 'V': {
      size_t nl = body.find('\n');
      if (nl == std::string::npos) return reply("invalid_payload");
      match::RouteVoteCast(match_id, player, body.substr(0, nl), body.substr(nl + 1), reply);
      return;
    }
    default:  // 'X'
      match::RouteVoteVeto(match_id, player, body, reply);
  }
}

void ClusterPlay::Resolve(const Message& m) {
  int shard = ShardOfReqId(m.fields[0]);
  if (shard < 0 || size_t(shard) >= shards_.size()) {
    node_.bus->metrics().refused.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  std::vector<std::string> f(m.fields.begin(), m.fields.end());
  f.emplace_back(m.rest);
  uint64_t seq = uint64_t(ToInt(m.fields[0].substr(m.fields[0].find('.') + 1)));
  auto run = [this, shard, seq, f = std::move(f)] {
    PerShard& ps = shards_[size_t(shard)];
    auto it = ps.pending.find(seq);
    if (it == ps.pending.end()) return;  // timed out already
    ReplyFn fn = std::move(it->second.fn);
    ps.pending.erase(it);
    fn(true, f);
  };
  if (shard == Shard::Current()->id()) {
    run();
  } else {
    Shard::Current()->SubmitReplyTo(shard, std::move(run));  // bounded by pending requests
  }
}

// ---- DM block lists across nodes (social::BlockRelay) ----

void ClusterPlay::CheckOn(const std::string& node, const std::string& sender,
                          const std::string& recipient, const std::string& frame,
                          std::function<void(social::BlockVerdict)> done) {
  auto fn = [this, done](bool replied, const std::vector<std::string>& f) {
    if (!replied) {
      metrics_.timeouts.fetch_add(1, std::memory_order_relaxed);
      return done(social::BlockVerdict::kUnknown);
    }
    const std::string& v = f.back();
    done(v == "a"   ? social::BlockVerdict::kAllowed
         : v == "b" ? social::BlockVerdict::kBlocked
                    : social::BlockVerdict::kUnknown);
  };
  // A node that expired since its presence edge would leave the DM waiting for the request
  // timeout; not sent (expired node, pending table full, bus refused): the sender's node asks
  // the database at once.
  if (!node_.membership->IsLive(node) || !Request(node, 'K', {sender, recipient}, frame, fn)) {
    done(social::BlockVerdict::kUnknown);
  }
}

void ClusterPlay::ReportChange(const std::string& player, const std::string& other, bool blocked,
                               std::function<void()> done) {
  std::vector<cluster::NodeInfo> peers = node_.membership->Peers();
  auto left = std::make_shared<size_t>(peers.size() + 1);
  auto one = [left, done = std::move(done)] {
    if (--*left == 0) done();
  };
  for (const cluster::NodeInfo& p : peers) {
    // A peer that does not answer in time is counted as done (it died or is cut off; its
    // lists go with its sockets).
    auto fn = [this, one](bool replied, const std::vector<std::string>&) {
      if (!replied) metrics_.timeouts.fetch_add(1, std::memory_order_relaxed);
      one();
    };
    if (!Request(p.node_id, 'L', {player, other, blocked ? "1" : "0"}, "", fn)) one();
  }
  one();
}

void ClusterPlay::OnBlockCheck(const Message& m) {
  // f: req_id, sender, recipient; rest: the dm.message frame.
  std::string from(m.from), req_id(m.fields[0]), sender(m.fields[1]), recipient(m.fields[2]);
  int owner = directory::DirectoryNode::OwnerShardOf(recipient, int(shards_.size()));
  auto run = [this, from, req_id, sender, recipient, frame = std::string(m.rest)] {
    metrics_.block_checks.fetch_add(1, std::memory_order_relaxed);
    social::BlockLists* lists = social::BlockLists::OnThisShard();
    if (lists == nullptr) return Reply(from, 'V', {req_id}, "u");
    lists->Check(recipient, sender, [this, from, req_id, recipient, frame](social::BlockVerdict v) {
      if (v == social::BlockVerdict::kAllowed) {
        if (auto* d = directory::PlayerDirectory::OnThisShard()) {
          d->SendToLocalSockets(recipient, frame);
        }
      }
      Reply(from, 'V', {req_id},
            v == social::BlockVerdict::kAllowed   ? "a"
            : v == social::BlockVerdict::kBlocked ? "b"
                                                  : "u");
    });
  };
  if (owner == Shard::Current()->id()) {
    run();
  } else if (!Shard::Current()->SubmitTo(owner, std::move(run))) {
    Reply(from, 'V', {req_id}, "u");  // full mailbox: the sender's node asks the database
  }
}

void ClusterPlay::OnBlockChange(const Message& m) {
  // f: req_id, player, other, "0"/"1". Applied on the player's owner shard, then answered;
  // never dropped (bounded by the friends routes' requests).
  std::string from(m.from), req_id(m.fields[0]), player(m.fields[1]), other(m.fields[2]);
  bool blocked = m.fields[3] == "1";
  int owner = directory::DirectoryNode::OwnerShardOf(player, int(shards_.size()));
  auto run = [this, from, req_id, player, other, blocked] {
    metrics_.block_changes.fetch_add(1, std::memory_order_relaxed);
    if (social::BlockLists* lists = social::BlockLists::OnThisShard()) {
      lists->Apply(player, other, blocked);
    }
    Reply(from, 'V', {req_id}, "");
  };
  if (owner == Shard::Current()->id()) {
    run();
  } else {
    Shard::Current()->SubmitReplyTo(owner, std::move(run));
  }
}

// ---- operations of this node's sockets on remote matches ----

void ClusterPlay::SendRemoteOp(const std::string& node, const std::string& match_id,
                               const std::string& player, char op, std::string body,
                               std::function<void(std::string)> done) {
  ReplyFn fn = [this, done](bool replied, const std::vector<std::string>& f) {
    if (!done) return;
    if (!replied) {
      metrics_.timeouts.fetch_add(1, std::memory_order_relaxed);
      return done("timeout");
    }
    done(f.back());  // req_id, reason
  };
  if (!done) {  // fire and forget: no pending entry
    std::vector<std::string> fields{"0.0", std::string(1, op), player, match_id};
    Reply(node, 'O', std::move(fields), std::move(body));
    return;
  }
  if (!Request(node, 'O', {std::string(1, op), player, match_id}, std::move(body), std::move(fn))) {
    done("internal");
  }
}

// ---- bookkeeping ----

void ClusterPlay::Remember(const std::string& ticket_id, Record r) {
  auto store = [this, ticket_id, r = std::move(r)]() mutable {
    auto& recs = shards_[0].records;
    if (recs.size() >= size_t(std::max<int64_t>(1, mm_.options().queue_max))) return;
    recs[ticket_id] = std::move(r);
  };
  if (Shard::Current()->id() == 0) {
    store();
  } else {
    Shard::Current()->SubmitReplyTo(0, std::move(store));
  }
}

void ClusterPlay::OnClientClosed(const ClientRef& ref) {
  // The socket's forwarded WebSocket tickets leave the owner's queue with it.
  auto run = [this, ref] {
    auto& recs = shards_[0].records;
    for (auto it = recs.begin(); it != recs.end();) {
      if (it->second.client && *it->second.client == ref) {
        std::function<void(Status)> ignore = [](Status) {};
        ForwardRemove(it->first, it->second.player, ignore);
        it = recs.erase(it);
      } else {
        ++it;
      }
    }
  };
  if (Shard::Current()->id() == 0) {
    run();
  } else {
    Shard::Current()->SubmitReplyTo(0, std::move(run));
  }
}

void ClusterPlay::DropProxy(PerShard& ps, uint32_t index) {
  auto it = ps.proxies.find(index);
  if (it == ps.proxies.end()) return;
  ps.proxy_of.erase(ProxyKey(it->second->player_id(), it->second->origin()));
  if (match::MatchService* svc = match::MatchService::OnThisShard()) {
    svc->clients().Remove(it->second->ref());  // AttachClients recorded it
  }
  ps.proxies.erase(it);
}

void ClusterPlay::Sweep() {
  PerShard& ps = Here();
  if (ps.game == nullptr) return;
  int64_t now = MonoMs();
  ps.recent.clear();
  std::vector<std::function<void()>> redo;
  for (auto it = ps.pending.begin(); it != ps.pending.end();) {
    Pending& p = it->second;
    if (p.redo && !node_.membership->IsLive(p.node)) {
      redo.push_back(std::move(p.redo));  // its node died before answering
      it = ps.pending.erase(it);
      continue;
    }
    if (p.deadline_ms > now) {
      ++it;
      continue;
    }
    ReplyFn fn = std::move(p.fn);
    it = ps.pending.erase(it);
    fn(false, {});
  }
  for (auto& fn : redo) fn();
  SweepProxies(ps);
  SweepBindings(ps);
  if (Shard::Current()->id() == 0) SweepRecords(ps);
}

void ClusterPlay::SweepProxies(PerShard& ps) {
  int64_t now = MonoMs();
  std::vector<uint32_t> drop;
  for (auto& [index, p] : ps.proxies) {
    if (p->finished() || (p->match_id().empty() && now - p->created_ms() > kProxyUnmatchedMs)) {
      drop.push_back(index);
    } else if (!node_.membership->IsLive(p->origin())) {
      // The player's node died: its sockets are gone, as if they closed.
      if (!p->match_id().empty()) match::RouteDetach(p->match_id(), p->player_id(), p->ref(), true);
      drop.push_back(index);
    }
  }
  for (uint32_t index : drop) DropProxy(ps, index);
}

void ClusterPlay::SweepBindings(PerShard& ps) {
  match::MatchService* svc = match::MatchService::OnThisShard();
  if (svc == nullptr) return;
  for (const auto& e : svc->clients().RemoteEntries()) {
    if (node_.membership->IsLive(e.node)) continue;
    // The match's node died with the match: the player hears it from this node.
    svc->clients().ClearIf(e.ref, e.match_id);
    if (Client* c = ps.game->find_client ? ps.game->find_client(e.ref) : nullptr) {
      c->SendFrame(NodeLostFrame(e.match_id));
    }
    metrics_.node_lost.fetch_add(1, std::memory_order_relaxed);
  }
}

void ClusterPlay::SweepRecords(PerShard& ps) {
  if (ps.records.empty()) return;
  int64_t now = MonoMs();
  std::string owner = OwnerNode();
  std::vector<std::pair<std::string, Record>> moving;
  for (auto it = ps.records.begin(); it != ps.records.end();) {
    Record& r = it->second;
    if (now - r.queued_ms > mm_.options().max_wait_ms) {
      it = ps.records.erase(it);  // expired on its owner by now
    } else if (r.owner != owner && !node_.membership->IsLive(r.owner)) {
      moving.emplace_back(it->first, std::move(r));
      it = ps.records.erase(it);
    } else {
      ++it;
    }
  }
  matchmaker::Matchmaker* mm = matchmaker::Matchmaker::OnThisShard();
  if (moving.empty() || mm == nullptr) return;
  LOG_INFO("cluster matchmaker: queue owner changed, forwarding tickets again")
      .KV("owner", owner)
      .KV("tickets", int64_t(moving.size()));
  for (auto& [id, r] : moving) {
    matchmaker::AddRequest req;
    req.player_id = r.player;
    req.mode = r.mode;
    req.properties_json = r.properties;
    req.skill = r.skill;
    req.waited_ms = now - r.queued_ms;
    // Socket-less on the new owner (also when it is this node): outcomes reach every socket of
    // the player through the directory; its ticket id changes (a later remove by the old id
    // answers not_found).
    mm->Add(std::move(req), [](Result<matchmaker::AddReply>) {});
    metrics_.reforwarded.fetch_add(1, std::memory_order_relaxed);
  }
}

void ClusterPlay::AppendMetrics(std::string* out) const {
  auto line = [out](const char* name, const char* help, uint64_t v) {
    *out += std::string("# HELP asobi_cluster_play_") + name + "_total " + help +
            "\n# TYPE asobi_cluster_play_" + name + "_total counter\nasobi_cluster_play_" + name +
            "_total " + std::to_string(v) + "\n";
  };
  auto get = [](const std::atomic<uint64_t>& a) { return a.load(std::memory_order_relaxed); };
  line("forwarded", "Matchmaker requests forwarded to the queue owner node.",
       get(metrics_.forwarded));
  line("remote_adds", "Tickets queued here for another node.", get(metrics_.remote_adds));
  line("groups_sent", "Formed groups placed on another node.", get(metrics_.groups_sent));
  line("groups_placed", "Groups from another node placed here.", get(metrics_.groups_placed));
  line("proxies", "Proxy clients created for players on other nodes.", get(metrics_.proxies));
  line("proxies_full", "Proxy clients refused at the per-shard bound.", get(metrics_.proxies_full));
  line("ops", "Operations of proxied players applied here.", get(metrics_.ops));
  line("node_lost", "Sockets told their match's node was lost.", get(metrics_.node_lost));
  line("reforwarded", "Tickets forwarded again after their owner node died.",
       get(metrics_.reforwarded));
  line("timeouts", "Cluster requests that got no reply in time.", get(metrics_.timeouts));
  line("requeued", "Tickets another node's placement sent back to this node's queue.",
       get(metrics_.requeued));
  line("frames_sent", "Proxy frames sent to other nodes.", get(metrics_.frames_sent));
  line("frames_repeated",
       "Proxy frames sent as a repeat of the previous frame of their batch (no bytes).",
       get(metrics_.frames_repeated));
  line("block_checks", "DM block checks answered here for a sender on another node.",
       get(metrics_.block_checks));
  line("block_changes", "Block list changes made on another node applied here.",
       get(metrics_.block_changes));
}

}  // namespace asobi::cluster_play
