// One client thread of the world scenario (`asobi-bench world`): non-blocking sockets on an
// epoll loop, each a small state machine connect -> upgrade -> session.connect (optionally
// {wire:"binary"}, websocket.md §11) -> world.create (player 0) or world.join -> world.input
// at a fixed rate while counting world.tick frames -> close. Numbers go to WorldStats.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "reactor/histogram.h"

namespace asobi::bench {

/// Which wire each player asks for in session.connect.
enum class WireChoice { kJson, kBinary, kMixed /* odd player indices binary */ };

/// Settings shared by every thread (read-only once the threads run).
struct WorldOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  int players = 100;
  std::string token_file;  // "token player_id" lines, one per player (round-robin)
  std::string mode = "bench_world";
  std::string world_id;  // join this world; empty = player 0 creates one (world.create)
  WireChoice wire = WireChoice::kJson;
  double join_rate = 500;  // world.join per second over all players; 0 = one burst
  double input_rate = 10;  // world.input per player per second once joined
  double warmup_s = 5;     // after the last join, before the window
  double duration_s = 20;  // measured window
  int threads = 1;
  int wave = 500;  // connects started per 50 ms per thread
  bool json = false;
};

/// Cross-thread sequencing, written by the main thread and player 0's thread.
struct WorldControl {
  std::atomic<int> settled{0};  // authenticated or failed
  std::atomic<int> authed{0};   // authenticated
  std::atomic<int> joined{0};   // world.joined or a join error
  std::atomic<int64_t> go_ns{0};
  std::atomic<int64_t> window_start_ns{0}, window_end_ns{0};  // CLOCK_MONOTONIC
  std::atomic<bool> stop{false};
  std::atomic<bool> have_world{false};
  std::mutex mu;         // guards world_id
  std::string world_id;  // set once, before have_world
};

/// Counters of the players of one wire; all "window" figures count only frames received (and
/// bytes read) between window_start_ns and window_end_ns.
struct WireStats {
  uint64_t players = 0;     // players of this wire that were in the world for the window
  uint64_t granted = 0;     // session.connected said this wire
  uint64_t ticks = 0;       // world.tick frames (window)
  uint64_t tick_bytes = 0;  // their WebSocket payload bytes (window)
  uint64_t records = 0;     // entity records in them (window)
  uint64_t bytes_in = 0;    // every byte read by these players' sockets (window)
  uint64_t keyframes = 0, ungated = 0, gaps = 0, stale = 0;  // window
  uint64_t min_ticks_per_player = UINT64_MAX;
  Histogram interval_us;  // between consecutive sequenced frames of one zone, per player
  void Merge(const WireStats& o);
};

/// Per-thread results, merged by the main thread after join.
struct WorldStats {
  uint64_t authenticated = 0, connect_failed = 0, joined = 0, join_failed = 0;
  uint64_t inputs = 0, closed_by_server = 0;
  uint64_t bad_frames = 0;                 // text without type/zone, undecodable binary
  std::map<std::string, uint64_t> errors;  // error frames by reason
  WireStats json, binary;
  Histogram join_us;  // world.join (or create) sent -> world.joined
  void Merge(const WorldStats& o);
};

/// Runs players [first, first + count) of the scenario on the calling thread.
void RunWorldThread(const WorldOptions& o, const std::vector<std::string>& tokens, int first,
                    int count, WorldControl* ctl, WorldStats* out);

}  // namespace asobi::bench
