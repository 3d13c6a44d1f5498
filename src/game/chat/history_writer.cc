#include "game/chat/history_writer.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "base/log.h"
#include "base/uuid.h"
#include "protocol/json_writer.h"

namespace asobi::chat {
namespace {

// One statement for a whole batch: the rows travel as one JSON array. Rows of a sender that
// is not (or no longer) a player are skipped, so one cannot fail the others.
const db::Statement kInsertBatch(
    "chat_insert_batch",
    "INSERT INTO chat_messages (id, channel_type, channel_id, sender_id, content, metadata, "
    "sent_at) SELECT r.id, r.channel_type, r.channel_id, r.sender_id, r.content, '{}'::jsonb, "
    "to_timestamp(r.sent_at / 1000.0) FROM json_to_recordset($1::json) AS r(id uuid, "
    "channel_type text, channel_id text, sender_id uuid, content text, sent_at bigint) "
    "WHERE EXISTS (SELECT 1 FROM players p WHERE p.id = r.sender_id) "
    // A retried batch that had committed after all (its answer was lost or timed out) keeps
    // its ids, so its rows are not written twice.
    "ON CONFLICT (id) DO NOTHING",
    {db::PgType::kText});

// A UUIDv7 greater than `last` (ids sort in the order rows were appended, so history reads
// that order ties of sent_at by id keep the order of arrival): a fresh one, or `last` + 1.
std::string NextId(std::string* last) {
  std::string id = NewUuidV7();
  if (id <= *last) {
    id = *last;
    for (size_t i = id.size(); i-- > 0;) {
      char& c = id[i];
      if (c == '-') continue;
      if (c == 'f') {
        c = '0';
        continue;
      }
      c = c == '9' ? 'a' : char(c + 1);
      break;
    }
  }
  *last = id;
  return id;
}

bool Storable(const ChatMessage& m) {
  return IsCanonicalUuid(m.sender_id) && m.content.find('\0') == std::string::npos &&
         m.channel_id.find('\0') == std::string::npos;
}

}  // namespace

// A buffered row: its id is chosen once, when it is appended, and kept across retries.
struct Row {
  std::string id;
  ChatMessage m;
};

struct HistoryWriter::State {
  Reactor& reactor;
  db::PgConnection& db;
  ChatNode& node;
  size_t rows_max;
  std::deque<Row> waiting;
  size_t in_flight_rows = 0;
  bool in_flight = false;
  bool alive = true;
  Reactor::TimerId retry_timer = 0;
  std::string last_id;                  // ids increase in append order (NextId)
  Reactor::TimerId coalesce_timer = 0;  // armed while fewer than kCoalesceRows rows wait
  bool coalesce_due = false;            // it fired: send what waits

  void Drop(uint64_t n, const char* why) {
    uint64_t before = node.history_dropped.fetch_add(n, std::memory_order_relaxed);
    if (before == 0 || before / 1000 != (before + n) / 1000) {
      LOG_WARN("chat history rows dropped").KV("why", why).KV("dropped_total", before + n);
    }
  }

  static void Flush(const std::shared_ptr<State>& self) {
    State& s = *self;
    if (!s.alive || s.in_flight || s.retry_timer != 0 || s.waiting.empty()) return;
    if (s.waiting.size() < kCoalesceRows && !s.coalesce_due) {
      // Few rows: wait up to kCoalesceMs for more, so a round trip carries many rows.
      if (s.coalesce_timer == 0) {
        std::weak_ptr<State> weak = self;
        s.coalesce_timer = s.reactor.AddTimer(kCoalesceMs, [weak] {
          std::shared_ptr<State> st = weak.lock();
          if (!st) return;
          st->coalesce_timer = 0;
          st->coalesce_due = true;
          Flush(st);
        });
      }
      return;
    }
    if (s.coalesce_timer != 0) {
      s.reactor.CancelTimer(s.coalesce_timer);
      s.coalesce_timer = 0;
    }
    s.coalesce_due = false;
    size_t n = std::min(s.waiting.size(), kBatchRowsMax);
    auto batch = std::make_shared<std::vector<Row>>();
    batch->reserve(n);
    JsonWriter w;
    w.BeginArray();
    for (size_t i = 0; i < n; ++i) {
      const ChatMessage& m = s.waiting.front().m;
      w.BeginObject();
      w.Key("id");
      w.String(s.waiting.front().id);
      w.Key("channel_type");
      w.String(m.channel_type);
      w.Key("channel_id");
      w.String(m.channel_id);
      w.Key("sender_id");
      w.String(m.sender_id);
      w.Key("content");
      w.String(m.content);
      w.Key("sent_at");
      w.Int(m.sent_at_ms);
      w.EndObject();
      batch->push_back(std::move(s.waiting.front()));
      s.waiting.pop_front();
    }
    w.EndArray();
    s.in_flight = true;
    s.in_flight_rows = batch->size();
    std::weak_ptr<State> weak = self;
    s.db.Execute(kInsertBatch, {db::Param::Text(w.out())},
                 [weak, batch](db::DbResult<db::PgResult> r) {
                   std::shared_ptr<State> st = weak.lock();
                   if (!st) return;
                   st->in_flight = false;
                   st->in_flight_rows = 0;
                   if (r.ok()) {
                     st->node.history_rows.fetch_add(uint64_t(r.value().affected_rows()),
                                                     std::memory_order_relaxed);
                     st->node.history_batches.fetch_add(1, std::memory_order_relaxed);
                     st->node.history_waiting.fetch_sub(int64_t(batch->size()));
                     Flush(st);
                     return;
                   }
                   size_t rows = batch->size();
                   st->Requeue(std::move(*batch));
                   LOG_WARN("chat history insert failed; retrying")
                       .KV("rows", rows)
                       .KV("reason", r.error().reason);
                   st->retry_timer = st->reactor.AddTimer(kRetryMs, [weak] {
                     std::shared_ptr<State> again = weak.lock();
                     if (!again) return;
                     again->retry_timer = 0;
                     Flush(again);
                   });
                 });
  }

  // Puts a failed batch back at the front, oldest first (the bound counted it while it was in
  // flight, so it always fits).
  void Requeue(std::vector<Row> batch) {
    for (size_t i = batch.size(); i-- > 0;) waiting.push_front(std::move(batch[i]));
  }
};

HistoryWriter::HistoryWriter(Reactor& reactor, db::PgConnection& db, ChatNode& node,
                             size_t rows_max)
    : state_(std::make_shared<State>(State{
          reactor, db, node, std::max<size_t>(rows_max, 1), {}, 0, false, true, 0, {}, 0, false})) {
}

HistoryWriter::~HistoryWriter() {
  state_->alive = false;
  if (state_->retry_timer != 0) state_->reactor.CancelTimer(state_->retry_timer);
  if (state_->coalesce_timer != 0) state_->reactor.CancelTimer(state_->coalesce_timer);
  size_t n = state_->waiting.size();
  if (n > 0) {
    state_->node.history_waiting.fetch_sub(int64_t(n));
    state_->Drop(n, "shutdown");
  }
}

void HistoryWriter::Append(ChatMessage msg) {
  State& s = *state_;
  if (!Storable(msg)) {
    s.Drop(1, "unstorable");
    return;
  }
  if (s.waiting.size() + s.in_flight_rows >= s.rows_max) {
    s.Drop(1, "buffer_full");
    return;
  }
  s.waiting.push_back(Row{NextId(&s.last_id), std::move(msg)});
  s.node.history_waiting.fetch_add(1, std::memory_order_relaxed);
  State::Flush(state_);
}

}  // namespace asobi::chat
