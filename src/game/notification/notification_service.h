// NotificationService: stored notifications (rest.md §3.10, §5), their live push as
// `notification.new` (websocket.md §8.7) and the store behind `game.notify` /
// `game.notify_many` (lua.md §9 Notifications). One instance per shard on top of that
// shard's pipelined PostgreSQL connection; every method and callback runs on the calling
// shard. No owner shard: rows are keyed by id and checked against the caller in the statement.
//
// Error reasons (Error::reason): notification.not_found, forbidden (another player's row),
// invalid_type, invalid_subject (not 1-255 bytes of UTF-8), too_many_players, not_ready
// (database unreachable, overloaded or past its deadline), internal.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "db/pg_connection.h"
#include "game/game_shard.h"
#include "reactor/reactor.h"

namespace asobi::notification {

/// Most players one Notify call reaches (one INSERT statement); more is too_many_players.
inline constexpr size_t kNotifyPlayersMax = 1000;
/// `type` and `subject` bytes (VARCHAR(255), rest.md §5).
inline constexpr size_t kTextBytesMax = 255;
/// Most bytes of a notification's `content` JSON.
inline constexpr size_t kContentBytesMax = 16384;

/// A stored notification: its player and the row as a JSON object (§8.7 shape).
struct StoredNotification {
  std::string player_id;
  std::string row_json;
};

/// Completions; each runs once, on the calling shard.
using JsonCallback = std::function<void(Result<std::string>)>;
using DoneCallback = std::function<void(Result<bool>)>;
using NotifyCallback = std::function<void(Result<std::vector<StoredNotification>>)>;

/// One per shard, created by RegisterNotifications' start-up step; borrows the shard's
/// PgConnection. Shard-affine.
class NotificationService {
 public:
  /// Construct on the shard's own thread (it becomes that thread's OnThisShard()). `reactor`
  /// and `db` (the shard's) and `game` (read for GameShard::send_to_player at each push) must
  /// outlive the service. Callbacks never run inside the call.
  NotificationService(Reactor& reactor, db::PgConnection& db, GameShard& game);
  ~NotificationService();
  NotificationService(const NotificationService&) = delete;
  NotificationService& operator=(const NotificationService&) = delete;

  /// The calling shard thread's service, or null (no database, or not a shard thread).
  static NotificationService* OnThisShard();

  /// The player's notifications (optionally only read / unread ones), newest first, at most
  /// `limit`, as a JSON array.
  void List(std::string player_id, std::optional<bool> read, int limit, JsonCallback done);
  /// Marks the row read; answers the updated row. Errors: notification.not_found (unknown or
  /// not a canonical UUID), forbidden.
  void MarkRead(std::string player_id, std::string id, JsonCallback done);
  /// Deletes the row. Errors: notification.not_found, forbidden.
  void Delete(std::string player_id, std::string id, DoneCallback done);

  /// Stores one notification per distinct canonical id of `player_ids` that names an
  /// existing player (others are skipped) in one INSERT, then pushes each stored row as
  /// `notification.new` to its player's sockets through GameShard::send_to_player (no push
  /// while that hook is null). `content_json` is a JSON object of at most kContentBytesMax
  /// bytes (checked by the caller). Errors: invalid_type, invalid_subject, too_many_players,
  /// not_ready, internal.
  void Notify(std::vector<std::string> player_ids, std::string type, std::string subject,
              std::string content_json, NotifyCallback done);
  /// Pushes rows another domain stored itself (in its own statement, e.g. tournament rewards
  /// stored atomically with the tournament's end) as `notification.new`, like Notify does.
  void PushStored(const std::vector<StoredNotification>& rows) { Push(rows); }
  /// Counts every stored notification into `*counter` (node-wide, outlives the service;
  /// /metrics asobi_notifications_total). Call once after construction; null = not counted.
  void CountStoredInto(std::atomic<uint64_t>* counter) { stored_ = counter; }

 private:
  template <typename T>
  void FailLater(std::function<void(Result<T>)> done, std::string_view reason);
  void Push(const std::vector<StoredNotification>& rows);

  Reactor& reactor_;
  db::PgConnection& db_;
  GameShard& game_;
  std::atomic<uint64_t>* stored_ = nullptr;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

/// The `notification.new` frame for a stored row (websocket.md §8.7).
std::string NotificationFrame(std::string_view row_json);

}  // namespace asobi::notification
