// Match: one running match on its owner shard (lua.md §3, §4, §7, §15, §16; websocket.md §5).
// Holds the roster, the input queue, the tick timer and the MatchScript, and implements the
// `game.*` host interface for its Lua state. Created and destroyed by MatchService.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "game/match/match_outbox.h"
#include "game/match/match_phases.h"
#include "game/match/match_script.h"
#include "game/match/match_types.h"
#include "game/match/match_vote.h"
#include "game/modes/mode_config.h"
#include "game/modes/mode_watcher.h"
#include "script/game_api/api_host.h"

namespace asobi::match {

class MatchService;

/// Shard-affine: every method runs on the owner shard. Never destroyed from inside its own
/// methods (MatchService defers destruction to a later turn).
class Match final : public script::game_api::ApiHost {
 public:
  /// Cheap: no Lua state until Start(). Owned by `service` (this shard's MatchService).
  Match(MatchService& service, std::string id, std::shared_ptr<const modes::ModeConfig> mode);
  ~Match() override;
  Match(const Match&) = delete;
  Match& operator=(const Match&) = delete;

  /// Creates the Lua state, runs the main chunk and `init` (§3 "Creation"), and arms the 60 s
  /// waiting timeout. Errors: "script_failed" (logged by the caller).
  Status Start();

  /// Read-only views: match id, its mode, status, listing entry, roster size (owner shard).
  const std::string& id() const { return id_; }
  const modes::ModeConfig& mode() const { return *mode_; }
  MatchStatus status() const { return status_; }
  MatchListing Listing() const;
  int player_count() const { return int(roster_.size()); }
  /// The roster's player ids, in join order.
  std::vector<std::string> PlayerIds() const;
  /// The roster as a JSON array, in join order: `[{"player_id", "connected"}]`; `connected`
  /// is false for a seat kept by the reconnect grace with no socket (ops reads, rest.md §3.14).
  std::string RosterJson() const;
  /// True while a Lua callback runs or is suspended (new events wait); lua_bytes() is the
  /// state's live size (0 before Start).
  bool busy() const { return busy_; }
  size_t lua_bytes() const;

  /// §3 "Join": rate limit, ctx errors, finished, locked, full, then `join`. `done` runs on
  /// this shard, now or later (after a suspended callback).
  void Join(JoinRequest req, JoinDone done);
  /// Explicit leave (all of the player's sockets); `leave` runs, the player leaves the roster
  /// even if it fails. Unknown players are ignored.
  void Leave(const std::string& player_id);
  /// One socket of the player went away: when it was the player's last, the player leaves,
  /// or, in a running match whose mode has a reconnect grace, keeps the seat until the grace
  /// expires (tick step 6) or the player reconnects (Reattach).
  /// `socket_closed` false (the socket moved to another match): never a grace.
  void DetachClient(const std::string& player_id, const ClientRef& ref, bool socket_closed);
  /// A newly authenticated socket of a player in grace: the socket joins the match again
  /// (no match.joined; the next match.state reaches it). False when there was no seat.
  bool Reattach(const std::string& player_id, const ClientRef& ref);
  /// Queues an input for the next tick (FIFO); dropped unless running and a member.
  void Input(const std::string& player_id, std::string input_json, const ClientRef& from);
  /// §16: marks a reload for the next tick when the main script or a required file changed.
  void OnScriptsChanged(const modes::ChangedFiles& files);
  /// vote.cast on the owner (websocket.md §7.1): "" when accepted, else the reason
  /// (not_in_match, match_not_started, vote_not_found, vote_closed, not_eligible,
  /// invalid_option, rate_limited). `option_json`: the cast's option_id value as JSON.
  std::string CastVote(const std::string& player_id, const std::string& vote_id,
                       const std::string& option_json);
  /// vote.veto on the owner (websocket.md §7.2): "" when the vote was vetoed (it ends at
  /// once: match.vote_vetoed, no vote_resolved, no row), else not_in_match,
  /// match_not_started, vote_not_found, vote_closed, not_eligible, veto_disabled or
  /// no_veto_tokens.
  std::string VetoVote(const std::string& player_id, const std::string& vote_id);
  /// Votes open at most this many at once per match; more requests are ignored (logged).
  static constexpr size_t kOpenVotesMax = 16;
  /// Closed vote ids remembered per match (casts to them answer vote_closed).
  static constexpr size_t kClosedVotesKept = 64;
  /// Players whose losing streak a match remembers (weighted votes; others weigh 1).
  static constexpr size_t kVoteLossesKept = 1024;
  /// Resumes a suspended callback with an async reply (`token` identifies the call).
  void OnAsyncReply(uint64_t token, script::game_api::AsyncReply reply);

