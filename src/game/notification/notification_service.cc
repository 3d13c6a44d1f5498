#include "game/notification/notification_service.h"

#include <set>
#include <utility>

#include "base/uuid.h"
#include "game/notification/notification_sql.h"
#include "protocol/json_writer.h"
#include "simdjson.h"

namespace asobi::notification {
namespace {

using db::Param;

thread_local NotificationService* t_service = nullptr;

Error Fail(std::string_view reason) { return MakeError(std::string(reason)); }

std::string_view DbReason(const db::PgError& e) {
  if (e.reason == db::kDbUnavailable || e.reason == db::kDbOverloaded ||
      e.reason == db::kDbTimeout) {
    return "not_ready";
  }
  return "internal";
}

// 1-255 bytes of UTF-8 without NUL (a VARCHAR(255) PostgreSQL accepts as is).
bool ValidText(std::string_view s) {
  return !s.empty() && s.size() <= kTextBytesMax && s.find('\0') == std::string_view::npos &&
         simdjson::validate_utf8(s.data(), s.size());
}

}  // namespace

std::string NotificationFrame(std::string_view row_json) {
  std::string frame = "{\"type\":\"notification.new\",\"payload\":";
  frame.append(row_json);
  frame.push_back('}');
  return frame;
}

NotificationService::NotificationService(Reactor& reactor, db::PgConnection& db, GameShard& game)
    : reactor_(reactor), db_(db), game_(game) {
  t_service = this;
}

NotificationService::~NotificationService() {
  *alive_ = false;
  if (t_service == this) t_service = nullptr;
}

NotificationService* NotificationService::OnThisShard() { return t_service; }

template <typename T>
void NotificationService::FailLater(std::function<void(Result<T>)> done, std::string_view reason) {
  reactor_.Post([done = std::move(done), r = std::string(reason)]() mutable { done(Fail(r)); });
}

void NotificationService::List(std::string player_id, std::optional<bool> read, int limit,
                               JsonCallback done) {
  if (!IsCanonicalUuid(player_id)) {
    reactor_.Post([done = std::move(done)] { done(std::string("[]")); });
    return;
  }
  db_.Execute(
      sql::kList,
      {Param::Uuid(player_id), read ? Param::Bool(*read) : Param::Null(), Param::Int32(limit)},
      [done = std::move(done)](db::DbResult<db::PgResult> r) {
        if (!r.ok()) return done(Fail(DbReason(r.error())));
        done(std::string(r->GetString(0, 0)));
      });
}

void NotificationService::MarkRead(std::string player_id, std::string id, JsonCallback done) {
  if (!IsCanonicalUuid(id) || !IsCanonicalUuid(player_id)) {
    return FailLater(std::move(done), "notification.not_found");
  }
  db_.Execute(sql::kMarkRead, {Param::Uuid(id), Param::Uuid(player_id)},
              [done = std::move(done)](db::DbResult<db::PgResult> r) {
                if (!r.ok()) return done(Fail(DbReason(r.error())));
                if (r->rows() != 1) return done(Fail("internal"));
                if (r->IsNull(0, 0)) return done(Fail("notification.not_found"));
                if (r->IsNull(0, 1)) return done(Fail("forbidden"));
                done(std::string(r->GetString(0, 1)));
              });
}

void NotificationService::Delete(std::string player_id, std::string id, DoneCallback done) {
  if (!IsCanonicalUuid(id) || !IsCanonicalUuid(player_id)) {
    return FailLater(std::move(done), "notification.not_found");
  }
  db_.Execute(sql::kDelete, {Param::Uuid(id), Param::Uuid(player_id)},
              [done = std::move(done)](db::DbResult<db::PgResult> r) {
                if (!r.ok()) return done(Fail(DbReason(r.error())));
                if (r->rows() != 1) return done(Fail("internal"));
                if (r->IsNull(0, 0)) return done(Fail("notification.not_found"));
                if (r->GetInt64(0, 1).value_or(0) == 0) return done(Fail("forbidden"));
                done(true);
              });
}

void NotificationService::Notify(std::vector<std::string> player_ids, std::string type,
                                 std::string subject, std::string content_json,
                                 NotifyCallback done) {
  if (!ValidText(type)) return FailLater(std::move(done), "invalid_type");
  if (!ValidText(subject)) return FailLater(std::move(done), "invalid_subject");
  if (player_ids.size() > kNotifyPlayersMax) {
    return FailLater(std::move(done), "too_many_players");
  }
  std::set<std::string> seen;
  JsonWriter w;
  w.BeginArray();
  for (const std::string& p : player_ids) {
    if (!IsCanonicalUuid(p) || !seen.insert(p).second) continue;
    w.BeginObject();
    w.Key("id");
    w.String(NewUuidV7());
    w.Key("p");
    w.String(p);
    w.EndObject();
  }
  w.EndArray();
  if (seen.empty()) {
    reactor_.Post([done = std::move(done)] { done(std::vector<StoredNotification>{}); });
    return;
  }
  db_.Execute(
      sql::kInsert,
      {Param::Json(w.Take()), Param::Text(type), Param::Text(subject), Param::Jsonb(content_json)},
      [this, alive = alive_, done = std::move(done)](db::DbResult<db::PgResult> r) {
        if (!r.ok()) return done(Fail(DbReason(r.error())));
        std::vector<StoredNotification> rows;
        rows.reserve(size_t(r->rows()));
        for (int i = 0; i < r->rows(); ++i) {
          rows.push_back({std::string(r->GetString(i, 0)), std::string(r->GetString(i, 1))});
        }
        if (*alive) Push(rows);  // no push once the shard tore the service down
        done(std::move(rows));
      });
}

void NotificationService::Push(const std::vector<StoredNotification>& rows) {
  if (stored_ != nullptr) stored_->fetch_add(rows.size(), std::memory_order_relaxed);
  if (!game_.send_to_player) return;
  for (const StoredNotification& n : rows) {
    game_.send_to_player(n.player_id, NotificationFrame(n.row_json));
  }
}

}  // namespace asobi::notification
