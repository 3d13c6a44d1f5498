#include "game/chat/chat_acl.h"

#include <utility>

#include "base/uuid.h"
#include "db/pg_connection.h"

namespace asobi::chat {
namespace {

const db::Statement kPlayerExists("chat_player_exists", "SELECT 1 FROM players WHERE id = $1",
                                  {db::PgType::kUuid});
const db::Statement kGroupMember(
    "chat_group_member", "SELECT 1 FROM group_members WHERE group_id = $1 AND player_id = $2",
    {db::PgType::kUuid, db::PgType::kUuid});

// One "SELECT 1" probe: allowed when it returns a row.
void Probe(db::PgConnection* db, const db::Statement& stmt, db::Params params,
           std::function<void(Access)> done) {
  if (db == nullptr) return done(Access::kUnavailable);
  db->Execute(stmt, std::move(params), [done = std::move(done)](db::DbResult<db::PgResult> r) {
    if (!r.ok()) return done(Access::kUnavailable);
    done(r.value().rows() > 0 ? Access::kAllowed : Access::kDenied);
  });
}

}  // namespace

void CheckAccess(db::PgConnection* db, const AclSources& sources, const std::string& player_id,
                 const std::string& channel_id, const ChannelRef& channel,
                 std::function<void(Access)> done) {
  (void)channel_id;
  switch (channel.kind) {
    case ChannelKind::kGlobal:
      return done(!channel.name.empty() && sources.global_declared &&
                          sources.global_declared(channel.name)
                      ? Access::kAllowed
                      : Access::kDenied);
    case ChannelKind::kDm: {
      std::string_view other;
      if (channel.a == player_id) {
        other = channel.b;
      } else if (channel.b == player_id) {
        other = channel.a;
      } else {
        return done(Access::kDenied);
      }
      if (!IsCanonicalUuid(other)) return done(Access::kDenied);
      return Probe(db, kPlayerExists, {db::Param::Uuid(other)}, std::move(done));
    }
    case ChannelKind::kRoom:
      return Probe(db, kGroupMember, {db::Param::Uuid(channel.world), db::Param::Uuid(player_id)},
                   std::move(done));
    case ChannelKind::kWorld:
    case ChannelKind::kZone:
    case ChannelKind::kProx:
      return done(sources.world_member && sources.world_member(player_id, channel.world)
                      ? Access::kAllowed
                      : Access::kDenied);
  }
  done(Access::kDenied);
}

}  // namespace asobi::chat
