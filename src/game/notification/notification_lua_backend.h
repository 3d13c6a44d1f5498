// NotificationLuaBackend: the game.notify / game.notify_many backend
// (script/game_api/notify_backend.h) over the shard's NotificationService. One per shard,
// installed by RegisterNotifications' start-up step in ApiBackends::OnThisShard().notify;
// shard-affine.
#pragma once

#include <memory>

#include "game/notification/notification_service.h"
#include "script/game_api/notify_backend.h"

namespace asobi::notification {

/// Owned by the notification domain's per-shard state; shard-affine.
class NotificationLuaBackend final : public script::game_api::NotifyBackend {
 public:
  /// `service` must outlive the backend. Replies that arrive after the backend is destroyed
  /// (shutdown) are dropped.
  explicit NotificationLuaBackend(NotificationService& service) : service_(service) {}
  ~NotificationLuaBackend() override { *alive_ = false; }

  /// script::game_api::NotifyBackend: game.notify / game.notify_many (lua.md §9); `done` runs on
  /// this shard, and not at all once the backend is destroyed.
  void Notify(std::vector<std::string> player_ids, std::string type, std::string subject,
              std::string content_json, StoredDone done) override;

 private:
  NotificationService& service_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace asobi::notification
