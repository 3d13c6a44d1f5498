#include "game/notification/notification_lua_backend.h"

#include <utility>

namespace asobi::notification {

void NotificationLuaBackend::Notify(std::vector<std::string> player_ids, std::string type,
                                    std::string subject, std::string content_json,
                                    StoredDone done) {
  service_.Notify(
      std::move(player_ids), std::move(type), std::move(subject), std::move(content_json),
      [alive = alive_, done = std::move(done)](Result<std::vector<StoredNotification>> r) {
        if (!*alive) return;
        if (!r.ok()) return done(r.error());
        std::vector<Stored> out;
        out.reserve(r->size());
        for (StoredNotification& n : r.value()) {
          out.push_back({std::move(n.player_id), std::move(n.row_json)});
        }
        done(std::move(out));
      });
}

}  // namespace asobi::notification
