// NotifyBackend: what `game.notify` / `game.notify_many` (lua.md §9 Notifications) need from
// the notification domain. Implemented in game/notification (NotificationLuaBackend) and
// installed per shard in ApiBackends::OnThisShard().notify. Every method runs on the calling
// shard and answers through `done` exactly once, on that shard, never inside the call.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/result.h"

namespace asobi::script::game_api {

/// Interface; one implementation per shard, reached through ApiBackends::OnThisShard().notify.
class NotifyBackend {
 public:
  /// One stored notification: its player and the row as a JSON object (websocket.md §8.7).
  struct Stored {
    std::string player_id;
    std::string row_json;
  };
  /// Completion of Notify: one Stored per stored notification.
  using StoredDone = std::function<void(Result<std::vector<Stored>>)>;

  virtual ~NotifyBackend() = default;

  /// Stores one notification per distinct existing player of `player_ids` (other ids are
  /// skipped) and pushes each live as `notification.new`. `content_json` is a JSON object.
  /// Errors: invalid_type, invalid_subject, too_many_players, not_ready, internal.
  virtual void Notify(std::vector<std::string> player_ids, std::string type, std::string subject,
                      std::string content_json, StoredDone done) = 0;
};

}  // namespace asobi::script::game_api
