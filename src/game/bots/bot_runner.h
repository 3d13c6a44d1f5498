// BotRunner: the bots of one shard (lua.md §10). Bots live on their match's owner shard; each
// has a BotClient (its "socket", through which it is a normal roster member) and, when its mode
// has a bot script, its own BotBrain. Every 100 ms (wall clock) each started bot thinks once on
// its latest view and the result goes through MatchService::Input, the path of match.input.
// A bot stops on `match.finished` or when its match is gone.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "game/bots/bot_brain.h"
#include "game/bots/bot_catalog.h"
#include "game/bots/bot_client.h"
#include "game/bots/default_ai.h"
#include "game/match/match_host.h"

namespace asobi::bots {

/// Think cadence (ms) and how many slices of it bots are spread over.
struct BotOptions {
  int think_ms = 100;  ///< lua.md §11: bot think every 100 ms
  int slices = 10;     ///< bots are spread over this many slices of think_ms (no bursts)
};

/// Counters (relaxed atomics would be overkill: read on the shard or in tests).
struct BotStats {
  uint64_t created = 0;
  uint64_t thinks = 0;
  uint64_t fallbacks = 0;  ///< thinks answered by the default AI after a script failure
  uint64_t stopped = 0;
  uint64_t quarantined = 0;     ///< bots whose script was stopped after repeated overruns
  uint64_t memory_refused = 0;  ///< bots given the default AI: node Lua memory nearly used up
  uint64_t votes_cast = 0;      ///< ballots cast by bots (accepted or not)
};

/// Shard-affine. Create on the shard's thread; registers as OnThisShard().
class BotRunner {
 public:
  /// Bot ClientRefs use connection indexes from here up, which real sockets never reach.
  static constexpr uint32_t kBotIndexBase = 0x80000000u;

  /// Registers as this thread's OnThisShard() and arms the think slices (think_ms / slices ms
  /// apart). `host` must outlive the runner.
  BotRunner(match::MatchHost& host, std::shared_ptr<const BotCatalog> catalog,
            BotOptions options = {});
  ~BotRunner();
  BotRunner(const BotRunner&) = delete;
  BotRunner& operator=(const BotRunner&) = delete;

  /// The runner of the calling shard thread, or null.
  static BotRunner* OnThisShard();
  /// True when `ref` names a bot client (of any shard).
  static bool IsBotRef(const ClientRef& ref) { return ref.index >= kBotIndexBase; }

  /// Creates bot `bot_id` of `mode` (not thinking yet) and returns its client ref, to be put in
  /// the bot's join. A mode without a bot script, or whose script fails to load, gets the
  /// default AI; so does every bot while the node Lua memory budget admits no new state
  /// (docs/decisions.md "Node Lua memory"). A bot whose `think` overran its budget
  /// MatchOptions::overrun_limit times within the window loses its script for good and plays
  /// with the default AI ("Lua quarantine").
  ClientRef Create(const std::string& mode, const std::string& bot_id);
  /// The bot joined `match_id` (on this shard): it starts thinking.
  void Start(const ClientRef& ref, const std::string& match_id);
  /// Removes a bot (its join was refused, or it stopped).
  void Destroy(const ClientRef& ref);
  /// The bot's client, or null (for GameShard::find_client).
  Client* Find(const ClientRef& ref);

  /// Bots on this shard, and the counters.
  size_t size() const { return bots_.size(); }
  const BotStats& stats() const { return stats_; }
  /// Runs one full think round over every started bot now (tests).
  void ThinkAllNow();

 private:
  struct Bot {
    std::unique_ptr<BotClient> client;
    std::unique_ptr<BotBrain> brain;
    std::string mode;
    std::string match_id;
    BotRng rng;
    bool started = false;
    bool boon_sent = false;
    int64_t last_error_log_ms = -60000;
    std::deque<int64_t> overruns_ms;  // think timeouts inside the quarantine window
    int64_t ballot_due_ms = 0;        // when the oldest pending ballot is cast (0 = unset)
  };
  /// lua.md §10: casts the oldest pending ballot (a random option) 1-4 s after its vote_start.
  void MaybeVote(Bot& bot);
  /// Counts a think timeout; drops the brain after too many (quarantine).
  void NoteOverrun(Bot& bot, int64_t now_ms);
  void OnSlice();
  /// One think; false when the bot must stop.
  bool Think(Bot& bot);
  std::string DecideInput(Bot& bot, JsonValue view, bool* send);

  match::MatchHost& host_;
  std::shared_ptr<const BotCatalog> catalog_;
  BotOptions options_;
  std::unordered_map<uint32_t, Bot> bots_;  // by ClientRef::index
  std::vector<std::vector<uint32_t>> slices_;
  size_t next_slice_ = 0;
  uint32_t next_index_ = kBotIndexBase;
  match::MatchHost::TimerId timer_ = 0;
  BotStats stats_;
};

}  // namespace asobi::bots
