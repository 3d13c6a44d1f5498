// Match: creation, callbacks and suspension, roster (lua.md §3, §4; websocket.md §5.3-§5.6).
#include "game/match/match.h"

#include <lua.hpp>

#include "base/clock.h"
#include "base/log.h"
#include "game/match/failure_log.h"
#include "game/match/match_service.h"
#include "protocol/json_writer.h"
#include "script/callback_failures.h"

namespace asobi::match {
namespace {

std::string Basename(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string RefusedDetails(const std::string& reason) {
  if (reason.empty()) return {};
  JsonWriter w;
  w.BeginObject();
  w.Key("refused_reason");
  w.String(reason);
  w.EndObject();
  return w.Take();
}

}  // namespace

Match::Match(MatchService& service, std::string id, std::shared_ptr<const modes::ModeConfig> mode)
    : service_(service),
      id_(std::move(id)),
      mode_(std::move(mode)),
      script_base_(Basename(mode_->script_rel)) {}

Match::~Match() {
  UnindexPlayers();
  service_.ReleaseTickPhase(tick_phase_);
  for (const Member& m : roster_) {
    if (m.grace_deadline_ms != 0) service_.node().ClearReconnectable(m.player_id, id_);
  }
  MatchHost& host = service_.host();
  if (tick_timer_) host.CancelTimer(tick_timer_);
  if (waiting_timer_) host.CancelTimer(waiting_timer_);
  if (async_timer_) host.CancelTimer(async_timer_);
  for (OpenVote& v : votes_) {
    if (v.timer) host.CancelTimer(v.timer);
  }
}

Status Match::Start() {
  MatchScript::Options o;
  o.memory = service_.node().options().memory;
  o.memory.node = &service_.node().lua_memory();
  o.test_api = service_.node().options().test_api;
  o.storage = service_.node().options().storage;
  o.jit = service_.node().options().lua_jit;
  o.sources = &service_.node().modes().sources();
  auto script = MatchScript::Create(*mode_, this, o);
  if (!script.ok()) return script.error();
  script_ = std::move(script.value());
  Status st = script_->Init(id_, mode_->name);
  if (!st.ok()) return st;
  created_unix_ms_ = UnixMs();
  LoadPhases();  // §3 "Creation": phases(config), maybe the first on_phase_started
  waiting_timer_ = service_.host().AddTimer(service_.node().options().waiting_timeout_ms, [this] {
    waiting_timer_ = 0;
    if (status_ != MatchStatus::kWaiting) return;
    LOG_INFO("match waiting timeout").KV("match_id", id_).KV("mode", mode_->name);
    DestroySoon();
  });
  Publish();
  return Ok{};
}

std::vector<std::string> Match::PlayerIds() const {
  std::vector<std::string> out;
  for (const Member& m : roster_) out.push_back(m.player_id);
  return out;
}

std::string Match::RosterJson() const {
  JsonWriter w;
  w.BeginArray();
  for (const Member& m : roster_) {
    w.BeginObject();
    w.Key("player_id");
    w.String(m.player_id);
    w.Key("connected");
    w.Bool(!m.clients.empty());
    w.EndObject();
  }
  w.EndArray();
  return w.out();
}

size_t Match::lua_bytes() const { return script_ ? script_->live_bytes() : 0; }

MatchListing Match::Listing() const {
  MatchListing l;
  l.match_id = id_;
  l.mode = mode_->name;
  l.status = status_;
  l.player_count = int(roster_.size());
  l.max_players = mode_->max_players;
  l.joinable = joinable_;
  l.listed = mode_->listed;
  l.owner_shard = service_.host().shard_id();
  l.phase_json = phases_.InfoJson();
  return l;
}

void Match::Publish() {
  if (!destroying_) service_.node().directory().Upsert(Listing());
}

// ---- Callbacks and suspension ----

void Match::RunCallback(const MatchScript::Call& call, Continuation k) {
  MatchScript::Outcome o;
  if (broken_) {
    o.reason_class = "runtime_error";
    o.message = "script state destroyed";
    k(o);
    return;
  }
  bool done = script_->Start(call, &o);
  AfterCallbackStep(done, o, std::move(k));
}

void Match::AfterCallbackStep(bool done, const MatchScript::Outcome& o, Continuation k) {
  if (done) {
    busy_ = false;
    k(o);
    return;
  }
  // Suspended in a host call: mark busy and start the operation it registered.
  busy_ = true;
  on_resume_ = std::move(k);
  const uint64_t token = ++async_token_;
  MatchService* svc = &service_;
  std::string id = id_;
  async_timer_ =
      service_.host().AddTimer(service_.node().options().async_timeout_ms, [this, token] {
        async_timer_ = 0;
        OnAsyncReply(token, [](lua_State* L) {
          lua_createtable(L, 0, 1);
          lua_pushliteral(L, "timeout");
          lua_setfield(L, -2, "error");
          return 1;
        });
      });
  script::game_api::AsyncStart start = std::move(pending_start_);
  pending_start_ = nullptr;
  if (!start) {
    OnAsyncReply(token, nullptr);  // yielded without an operation: resume at once
    return;
  }
  start([svc, id, token](script::game_api::AsyncReply reply) {
    // Always on a later turn, so a reply delivered from inside `start` cannot re-enter.
    svc->host().AddTimer(0, [svc, id, token, reply = std::move(reply)]() mutable {
      svc->CompleteAsync(id, token, std::move(reply));
    });
  });
}

void Match::OnAsyncReply(uint64_t token, script::game_api::AsyncReply reply) {
  if (!busy_ || token != async_token_ || !script_->suspended()) return;  // late or duplicate
  if (async_timer_) {
    service_.host().CancelTimer(async_timer_);
    async_timer_ = 0;
  }
  MatchScript::Outcome o;
  bool done = script_->Resume(reply, &o);
  Continuation k = std::move(on_resume_);
  on_resume_ = nullptr;
  AfterCallbackStep(done, o, std::move(k));
  if (!busy_) {
    RunDeferred();
    Flush();
  }
}

void Match::Defer(std::function<void()> op) { deferred_.push_back(std::move(op)); }

void Match::RunDeferred() {
  while (!busy_ && !deferred_.empty() && !destroying_) {
    std::function<void()> op = std::move(deferred_.front());
    deferred_.pop_front();
    op();
  }
}

bool Match::CheckUnrecoverable(const MatchScript::Outcome& o) {
  if (broken_) return true;
  bool broken = o.unrecoverable || (o.memory_exceeded && !script_->Healthy());
  if (!broken) return false;
  LOG_ERROR("lua state unrecoverable, finishing match").KV("match_id", id_).KV("mode", mode_->name);
  broken_ = true;
  if (status_ != MatchStatus::kFinished) Finish(R"({"status":"script_failure"})");
  return true;
}

bool Match::LogFailure(const char* callback, const MatchScript::Outcome& o) {
  service_.node().metrics().callback_errors.fetch_add(1, std::memory_order_relaxed);
  script::NodeCallbackFailures().Record(script::ScriptKind::kMatch, callback,
                                        o.reason_class == "timeout");
  const int64_t now = service_.host().NowMs();
  LogCallbackFailure(script_base_, callback, o.reason_class, o.message, now);
  if (o.reason_class != "timeout") return false;
  service_.overrun_us().Record(uint64_t(o.elapsed_us > 0 ? o.elapsed_us : 0));
  return NoteOverrun(callback, now);
}

bool Match::NoteOverrun(const char* callback, int64_t now_ms) {
  const MatchOptions& opt = service_.node().options();
  if (opt.overrun_limit <= 0 || broken_) return broken_;
  overruns_ms_.push_back(now_ms);
  while (!overruns_ms_.empty() && now_ms - overruns_ms_.front() >= opt.overrun_window_ms) {
    overruns_ms_.pop_front();
  }
  if (int(overruns_ms_.size()) < opt.overrun_limit) return false;
  // docs/decisions.md "Lua quarantine": repeated overruns starve every match of this shard.
  LOG_ERROR("lua script quarantined, finishing match")
      .KV("match_id", id_)
      .KV("mode", mode_->name)
      .KV("script", script_base_)
      .KV("callback", callback)
      .KV("overruns", int64_t(overruns_ms_.size()))
      .KV("window_ms", opt.overrun_window_ms);
  service_.node().metrics().matches_quarantined.fetch_add(1, std::memory_order_relaxed);
  broken_ = true;
  if (status_ != MatchStatus::kFinished) Finish(R"({"status":"script_failure"})");
  return true;
}

// ---- Roster ----

Match::Member* Match::FindMember(std::string_view player_id) {
  for (Member& m : roster_) {
    if (m.player_id == player_id) return &m;
  }
  return nullptr;
}

void Match::Join(JoinRequest req, JoinDone done) {
  if (req.rate_limit && !service_.node().AllowJoin(req.player_id, service_.host().NowMs())) {
    done(JoinOutcome{"join_rate_limited", {}, {}, id_});
    return;
  }
  if (!req.ctx_error.empty()) {
    done(JoinOutcome{req.ctx_error, {}, {}, id_});
    return;
  }
  if (busy_) {
    Defer([this, req = std::move(req), done = std::move(done)]() mutable {
      ContinueJoin(std::move(req), std::move(done));
    });
    return;
  }
  ContinueJoin(std::move(req), std::move(done));
}

void Match::ContinueJoin(JoinRequest req, JoinDone done) {
  if (status_ == MatchStatus::kFinished || destroying_) {
    done(JoinOutcome{"not_in_match", {}, {}, id_});
    return;
  }
  if (Member* m = FindMember(req.player_id)) {  // already in: attach the socket(s)
    for (const ClientRef& c : req.clients) {
      bool known = false;
      for (const ClientRef& k : m->clients) known = known || k == c;
      if (!known) m->clients.push_back(c);
    }
    done(JoinOutcome{{}, {}, JoinedJson(), id_});
    return;
  }
  if (!joinable_) return done(JoinOutcome{"match_locked", {}, {}, id_});
  if (int(roster_.size()) >= mode_->max_players) {
    return done(JoinOutcome{"match_full", {}, {}, id_});
  }
  MatchScript::Call call{MatchScript::Kind::kJoin, req.player_id, req.ctx_json};
  RunCallback(call, [this, req = std::move(req),
                     done = std::move(done)](const MatchScript::Outcome& o) mutable {
    FinishJoin(std::move(req), std::move(done), o);
  });
  Flush();
}

void Match::FinishJoin(JoinRequest req, JoinDone done, const MatchScript::Outcome& o) {
  if (CheckUnrecoverable(o)) return done(JoinOutcome{"internal", {}, {}, id_});
  if (o.refused) {
    if (o.returned_nothing) {
      LOG_WARN("lua join returned nothing (refused; missing `return state`?)")
          .KV("match_id", id_)
          .KV("script", script_base_);
    }
    return done(JoinOutcome{"join_refused", RefusedDetails(o.refused_reason), {}, id_});
  }
  if (!o.ok) {
    LogFailure("join", o);  // a quarantine finishes the match; the join fails either way
    return done(JoinOutcome{"internal", {}, {}, id_});
  }
  if (status_ == MatchStatus::kFinished || int(roster_.size()) >= mode_->max_players) {
    return done(JoinOutcome{
        status_ == MatchStatus::kFinished ? "not_in_match" : "match_full", {}, {}, id_});
  }
  roster_.push_back(Member{req.player_id, req.clients});
  script_->RememberPlayer(req.player_id);
  service_.node().AddPlayer(req.player_id);
  if (status_ == MatchStatus::kWaiting && int(roster_.size()) >= mode_->min_players) {
    EnterRunning();
  }
  std::vector<PhaseEvent> events;
  phases_.OnRoster(int(roster_.size()), &events);  // §3: {players = N} checked on each join
  NotePhaseEvents(events);
  Publish();
  done(JoinOutcome{{}, {}, JoinedJson(), id_});
  if (!events.empty()) {
    RunPhaseEvents(std::make_shared<std::vector<PhaseEvent>>(std::move(events)), 0, [] {});
  }
}

std::string Match::JoinedJson() const {
  JsonWriter w;
  w.BeginObject();
  w.Key("match_id");
  w.String(id_);
  w.Key("mode");
  w.String(mode_->name);
  w.Key("status");
  w.String(StatusName(status_));
  w.Key("player_count");
  w.Int(int64_t(roster_.size()));
  w.Key("max_players");
  w.Int(mode_->max_players);
  w.Key("players");
  w.BeginArray();
  for (const Member& m : roster_) w.String(m.player_id);
  w.EndArray();
  w.Key("listed");
  w.Bool(mode_->listed);
  w.Key("joinable");
  w.Bool(joinable_);
  if (std::string phase = phases_.InfoJson(); !phase.empty()) {
    w.Key("phase");
    w.Raw(phase);
  }
  w.EndObject();
  return w.Take();
}

void Match::EnterRunning() {
  status_ = MatchStatus::kRunning;
  started_unix_ms_ = UnixMs();
  if (waiting_timer_) {
    service_.host().CancelTimer(waiting_timer_);
    waiting_timer_ = 0;
  }
  const int64_t now = service_.host().NowMs();
  next_tick_ms_ = now;
  if (service_.node().options().spread_tick_phases) {
    // First tick at the next instant after `now` whose offset in the period is our phase;
    // ScheduleTick adds one period to next_tick_ms_.
    const int64_t tick_ms = service_.node().options().tick_ms;
    tick_phase_ = service_.TakeTickPhase();
    int64_t first = now - now % tick_ms + tick_phase_;
    if (first <= now) first += tick_ms;
    next_tick_ms_ = first - tick_ms;
  }
  ScheduleTick();
}

void Match::UnindexPlayers() {
  if (!players_indexed_) return;
  players_indexed_ = false;
  for (const Member& m : roster_) service_.node().RemovePlayer(m.player_id, id_);
}

void Match::Leave(const std::string& player_id) {
  if (busy_) {
    Defer([this, player_id] { Leave(player_id); });
    return;
  }
  Member* m = FindMember(player_id);
  if (m == nullptr) return;
  for (const ClientRef& c : m->clients) outbox_.Detach(c);
  if (status_ == MatchStatus::kFinished || broken_) {
    RemoveMember(player_id);
    return;
  }
  MatchScript::Call call{MatchScript::Kind::kLeave, player_id, {}};
  RunCallback(call, [this, player_id](const MatchScript::Outcome& o) {
    if (!CheckUnrecoverable(o) && !o.ok) LogFailure("leave", o);
    RemoveMember(player_id);
  });
  Flush();
}

void Match::RemoveMember(const std::string& player_id) {
  for (size_t i = 0; i < roster_.size(); ++i) {
    if (roster_[i].player_id == player_id) {
      if (roster_[i].grace_deadline_ms != 0) service_.node().ClearReconnectable(player_id, id_);
      roster_.erase(roster_.begin() + long(i));
      std::erase(ready_, player_id);
      if (script_) script_->ForgetPlayer(player_id);
      if (players_indexed_) service_.node().RemovePlayer(player_id, id_);
      break;
    }
  }
  if (roster_.empty()) {
    DestroySoon();  // §3 "Empty roster at any time destroys the match silently"
    return;
  }
  Publish();
}

void Match::DetachClient(const std::string& player_id, const ClientRef& ref, bool socket_closed) {
  Member* m = FindMember(player_id);
  if (m == nullptr) return;
  for (size_t i = 0; i < m->clients.size(); ++i) {
    if (m->clients[i] == ref) {
      m->clients.erase(m->clients.begin() + long(i));
      if (!m->clients.empty()) return;
      if (socket_closed && mode_->reconnect_grace_ms > 0 && status_ == MatchStatus::kRunning &&
          !broken_) {
        m->grace_deadline_ms = service_.host().NowMs() + mode_->reconnect_grace_ms;
        service_.node().SetReconnectable(player_id, id_);
        LOG_INFO("match player disconnected, seat kept")
            .KV("match_id", id_)
            .KV("player_id", player_id)
            .KV("grace_ms", mode_->reconnect_grace_ms);
        return;
      }
      Leave(player_id);
      return;
    }
  }
}

bool Match::Reattach(const std::string& player_id, const ClientRef& ref) {
  Member* m = FindMember(player_id);
  if (m == nullptr || m->grace_deadline_ms == 0 || status_ != MatchStatus::kRunning) return false;
  m->grace_deadline_ms = 0;
  m->clients.push_back(ref);
  service_.node().ClearReconnectable(player_id, id_);
  service_.AttachClients(id_, player_id, {ref});
  LOG_INFO("match player reconnected").KV("match_id", id_).KV("player_id", player_id);
  return true;
}

void Match::ExpireGrace() {
  const int64_t now = service_.host().NowMs();
  std::vector<std::string> expired;
  for (const Member& m : roster_) {
    if (m.grace_deadline_ms != 0 && m.clients.empty() && now >= m.grace_deadline_ms) {
      expired.push_back(m.player_id);
    }
  }
  for (const std::string& pid : expired) {
    LOG_INFO("match reconnect grace expired").KV("match_id", id_).KV("player_id", pid);
    Leave(pid);
  }
}

void Match::Input(const std::string& player_id, std::string input_json, const ClientRef& from) {
  const MatchOptions& opt = service_.node().options();
  const bool member = FindMember(player_id) != nullptr;
  if (status_ != MatchStatus::kRunning || !member || inputs_.size() >= opt.input_queue_max) {
    service_.node().metrics().inputs_dropped.fetch_add(1, std::memory_order_relaxed);
    int64_t now = service_.host().NowMs();
    if (now - last_drop_log_ms_ >= 10000) {
      last_drop_log_ms_ = now;
      LOG_INFO("match input dropped")
          .KV("match_id", id_)
          .KV("status", StatusName(status_))
          .KV("member", member)
          .KV("queued", int64_t(inputs_.size()));
    }
    return;
  }
  inputs_.push_back(QueuedInput{player_id, std::move(input_json), from});
}

}  // namespace asobi::match
