// One client thread of `asobi-bench chat` (issue 11 numbers): non-blocking sockets on an epoll
// loop, each a small state machine connect -> upgrade -> session.connect -> chat.join (its
// channel) -> load -> close. Every message carries its scheduled send time (CLOCK_MONOTONIC)
// in `content`, so each receiving socket measures send -> delivery. Numbers go to ChatStats.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "reactor/histogram.h"

namespace asobi::bench {

/// What the sockets do.
enum class ChatPattern {
  kChannel,  // every socket joins `channel`; the first `senders` sockets send at `rate`
  kRooms,    // socket i joins room i / members; every socket sends, `rate` in total
  kDm,       // no join; every socket sends dm.send to another player, `rate` in total (with
             // several `nodes`, always to a player whose socket is on another node)
  kChurn,    // connect, authenticate, join `channel`, close; `rate` connects per second
};

/// Settings shared by every thread (read-only once the threads run).
struct ChatOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  /// When non-empty, socket i connects to nodes[i % size] instead of host:port (IPv4 literal,
  /// port): a cluster's nodes addressed directly, so each player's node is known.
  std::vector<std::pair<std::string, uint16_t>> nodes;
  int sockets = 1000;
  std::string token_file;  // "token player_id" lines; socket i uses line i (mod lines)
  std::string room_file;   // kRooms: one group id per line; room r = line r
  ChatPattern pattern = ChatPattern::kChannel;
  std::string channel = "global:bench";
  int members = 10;     // kRooms: sockets per room
  int senders = 1;      // kChannel: sending sockets
  double rate = 10;     // messages (kChurn: connects) per second, whole process
  double warmup_s = 2;  // not measured
  double duration_s = 10;
  double drain_s = 2;  // after the window, wait for the last deliveries
  int threads = 1;
  int wave = 500;  // connects started per 50 ms per thread
  int content_bytes = 64;
  int max_live = 8000;  // kChurn: open sockets at most (whole process)
  bool json = false;
  std::vector<std::string> tokens, player_ids, rooms;
};

/// Cross-thread sequencing: the main thread waits for every socket to be ready (joined),
/// then publishes `go_ns`; the window is [go + warmup, go + warmup + duration).
struct ChatControl {
  std::atomic<int> settled{0};
  std::atomic<int64_t> go_ns{0};
  std::atomic<bool> abort{false};
};

/// Per-thread results, merged by the main thread after join.
struct ChatStats {
  uint64_t ready = 0, failed = 0, closed_by_server = 0;
  uint64_t sent = 0;                          // window messages sent
  uint64_t delivered = 0;                     // window copies received (chat.message / dm.message)
  uint64_t churned = 0;                       // kChurn: sockets that joined and closed cleanly
  std::map<std::string, uint64_t> errors;     // error frames by reason
  std::map<std::string, uint64_t> failed_in;  // failed sockets by the step they were in
  Histogram copy_us;                          // scheduled send -> this copy received
  /// Window message (sender socket << 32 | seq) -> copies received and the latest one, µs.
  struct PerMessage {
    uint32_t copies = 0;
    uint64_t last_us = 0;
  };
  std::unordered_map<uint64_t, PerMessage> messages;
  void Merge(const ChatStats& o);
};

/// Runs sockets [first, first + count) of the scenario on the calling thread.
void RunChatThread(const ChatOptions& o, int first, int count, ChatControl* ctl, ChatStats* out);

}  // namespace asobi::bench
