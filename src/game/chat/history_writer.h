// HistoryWriter: stores chat messages in chat_messages in batches on the owner shard's
// pipelined connection (issue 11 item 2: many rows per round trip, never one per message).
//
// At most one INSERT is in flight; rows arriving meanwhile wait and go out together in the
// next one (up to kBatchRowsMax rows per statement). While fewer than kCoalesceRows rows wait,
// the writer holds them up to kCoalesceMs for more (issue 11: >= 20 rows per round trip at
// 2,000 sends/s; bench/README.md "Issue 11: chat numbers"), so a row reaches the table at
// most kCoalesceMs + one round trip after it was sent. A failed INSERT (PostgreSQL down or
// stalled) puts its rows back at the front and retries after kRetryMs, so nothing is lost
// while the buffer holds. Bound: `rows_max` rows (waiting plus in flight) per shard; past it a
// new row is dropped (live delivery is unaffected), counted in ChatNode::history_dropped and logged
// (the first drop, then every 1000th). Rows that PostgreSQL cannot store are dropped and counted
// too: a sender that is not a player UUID (game.chat.send), or content with a NUL byte.
// Shard-affine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>

#include "db/pg_connection.h"
#include "game/chat/chat_service.h"
#include "reactor/reactor.h"

namespace asobi::chat {

/// One per shard with a database, owned by that shard's ChatService (writes the history of
/// the channels this shard owns).
class HistoryWriter {
 public:
  static constexpr size_t kBatchRowsMax = 1000;
  static constexpr int64_t kRetryMs = 200;
  static constexpr size_t kCoalesceRows = 64;
  static constexpr int64_t kCoalesceMs = 25;

  /// `reactor`, `db` and `node` must outlive the writer. `rows_max` >= 1.
  HistoryWriter(Reactor& reactor, db::PgConnection& db, ChatNode& node, size_t rows_max);
  /// Rows still waiting are dropped (counted); an INSERT in flight completes as usual.
  ~HistoryWriter();
  HistoryWriter(const HistoryWriter&) = delete;
  HistoryWriter& operator=(const HistoryWriter&) = delete;

  /// Queues one row; sends when no INSERT is in flight and kCoalesceRows rows wait or the
  /// oldest waited kCoalesceMs.
  void Append(ChatMessage msg);

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace asobi::chat
