// LeaderboardService: live leaderboards (rest.md §3.7, lua.md §9 Leaderboards, DECISIONS.md
// REST 4). One instance per shard. Every board is owned by one shard, OwnerOf(board id), and
// lives there in memory (Board: an ordered index with O(log n) rank); operations called on any
// shard travel to the owner through the shard mailboxes and their callbacks come back to the
// calling shard.
//
// Life of a board: the first submit makes it live (at most `max_boards` live boards per node,
// else `capacity_reached`): the owner loads its stored rows from `leaderboard_entries` in
// keyset pages of kHydrateChunkRows (HydrateCursor; the shard's other queries run between
// pages), queuing the operations that arrive meanwhile, reads included (at most
// kMaxWaitingOps, then `not_ready`), and from then on answers from memory. Changed entries are
// written back in batches every `flush_interval_ms` and at shutdown (FlushAll). Reads of a board
// that is not live answer from the table (DECISIONS.md REST 4: stored rows are returned whether or
// not the board is live).
//
// Error reasons (Error::reason): invalid_board (empty, over 255 bytes, not UTF-8),
// invalid_player (not a canonical UUID), capacity_reached, not_ready (mailbox full, database
// unreachable or overloaded, service stopping), internal.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "base/task.h"
#include "db/pg_connection.h"
#include "game/leaderboard/board.h"
#include "game/leaderboard/hydrate_cursor.h"
#include "reactor/shard.h"

namespace asobi::leaderboard {

/// Board ids are VARCHAR(255) (rest.md §5).
inline constexpr size_t kMaxBoardIdBytes = 255;
/// Operations queued on one board while it loads; past it they fail with not_ready.
inline constexpr size_t kMaxWaitingOps = 10000;
/// Hydration: rows loaded per reactor turn (one page, ~3 ms of shard time in rank order at
/// 1,000,000 entries: bench/README.md "cold big board"), and
/// pages received or in flight at once (docs/decisions.md "Leaderboards: hydration in pages").
inline constexpr size_t kHydrateSliceRows = 2500;
inline constexpr int kHydratePagesAhead = 2;
/// Rows per flush statement.
inline constexpr size_t kFlushBatchRows = 2000;

/// Settings from Config (leaderboard_* flags).
struct LeaderboardOptions {
  int max_boards = 1000;              // live boards per node (rest.md §3.7)
  int64_t flush_interval_ms = 30000;  // between background flushes (rest.md §3.7)
};

class LeaderboardService;

/// Node-wide state shared by every shard's service: the live-board count (an atomic touched
/// only when a board goes live) and the services, for the shutdown flush. Thread-safe.
struct LeaderboardNode {
  explicit LeaderboardNode(LeaderboardOptions o) : options(o) {}
  const LeaderboardOptions options;
  std::atomic<int> live_boards{0};
  std::mutex mu;
  std::vector<std::pair<Shard*, LeaderboardService*>> services;  // guarded by mu
};

/// Completions of the service's operations; they run on the calling shard.
using EntryCallback = std::function<void(Result<RankedEntry>)>;
using EntriesCallback = std::function<void(Result<std::vector<RankedEntry>>)>;

/// One per shard, created by RegisterLeaderboards' start-up step; owns the boards whose
/// OwnerOf is this shard. Shard-affine.
class LeaderboardService {
 public:
  /// Construct on `shard`'s thread (it becomes that thread's OnThisShard()); `shard`, `db`
  /// and `node` outlive it. Starts the flush timer.
  LeaderboardService(Shard& shard, db::PgConnection& db, std::shared_ptr<LeaderboardNode> node);
  ~LeaderboardService();
  LeaderboardService(const LeaderboardService&) = delete;
  LeaderboardService& operator=(const LeaderboardService&) = delete;

  /// The calling shard thread's service, or null.
  static LeaderboardService* OnThisShard();
  /// The shard that owns `board_id` among `shards`.
  static int OwnerOf(std::string_view board_id, int shards);

  /// Submits `score` for `player_id` on `board_id` with `op`, making the board live; answers
  /// the player's entry after it (with its rank). Any shard; `done` runs on the calling shard,
  /// never inside the call.
  void Submit(std::string board_id, std::string player_id, int64_t score, SubmitOp op,
              EntryCallback done);
  /// The first `count` entries. Unknown board: empty. Any shard.
  void Top(std::string board_id, size_t count, EntriesCallback done);
  /// Up to `range` entries each side of `player_id` and the player (empty when the player has
  /// no entry; range 0 = the player's own entry, i.e. its rank). Any shard.
  void Around(std::string board_id, std::string player_id, size_t range, EntriesCallback done);