  // script::game_api::ApiHost
  script::game_api::HostKind kind() const override { return script::game_api::HostKind::kMatch; }
  const std::string& instance_id() const override { return id_; }
  const std::string& script_name() const override { return script_base_; }
  bool AllowLog() override;
  void Broadcast(std::string_view event, std::string_view payload_json) override;
  void Send(std::string_view player_id, std::string_view message_json) override;
  void SetJoinable(bool open) override;
  bool CanSuspend(lua_State* L) override;
  void BeginAsync(script::game_api::AsyncStart start) override;
  void RunAfterMs(int64_t delay_ms, std::function<void()> fn) override;
  void AddBot(std::string_view name) override;
  void RemoveBot(std::string_view name_or_id) override;
  bool MarkReady(std::string_view player_id) override;

  /// Most bots one match may hold (lua.md §9 game.bots.add).
  static constexpr int kBotsMax = 64;

 private:
  struct Member {
    std::string player_id;
    std::vector<ClientRef> clients;
    int64_t grace_deadline_ms = 0;  // host clock; 0 = connected (or never had a socket)
  };
  struct QueuedInput {
    std::string player_id;
    std::string json;
    ClientRef from;
  };
  enum class TickStage { kIdle, kInputs, kTick, kTickRunning };
  using Continuation = std::function<void(const MatchScript::Outcome&)>;

  // Callbacks (match.cc): run `call`, then `k` now or after the suspended call resumes.
  void RunCallback(const MatchScript::Call& call, Continuation k);
  void AfterCallbackStep(bool done, const MatchScript::Outcome& outcome, Continuation k);
  void Defer(std::function<void()> op);
  void RunDeferred();
  bool CheckUnrecoverable(const MatchScript::Outcome& o);
  /// Logs and counts a failed callback; a budget overrun also counts towards the quarantine.
  /// Returns true when that ended the match (NoteOverrun).
  bool LogFailure(const char* callback, const MatchScript::Outcome& o);
  /// One budget overrun at `now_ms`: after MatchOptions::overrun_limit of them within
  /// overrun_window_ms the state is no longer run (broken_) and the match finishes with
  /// {status = "script_failure"}. True when the match is (now) broken.
  bool NoteOverrun(const char* callback, int64_t now_ms);

  // Roster (match.cc).
  Member* FindMember(std::string_view player_id);
  void ContinueJoin(JoinRequest req, JoinDone done);
  void FinishJoin(JoinRequest req, JoinDone done, const MatchScript::Outcome& o);
  std::string JoinedJson() const;
  void RemoveMember(const std::string& player_id);
  void ExpireGrace();
  void EnterRunning();
  void UnindexPlayers();
  void Publish();

  // Phases (match_phases_run.cc).
  void LoadPhases();
  /// Runs on_phase_started / on_phase_ended for `events[i..]` in order, then `done` (now or
  /// after a suspended callback resumed). Stops when the match ended meanwhile.
  void RunPhaseEvents(std::shared_ptr<std::vector<PhaseEvent>> events, size_t i,
                      std::function<void()> done);
  /// Readies reset when an all_ready phase starts; returns true when `events` is non-empty.
  bool NotePhaseEvents(const std::vector<PhaseEvent>& events);
  bool AllReady() const;
  void TickPhases();
  void FinishTick();

