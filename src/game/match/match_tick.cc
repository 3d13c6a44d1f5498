// Match: the tick pipeline (lua.md §3 "Tick" steps 1-9), state broadcast (§7), dev errors
// (§15) and in-instance hot reload (§16).
#include <array>
#include <string>

#include "base/log.h"
#include "game/match/failure_log.h"
#include "game/match/match.h"
#include "game/match/match_service.h"
#include "protocol/json_writer.h"

namespace asobi::match {
namespace {

constexpr size_t kLargeStateBytes = 65536;

}  // namespace

void Match::ScheduleTick() {
  const int64_t tick_ms = service_.node().options().tick_ms;
  const int64_t now = service_.host().NowMs();
  next_tick_ms_ += tick_ms;
  while (next_tick_ms_ + tick_ms <= now) next_tick_ms_ += tick_ms;  // never made up (§11)
  tick_timer_ = service_.host().AddTimer(next_tick_ms_ - now, [this] {
    tick_timer_ = 0;
    OnTickTimer();
  });
}

void Match::OnTickTimer() {
  if (status_ != MatchStatus::kRunning || destroying_) return;
  const int64_t late_us = service_.host().NowUs() - next_tick_ms_ * 1000;
  service_.tick_lateness_us().Record(uint64_t(late_us > 0 ? late_us : 0));
  ScheduleTick();
  if (busy_ || stage_ != TickStage::kIdle) {
    // Suspended in a *DB* call: this tick is skipped, not replayed (DECISIONS.md Lua 2).
    service_.node().metrics().ticks_skipped_busy.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  service_.node().metrics().ticks.fetch_add(1, std::memory_order_relaxed);
  stage_ = TickStage::kInputs;
  ContinueTick();
}

void Match::ContinueTick() {
  tick_loop_active_ = true;
  while (!busy_ && !destroying_ && stage_ != TickStage::kIdle &&
         stage_ != TickStage::kTickRunning) {
    if (stage_ == TickStage::kInputs) {
      if (inputs_.empty() || broken_) {
        stage_ = TickStage::kTick;
        continue;
      }
      // The input moves into input_call_, which outlives a suspension; the continuation
      // captures only `this` (no copy of the player id, no std::function allocation).
      QueuedInput& in = inputs_.front();
      input_call_.kind = MatchScript::Kind::kInput;
      input_call_.player_id.swap(in.player_id);
      input_call_.json.swap(in.json);
      inputs_.pop_front();
      RunCallback(input_call_, [this](const MatchScript::Outcome& o) {
        HandleInputOutcome(o, input_call_.player_id);
        if (!tick_loop_active_) ContinueTick();
      });
      continue;
    }
    // Step 2 (reload) and 3 (tick); steps 4-9 run when tick returns.
    stage_ = TickStage::kTickRunning;
    MaybeReload();
    MatchScript::Call call{MatchScript::Kind::kTick, {}, {}};
    RunCallback(call, [this](const MatchScript::Outcome& o) { AfterTick(o); });
  }
  tick_loop_active_ = false;
}

void Match::HandleInputOutcome(const MatchScript::Outcome& o, const std::string& player_id) {
  if (CheckUnrecoverable(o) || o.ok) return;
  SendDevError(player_id, o);
  LogFailure("handle_input", o);  // may quarantine: then the match has finished
}

void Match::AfterTick(const MatchScript::Outcome& o) {
  stage_ = TickStage::kIdle;
  if (status_ != MatchStatus::kRunning || CheckUnrecoverable(o)) return;
  if (!o.ok && LogFailure("tick", o)) return;  // quarantined: the match has finished
  std::string result;
  if (script_->ReadFinished(&result)) {  // step 4
    Finish(std::move(result));
    return;
  }
  RequestVote();  // step 5: vote_requested (no coroutine; a failure keeps the state)
  if (destroying_ || status_ != MatchStatus::kRunning) return;
  ExpireGrace();  // step 6: may run `leave` (deferred while a callback is suspended)
  // A `leave` that suspended (busy_) leaves the state half-updated: no broadcast this tick.
  if (destroying_ || busy_ || status_ != MatchStatus::kRunning) return;
  TickPhases();  // step 7, then FinishTick (now or after a suspended phase callback)
}

void Match::FinishTick() {
  if (destroying_ || busy_ || status_ != MatchStatus::kRunning) return;
  if (roster_.empty()) {  // step 8
    DestroySoon();
    return;
  }
  if (phases_.complete()) {  // step 8: the last phase ended
    Finish(R"({"status":"phases_complete"})");
    return;
  }
  BroadcastState();  // step 9
  Flush();
  script_->StepGc();
}

void Match::BroadcastState() {
  // The encoded views of this shard's matches go through one buffer (no allocation per tick).
  static thread_local std::string view;
  MatchScript::Outcome failure;
  if (mode_->shared_state) {
    if (!script_->GetState(nullptr, &view, &failure)) {
      if (!CheckUnrecoverable(failure)) LogFailure("get_state", failure);
      return;
    }
    outbox_.Add(EncodePush("match.state", view), AllClients());
    return;
  }
  // Per player: one call and one encode per player; byte-identical views share one buffer
  // (the first kCompared distinct frames of the tick are compared with each new view).
  constexpr size_t kCompared = 8;
  std::array<SharedBuffer, kCompared> seen;
  size_t seen_count = 0;
  for (const Member& m : roster_) {
    if (!script_->GetState(&m.player_id, &view, &failure)) {
      if (CheckUnrecoverable(failure) || LogFailure("get_state", failure)) return;
      continue;  // §7 [C++]: no frame for that recipient this tick
    }
    if (view.size() > kLargeStateBytes && !warned_large_state_) {
      warned_large_state_ = true;
      LOG_WARN("match.state above 64 KiB").KV("match_id", id_).KV("bytes", int64_t(view.size()));
    }
    SharedBuffer frame;
    for (size_t i = 0; i < seen_count; ++i) {
      if (PushCarriesPayload(seen[i], "match.state", view)) frame = seen[i];
    }
    if (frame.empty()) {
      frame = EncodePush("match.state", view);
      if (seen_count < kCompared) seen[seen_count++] = frame;
    }
    outbox_.Add(frame, m.clients);
  }
}

void Match::SendDevError(const std::string& player_id, const MatchScript::Outcome& o) {
  const MatchOptions& opt = service_.node().options();
  if (!opt.dev_errors) return;
  Member* m = FindMember(player_id);
  const int64_t now = service_.host().NowMs();
  if (m == nullptr || now - last_dev_error_ms_ < 1000) return;
  last_dev_error_ms_ = now;
  JsonWriter w;
  w.BeginObject();
  w.Key("module");
  w.String("lua");
  w.Key("callback");
  w.String("handle_input");
  w.Key("script");
  w.String(script_base_);
  w.Key("message");
  w.String(CleanDetail(o.message));
  w.EndObject();
  if (opt.legacy_game_frames) outbox_.Add(EncodePush("game.error", w.out()), m->clients);
  outbox_.Add(EncodePush("module.error", w.out()), m->clients);
}

void Match::MaybeReload() {
  if (!reload_pending_ || broken_) return;
  reload_pending_ = false;
  std::shared_ptr<const std::string> source =
      reload_source_ ? std::move(reload_source_) : script_->source();
  reload_source_ = nullptr;
  Status st = script_->Reload(std::move(source));
  MatchMetrics& metrics = service_.node().metrics();
  if (st.ok()) {
    metrics.reloads.fetch_add(1, std::memory_order_relaxed);
    LOG_INFO("lua hot reload").KV("match_id", id_).KV("script", mode_->script_rel);
  } else {
    metrics.reload_failures.fetch_add(1, std::memory_order_relaxed);
    LOG_WARN("lua hot reload failed")
        .KV("match_id", id_)
        .KV("script", mode_->script_rel)
        .KV("reason", CleanDetail(st.error().message));
  }
}

void Match::OnScriptsChanged(const modes::ChangedFiles& files) {
  if (!service_.node().options().reload_enabled || !script_ || broken_) return;
  for (const auto& [path, content] : files) {
    if (path == mode_->script_abs) {
      if (content) {
        reload_source_ = content;
        reload_pending_ = true;
      }
      continue;
    }
    for (const std::string& f : script_->files()) {
      if (f == path) reload_pending_ = true;
    }
  }
}

}  // namespace asobi::match