  /// Writes the changed entries of `board_id` (if it is live) to the table; `done` runs on the
  /// calling shard once they are written (or the write failed: `not_ready`/`internal`). Any
  /// shard. Tournaments call it before ranking a board from the table.
  void Flush(std::string board_id, std::function<void(Status)> done);
  /// Runs on the owner shard with the owner's connection; calls `archived` there once.
  using ArchiveFn = std::function<void(db::PgConnection& db, std::function<void(Status)> archived)>;
  /// Closes the board's current standings (seasons, game/season): on the owner, issues the
  /// writes of the board's changed entries, then `archive` on the same pipelined connection
  /// (so it sees them and runs before any later load of the board), and drops the board from
  /// memory, so the next submit loads it from the table as `archive` left it. `done` gets
  /// archive's status on the calling shard (not_ready while the board is loading or the
  /// mailbox is full). Any shard.
  void Rotate(std::string board_id, ArchiveFn archive, std::function<void(Status)> done);
  /// Writes every changed entry of this shard's boards; `done` runs on this shard when the
  /// writes completed (or failed: their entries stay dirty). Owner shard only.
  void FlushAll(std::function<void()> done);
  /// Removes `player_id` from every live board of this shard (account erasure; boards still
  /// loading drop it once loaded). Owner shards only: call it on every shard.
  void RemovePlayer(const std::string& player_id);
  /// Boards live on this shard (tests, metrics).
  size_t live_boards() const { return boards_.size(); }
  /// Changed entries of this shard's boards not yet written, as published by the shard once
  /// a second (/metrics: asobi_leaderboard_dirty_entries). Any thread.
  int64_t published_dirty_entries() const { return dirty_entries_.load(std::memory_order_relaxed); }
  /// Monotonic ms since which this shard has had an entry waiting to be written (0: none), as
  /// published once a second; now minus it is the flush lag. Any thread.
  int64_t published_dirty_since_ms() const {
    return dirty_since_ms_.load(std::memory_order_relaxed);
  }

 private:
  struct Live {
    Board board;
    bool ready = false;
    HydrateCursor cursor;     // while loading: the next page of stored rows
    uint64_t generation = 0;  // tells this load's callbacks from a later load's
    bool page_in_flight = false;
    int pages_buffered = 0;     // pages received, not yet loaded
    int64_t started_ms = 0;     // MonoMs when loading started
    int64_t load_ms = 0;        // shard time spent loading pages into the board
    std::vector<Task> waiting;  // ops queued while loading (reads and writes, in order)
  };
  using OwnerOp = std::function<void(LeaderboardService*)>;
  // Runs `op` on the owner of `board_id` (null service when it is stopping); false when the
  // mailbox is full.
  bool OnOwner(std::string_view board_id, OwnerOp op);
  // Replies `fn` to `origin` shard.
  void Reply(int origin, Task fn);
  // Owner: runs `fn` once the board is ready (now, or after loading). Starts loading when
  // `create` and the board is not live. Returns false when the board is not live and not
  // created, or `fn` was refused (`*refusal`).
  bool WhenReady(const std::string& board_id, bool create, Task fn, std::string* refusal);
  // Hydration: issues the cursor's next page; loads a page's rows [from, from +
  // kHydrateSliceRows), posting the rest to the next turn; readies the board (ok) or drops it,
  // then runs the waiting ops.
  void Hydrate(const std::string& board_id);
  void LoadSlice(const std::string& board_id, uint64_t gen, std::shared_ptr<db::PgResult> page,
                 int from);
  void EndHydrate(const std::string& board_id, bool ok);
  void ReadStored(const std::string& board_id, std::string player_id, size_t n, int origin,
                  EntriesCallback done);
  void ScheduleFlush();
  // Publishes dirty_entries_ and dirty_since_ms_ now and every second.
  void PublishGauges();
  // Issues one upsert of `rows` of `board_id`; `done` gets its result.
  void WriteRows(const std::string& board_id, const std::vector<DirtyRow>& rows,
                 db::ResultCallback done);
  // Issues the writes of `board`'s changed entries; each completion decrements `*pending` and
  // runs `done` at 0. A failed write marks its rows dirty again and sets `*failed` (if given).
  void FlushBoard(const std::string& board_id, Board& board, std::shared_ptr<int> pending,
                  std::shared_ptr<std::function<void()>> done,
                  std::shared_ptr<bool> failed = nullptr);

  Shard& shard_;
  db::PgConnection& db_;
  std::shared_ptr<LeaderboardNode> node_;
  std::unordered_map<std::string, std::unique_ptr<Live>> boards_;
  Reactor::TimerId flush_timer_{};
  Reactor::TimerId gauge_timer_{};
  bool flushing_ = false;
  uint64_t generations_ = 0;
  std::atomic<int64_t> dirty_entries_{0};
  std::atomic<int64_t> dirty_since_ms_{0};
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace asobi::leaderboard
