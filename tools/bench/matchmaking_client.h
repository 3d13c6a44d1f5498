// One client thread of the matchmaking scenario: non-blocking sockets on an epoll loop, each a
// small state machine connect -> upgrade -> session.connect -> (go) matchmaker.add ->
// match.matched -> play (inputs, states) -> match.leave -> close. Numbers go to MmStats.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "reactor/histogram.h"

namespace asobi::bench {

/// Settings shared by every thread (read-only once the threads run).
struct MmOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  int players = 1000;
  std::string token_file;  // "token player_id" lines, one per player (round-robin)
  std::string mode = "demo";
  double arrival_rate = 0;  // players per second queueing; 0 = everyone in one burst
  double play_s = 10;       // after match.matched, before match.leave
  double input_rate = 10;   // match.input per player per second while playing
  int threads = 1;
  int wave = 500;               // connects started per 50 ms
  double match_timeout_s = 70;  // a player not matched by then counts as unmatched
  bool json = false;
  /// The arena scenario (`asobi-bench arena`, mode `arena`): inputs also aim and shoot, every
  /// player casts a ballot on each match.vote_start and the vote-result latency is measured.
  bool arena = false;
};

/// Cross-thread sequencing: the main thread waits for every player to be authenticated, then
/// publishes `go_ns` (CLOCK_MONOTONIC); players queue at go_ns (+ i / arrival_rate).
struct MmControl {
  std::atomic<int> settled{0};  // authenticated or failed
  std::atomic<int64_t> go_ns{0};
  std::atomic<bool> abort{false};
};

/// Per-thread results, merged by the main thread after join.
struct MmStats {
  uint64_t authenticated = 0, connect_failed = 0, queued = 0, matched = 0, unmatched = 0;
  uint64_t left = 0, states = 0, inputs = 0, finished = 0, expired = 0, mm_failed = 0;
  uint64_t closed_by_server = 0;
  uint64_t bots_matched = 0;  // bot_ ids in the match.matched rosters the players received
  uint64_t votes_started = 0, votes_cast = 0, vote_results = 0;  // per player (arena)
  std::map<std::string, uint64_t> errors;                        // error frames by reason
  std::set<std::string> match_ids;
  Histogram ttm_us;             // matchmaker.add sent -> match.matched received
  Histogram queued_us;          // matchmaker.add sent -> matchmaker.queued received
  Histogram state_interval_us;  // between consecutive match.state frames of one player
  /// match.vote_start received + window_ms -> match.vote_result received (0 when earlier).
  Histogram vote_result_us;
  uint64_t min_states_per_player = UINT64_MAX;
  void Merge(const MmStats& o);
};

/// Runs players [first, first + count) of the scenario on the calling thread.
void RunMmThread(const MmOptions& o, const std::vector<std::string>& tokens, int first, int count,
                 MmControl* ctl, MmStats* out);

}  // namespace asobi::bench
