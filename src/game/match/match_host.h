// MatchHost: what the match runtime needs from the shard it runs on (timers, clock, mailboxes,
// local clients, database). Production: ShardMatchHost over a GameShard; unit tests and
// benchmarks use fakes, so the runtime is driven without sockets.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/check.h"
#include "base/task.h"
#include "game/client.h"

namespace asobi::db {
class PgConnection;
}

namespace asobi::match {

/// One shard's services as seen by MatchService. Every method runs on that shard's thread.
class MatchHost {
 public:
  using TimerId = uint64_t;
  virtual ~MatchHost() = default;

  /// This shard's index and the node's shard count.
  virtual int shard_id() const = 0;
  virtual int shard_count() const = 0;
  /// Monotonic milliseconds.
  virtual int64_t NowMs() = 0;
  /// Monotonic microseconds on the same clock (for tick lateness); default NowMs() * 1000.
  virtual int64_t NowUs() { return NowMs() * 1000; }
  /// Runs `fn` on this shard after `delay_ms`; the id can cancel it before it fires.
  virtual TimerId AddTimer(int64_t delay_ms, Task fn) = 0;
  /// Cancels a pending AddTimer; no-op when it fired already.
  virtual void CancelTimer(TimerId id) = 0;
  /// Runs `fn` on shard `shard` (this one too: next turn). False (fn not run) when the
  /// mailbox is full.
  [[nodiscard]] virtual bool SubmitTo(int shard, Task fn) = 0;
  /// Like SubmitTo, but cannot fail (Shard::SubmitReplyTo): for replies, cancellations and
  /// directory updates, whose number is bounded by work already admitted and which must never
  /// be lost. The default forwards to SubmitTo and CHECKs that it took the task (hosts whose
  /// SubmitTo never fails, such as test fakes).
  virtual void SubmitReplyTo(int shard, Task fn) { CHECK(SubmitTo(shard, std::move(fn))); }
  /// A live client of this shard, or null.
  virtual Client* FindClient(const ClientRef& ref) = 0;
  /// This shard's database connection, or null without a database.
  virtual db::PgConnection* db() = 0;
  /// Sends the text frame `json` (a complete envelope) to every socket of `player_id` on
  /// this node, through the player directory (GameShard::send_to_player). Default: dropped
  /// (hosts without a directory).
  virtual void SendToPlayer(std::string_view player_id, std::string_view json) {
    (void)player_id;
    (void)json;
  }
};

}  // namespace asobi::match
