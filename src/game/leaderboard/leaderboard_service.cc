#include "game/leaderboard/leaderboard_service.h"

#include <algorithm>
#include <utility>

#include "base/clock.h"
#include "base/log.h"
#include "base/uuid.h"
#include "game/leaderboard/leaderboard_sql.h"
#include "protocol/json_writer.h"
#include "simdjson.h"

namespace asobi::leaderboard {
namespace {

thread_local LeaderboardService* t_service = nullptr;

Error Fail(std::string_view reason) { return MakeError(std::string(reason)); }

bool ValidBoardId(std::string_view id) {
  return !id.empty() && id.size() <= kMaxBoardIdBytes && id.find('\0') == std::string_view::npos &&
         simdjson::validate_utf8(id.data(), id.size());
}

std::string_view DbReason(const db::PgError& e) {
  if (e.reason == db::kDbUnavailable || e.reason == db::kDbOverloaded ||
      e.reason == db::kDbTimeout) {
    return "not_ready";
  }
  return "internal";
}

std::vector<RankedEntry> RowsToEntries(const db::PgResult& r) {
  std::vector<RankedEntry> out;
  out.reserve(size_t(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back(RankedEntry{std::string(r.GetString(i, 0)), r.GetInt64(i, 1).value_or(0),
                              r.GetInt64(i, 3).value_or(0), r.GetInt64(i, 2).value_or(0)});
  }
  return out;
}

}  // namespace

LeaderboardService::LeaderboardService(Shard& shard, db::PgConnection& db,
                                       std::shared_ptr<LeaderboardNode> node)
    : shard_(shard), db_(db), node_(std::move(node)) {
  t_service = this;
  ScheduleFlush();
  PublishGauges();
}

LeaderboardService::~LeaderboardService() {
  shard_.reactor().CancelTimer(flush_timer_);
  shard_.reactor().CancelTimer(gauge_timer_);
  for (auto& [id, live] : boards_) {
    std::vector<Task> waiting = std::move(live->waiting);
    for (Task& w : waiting) w();  // they see the board not ready and answer not_ready
  }
  *alive_ = false;
  node_->live_boards.fetch_sub(int(boards_.size()));
  if (t_service == this) t_service = nullptr;
}

LeaderboardService* LeaderboardService::OnThisShard() { return t_service; }

int LeaderboardService::OwnerOf(std::string_view board_id, int shards) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (unsigned char c : board_id) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return int(h % uint64_t(shards < 1 ? 1 : shards));
}

bool LeaderboardService::OnOwner(std::string_view board_id, OwnerOp op) {
  int owner = OwnerOf(board_id, shard_.set().size());
  return shard_.SubmitTo(owner, [op = std::move(op)] { op(LeaderboardService::OnThisShard()); });
}

void LeaderboardService::Reply(int origin, Task fn) { shard_.SubmitReplyTo(origin, std::move(fn)); }

// Replies `result` to `done` on `origin`, from whatever shard runs this.
template <typename T>
static void ReplyFrom(int origin, std::function<void(Result<T>)> done, Result<T> result) {
  Shard::Current()->SubmitReplyTo(
      origin,
      [done = std::move(done), result = std::move(result)]() mutable { done(std::move(result)); });
}

bool LeaderboardService::WhenReady(const std::string& board_id, bool create, Task fn,
                                   std::string* refusal) {
  auto it = boards_.find(board_id);
  if (it != boards_.end()) {
    Live& live = *it->second;
    if (live.ready) {
      fn();
      return true;
    }
    if (live.waiting.size() >= kMaxWaitingOps) {
      *refusal = "not_ready";
      return false;
    }
    live.waiting.push_back(std::move(fn));
    return true;
  }
  if (!create) {
    *refusal = "absent";
    return false;
  }
  if (node_->live_boards.fetch_add(1) >= node_->options.max_boards) {
    node_->live_boards.fetch_sub(1);
    *refusal = "capacity_reached";
    return false;
  }
  auto live = std::make_unique<Live>();
  live->started_ms = MonoMs();
  live->generation = ++generations_;
  live->waiting.push_back(std::move(fn));
  boards_.emplace(board_id, std::move(live));
  Hydrate(board_id);
  return true;
}

void LeaderboardService::Hydrate(const std::string& board_id) {
  auto it = boards_.find(board_id);
  if (it == boards_.end()) return;
  Live& live = *it->second;
  live.page_in_flight = true;
  // One page per round trip, behind whatever the shard queued on the connection meanwhile.
  db_.Execute(
      live.cursor.statement(), live.cursor.Params(board_id),
      [this, alive = alive_, board_id, gen = live.generation](db::DbResult<db::PgResult> r) {
        if (!*alive) return;
        auto it = boards_.find(board_id);
        if (it == boards_.end() || it->second->generation != gen) return;
        Live& live = *it->second;
        live.page_in_flight = false;
        if (!r.ok()) return EndHydrate(board_id, false);
        auto page = std::make_shared<db::PgResult>(std::move(r.value()));
        int n = page->rows();
        std::string_view last = n > 0 ? page->GetString(n - 1, 0) : "";
        int64_t last_score = n > 0 ? page->GetInt64(n - 1, 1).value_or(0) : 0;
        bool more = live.cursor.Advance(size_t(n), last_score, last);
        ++live.pages_buffered;
        // The database reads the next page while the shard loads this one; at most
        // kHydratePagesAhead pages are held.
        if (more && live.pages_buffered < kHydratePagesAhead) Hydrate(board_id);
        LoadSlice(board_id, gen, std::move(page), 0);
      });
}

void LeaderboardService::LoadSlice(const std::string& board_id, uint64_t gen,
                                   std::shared_ptr<db::PgResult> page, int from) {
  auto it = boards_.find(board_id);
  if (it == boards_.end() || it->second->generation != gen) return;
  Live& live = *it->second;
  int to = std::min(page->rows(), from + int(kHydrateSliceRows));
  int64_t t0 = MonoMs();
  for (int i = from; i < to; ++i) {
    live.board.Load(page->GetString(i, 0), page->GetInt64(i, 1).value_or(0),
                    page->GetInt64(i, 2).value_or(0));
  }
  live.load_ms += MonoMs() - t0;
  if (to < page->rows()) {
    // Yield: the shard's other work (requests, their query results) runs before the next
    // slice.
    shard_.reactor().Post([this, alive = alive_, board_id, gen, page = std::move(page), to] {
      if (*alive) LoadSlice(board_id, gen, page, to);
    });
    return;
  }
  --live.pages_buffered;
  if (!live.cursor.done()) {
    if (!live.page_in_flight) Hydrate(board_id);
    return;
  }
  if (live.pages_buffered == 0) EndHydrate(board_id, true);
}

void LeaderboardService::EndHydrate(const std::string& board_id, bool ok) {
  auto it = boards_.find(board_id);
  if (it == boards_.end()) return;
  Live& live = *it->second;
  std::vector<Task> waiting = std::move(live.waiting);
  if (!ok) {
    // The waiting ops find no board and answer not_ready; a later submit retries.
    boards_.erase(it);
    node_->live_boards.fetch_sub(1);
  } else {
    live.ready = true;
    LOG_INFO("leaderboard hydrated")
        .KV("board", board_id)
        .KV("rows", int64_t(live.cursor.rows()))
        .KV("pages", int64_t(live.cursor.pages()))
        .KV("ms", MonoMs() - live.started_ms)
        .KV("load_ms", live.load_ms);
  }
  for (Task& w : waiting) w();
}

void LeaderboardService::Submit(std::string board_id, std::string player_id, int64_t score,
                                SubmitOp op, EntryCallback done) {
  int origin = shard_.id();
  std::string_view bad;
  if (!ValidBoardId(board_id)) bad = "invalid_board";
  if (bad.empty() && !IsCanonicalUuid(player_id)) bad = "invalid_player";
  auto owner_op = [board_id, player_id, score, op, origin, done](LeaderboardService* s) {
    if (s == nullptr) return ReplyFrom<RankedEntry>(origin, done, Fail("not_ready"));
    Task apply = [s, alive = s->alive_, board_id, player_id, score, op, origin, done] {
      if (!*alive) return;
      auto it = s->boards_.find(board_id);
      if (it == s->boards_.end() || !it->second->ready) {
        return ReplyFrom<RankedEntry>(origin, done, Fail("not_ready"));
      }
      RankedEntry e = it->second->board.Submit(player_id, score, op, UnixMs());
      ReplyFrom<RankedEntry>(origin, done, std::move(e));
    };
    std::string refusal;
    if (!s->WhenReady(board_id, true, std::move(apply), &refusal)) {
      ReplyFrom<RankedEntry>(origin, done, Fail(refusal));
    }
  };
  if (!bad.empty() || !OnOwner(board_id, std::move(owner_op))) {
    std::string reason(bad.empty() ? "not_ready" : bad);
    shard_.reactor().Post([done, reason] { done(Fail(reason)); });
  }
}

void LeaderboardService::ReadStored(const std::string& board_id, std::string player_id, size_t n,
                                    int origin, EntriesCallback done) {
  auto answer = [origin, done](db::DbResult<db::PgResult> r) {
    if (!r.ok()) {
      return ReplyFrom<std::vector<RankedEntry>>(origin, done, Fail(DbReason(r.error())));
    }
    ReplyFrom<std::vector<RankedEntry>>(origin, done, RowsToEntries(r.value()));
  };
  if (player_id.empty()) {
    db_.Execute(sql::kTop, {db::Param::Text(board_id), db::Param::Int32(int32_t(n))},
                std::move(answer));
  } else {
    db_.Execute(
        sql::kAround,
        {db::Param::Text(board_id), db::Param::Uuid(player_id), db::Param::Int32(int32_t(n))},
        std::move(answer));
  }
}

void LeaderboardService::Top(std::string board_id, size_t count, EntriesCallback done) {
  Around(std::move(board_id), std::string(), count, std::move(done));
}

// One read path for Top (empty player: the first n) and Around (n each side of the player).
void LeaderboardService::Around(std::string board_id, std::string player_id, size_t range,
                                EntriesCallback done) {
  int origin = shard_.id();
  bool unknown = !ValidBoardId(board_id) || (!player_id.empty() && !IsCanonicalUuid(player_id));
  auto owner_op = [board_id, player_id, range, origin, done](LeaderboardService* s) {
    using Entries = std::vector<RankedEntry>;
    if (s == nullptr) return ReplyFrom<Entries>(origin, done, Fail("not_ready"));
    Task read = [s, alive = s->alive_, board_id, player_id, range, origin, done] {
      if (!*alive) return;
      auto it = s->boards_.find(board_id);
      if (it == s->boards_.end()) return ReplyFrom<Entries>(origin, done, Fail("not_ready"));
      const Board& b = it->second->board;
      ReplyFrom<Entries>(origin, done,
                         player_id.empty() ? b.Top(range) : b.Around(player_id, range));
    };
    std::string refusal;
    if (s->WhenReady(board_id, false, std::move(read), &refusal)) return;
    if (refusal == "absent") return s->ReadStored(board_id, player_id, range, origin, done);
    ReplyFrom<Entries>(origin, done, Fail(refusal));
  };
  if (unknown) {
    // Not a board or player that can have rows: no entries (rest.md §3.7, unknown → []).
    return shard_.reactor().Post([done] { done(std::vector<RankedEntry>{}); });
  }
  if (!OnOwner(board_id, std::move(owner_op))) {
    shard_.reactor().Post([done] { done(Fail("not_ready")); });
  }
}

void LeaderboardService::Flush(std::string board_id, std::function<void(Status)> done) {
  int origin = shard_.id();
  auto owner_op = [board_id, origin, done](LeaderboardService* s) {
    if (s == nullptr) return ReplyFrom<Ok>(origin, done, Fail("not_ready"));
    auto it = s->boards_.find(board_id);
    if (it == s->boards_.end()) return ReplyFrom<Ok>(origin, done, Ok{});
    if (!it->second->ready) return ReplyFrom<Ok>(origin, done, Fail("not_ready"));
    auto pending = std::make_shared<int>(1);
    auto failed = std::make_shared<bool>(false);
    Board& board = it->second->board;
    size_t before = board.dirty_count();
    auto finish = std::make_shared<std::function<void()>>([origin, done, failed] {
      ReplyFrom<Ok>(origin, done, *failed ? Result<Ok>(Fail("not_ready")) : Result<Ok>(Ok{}));
    });
    if (before > 0) s->FlushBoard(board_id, board, pending, finish, failed);
    if (--*pending == 0) (*finish)();
  };
  if (!OnOwner(board_id, std::move(owner_op))) {
    shard_.reactor().Post([done] { done(Fail("not_ready")); });
  }
}

void LeaderboardService::ScheduleFlush() {
  flush_timer_ =
      shard_.reactor().AddTimer(node_->options.flush_interval_ms, [this, alive = alive_] {
        if (!*alive) return;
        if (!flushing_) {
          flushing_ = true;
          FlushAll([this, alive] {
            if (*alive) flushing_ = false;
          });
        }
        ScheduleFlush();
      });
}

void LeaderboardService::PublishGauges() {
  int64_t dirty = 0;
  for (const auto& [id, live] : boards_) {
    if (live->ready) dirty += int64_t(live->board.dirty_count());
  }
  dirty_entries_.store(dirty, std::memory_order_relaxed);
  if (dirty == 0) {
    dirty_since_ms_.store(0, std::memory_order_relaxed);
  } else if (dirty_since_ms_.load(std::memory_order_relaxed) == 0) {
    dirty_since_ms_.store(MonoMs(), std::memory_order_relaxed);
  }
  gauge_timer_ = shard_.reactor().AddTimer(1000, [this, alive = alive_] {
    if (*alive) PublishGauges();
  });
}

void LeaderboardService::RemovePlayer(const std::string& player_id) {
  for (auto& [id, live] : boards_) {
    if (live->ready) {
      live->board.Remove(player_id);
      continue;
    }
    // Loading: the rows read may predate the erasure; drop the player once they are in.
    live->waiting.push_back([this, board_id = id, player_id, alive = alive_] {
      if (!*alive) return;
      auto it = boards_.find(board_id);
      if (it != boards_.end() && it->second->ready) it->second->board.Remove(player_id);
    });
  }
}

void LeaderboardService::FlushAll(std::function<void()> done) {
  auto pending = std::make_shared<int>(1);  // 1 = still issuing
  auto finish = std::make_shared<std::function<void()>>(std::move(done));
  for (auto& [id, live] : boards_) {
    if (live->ready && live->board.dirty_count() > 0) FlushBoard(id, live->board, pending, finish);
  }
  if (--*pending == 0) (*finish)();
}

void LeaderboardService::FlushBoard(const std::string& board_id, Board& board,
                                    std::shared_ptr<int> pending,
                                    std::shared_ptr<std::function<void()>> done,
                                    std::shared_ptr<bool> failed) {
  for (;;) {
    std::vector<DirtyRow> rows = board.TakeDirty(kFlushBatchRows);
    if (rows.empty()) return;
    ++*pending;
    std::vector<DirtyRow> taken = rows;
    WriteRows(board_id, taken,
              [this, alive = alive_, board_id, rows = std::move(rows), pending, done,
               failed](db::DbResult<db::PgResult> r) {
                if (!r.ok() && failed) *failed = true;
                if (*alive && !r.ok()) {
                  auto it = boards_.find(board_id);
                  if (it != boards_.end()) it->second->board.MarkDirty(rows);
                }
                if (--*pending == 0) (*done)();
              });
  }
}

void LeaderboardService::WriteRows(const std::string& board_id, const std::vector<DirtyRow>& rows,
                                   db::ResultCallback done) {
  JsonWriter w;
  w.BeginArray();
  for (const DirtyRow& row : rows) {
    w.BeginObject();
    w.Key("id");
    w.String(NewUuidV7());
    w.Key("b");
    w.String(board_id);
    w.Key("p");
    w.String(row.player_id);
    w.Key("s");
    w.Int(row.score);
    w.Key("t");
    w.Int(row.updated_at_ms);
    w.EndObject();
  }
  w.EndArray();
  db_.Execute(sql::kUpsert, {db::Param::Json(w.Take())}, std::move(done));
}

void LeaderboardService::Rotate(std::string board_id, ArchiveFn archive,
                                std::function<void(Status)> done) {
  int origin = shard_.id();
  auto owner_op = [board_id, archive, origin, done](LeaderboardService* s) {
    if (s == nullptr) return ReplyFrom<Ok>(origin, done, Fail("not_ready"));
    auto it = s->boards_.find(board_id);
    if (it != s->boards_.end()) {
      if (!it->second->ready) return ReplyFrom<Ok>(origin, done, Fail("not_ready"));
      // The last changes go first; a failed write loses them (the database is down then and
      // the archive fails too, so the caller retries on the table as it stands).
      Board& board = it->second->board;
      for (;;) {
        std::vector<DirtyRow> rows = board.TakeDirty(kFlushBatchRows);
        if (rows.empty()) break;
        s->WriteRows(board_id, rows, [](db::DbResult<db::PgResult>) {});
      }
      s->boards_.erase(it);
      s->node_->live_boards.fetch_sub(1);
    }
    archive(s->db_, [origin, done](Status st) { ReplyFrom<Ok>(origin, done, std::move(st)); });
  };
  if (!OnOwner(board_id, std::move(owner_op))) {
    shard_.reactor().Post([done] { done(Fail("not_ready")); });
  }
}

}  // namespace asobi::leaderboard