  // Votes (match_votes_run.cc).
  void RequestVote();
  void StartVote(VoteConfig config);
  void ResolveVote(const std::string& vote_id);
  /// (Re)arms the resolution timer of `v` to fire after `delay_ms`.
  void ArmVoteTimer(size_t index, int64_t delay_ms);
  void PersistVote(const Vote& vote, const VoteResult& r, int64_t closed_unix_ms);
  // Updates vote_losses_ from a resolved vote's ballots (BallotOutcomes).
  void UpdateVoteLosses(const std::vector<std::pair<std::string, bool>>& outcomes);
  void AbandonVotes();

  // Bots API (match_bots.cc).
  void SpawnBot(const std::string& name);
  int BotCount() const;
  bool HasBotNamed(std::string_view name) const;

  // Tick pipeline (match_tick.cc).
  void ScheduleTick();
  void OnTickTimer();
  void ContinueTick();
  void HandleInputOutcome(const MatchScript::Outcome& o, const std::string& player_id);
  void AfterTick(const MatchScript::Outcome& o);
  void BroadcastState();
  void SendDevError(const std::string& player_id, const MatchScript::Outcome& o);
  void MaybeReload();

  // Ending (match_finish.cc).
  void Finish(std::string result_json);
  void DestroySoon();
  void WriteRecord(const std::string& result_json);
  std::vector<ClientRef> AllClients() const;
  void Flush();

  MatchService& service_;
  std::string id_;
  std::shared_ptr<const modes::ModeConfig> mode_;
  std::string script_base_;
  std::unique_ptr<MatchScript> script_;
  MatchStatus status_ = MatchStatus::kWaiting;
  bool joinable_ = true;
  bool broken_ = false;  // the Lua state is unrecoverable: no more callbacks
  bool destroying_ = false;
  bool players_indexed_ = true;  // roster counted in MatchNode's player index (live matches)
  std::vector<Member> roster_;
  std::deque<QueuedInput> inputs_;
  MatchScript::Call input_call_;  // the input being handled (tick step 1)
  std::deque<std::function<void()>> deferred_;
  MatchOutbox outbox_;
  TickStage stage_ = TickStage::kIdle;
  bool tick_loop_active_ = false;
  bool warned_large_state_ = false;
  uint64_t tick_timer_ = 0;
  int tick_phase_ = -1;         // slot taken from MatchService::TakeTickPhase, -1 = none
  uint64_t waiting_timer_ = 0;  // waiting timeout, then the finished linger
  int64_t next_tick_ms_ = 0;
  int64_t created_unix_ms_ = 0;
  int64_t started_unix_ms_ = 0;

  // Suspension (lua.md §9 "Synchronous persistence").
  bool busy_ = false;
  Continuation on_resume_;
  script::game_api::AsyncStart pending_start_;
  uint64_t async_token_ = 0;
  uint64_t async_timer_ = 0;

  // Hot reload (§16).
  bool reload_pending_ = false;
  std::shared_ptr<const std::string> reload_source_;

  // Budget overruns inside the quarantine window (host clock, ms), oldest first.
  std::deque<int64_t> overruns_ms_;

  // Votes (§6): open ones (window end on the host clock, resolution timer) and closed ids.
  struct OpenVote {
    std::unique_ptr<Vote> vote;
    int64_t window_end_ms = 0;
    int64_t start_ms = 0;
    uint64_t timer = 0;
  };
  std::vector<OpenVote> votes_;
  std::deque<std::string> closed_votes_;
  std::vector<std::pair<std::string, int>> vetoes_used_;  // player -> vetoes spent here
  // player -> decided votes lost in a row (weighted votes' frustration weights)
  std::vector<std::pair<std::string, int>> vote_losses_;
  int64_t last_vote_log_ms_ = -1000000;

  // Phases (§5) and game.match.ready.
  PhaseClock phases_;
  std::vector<std::string> ready_;
  int phase_publish_ticks_ = 0;

  // game.bots.add calls whose join has not finished yet (bot names).
  std::vector<std::string> pending_bots_;
  int64_t last_bot_noop_log_ms_ = -1000000;

  // Rate limits.
  int64_t log_window_ms_ = 0;
  int log_count_ = 0;
  int64_t last_dev_error_ms_ = -1000000;
  int64_t last_drop_log_ms_ = -1000000;
};

}  // namespace asobi::match
