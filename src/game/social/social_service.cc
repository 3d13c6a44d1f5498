#include "game/social/social_service.h"

#include <utility>
#include <vector>

#include "base/uuid.h"
#include "game/social/block_lists.h"
#include "game/social/social_sql.h"

namespace asobi::social {
namespace {

using db::Param;

thread_local SocialService* t_service = nullptr;

Error Fail(std::string_view reason) { return MakeError(std::string(reason)); }

}  // namespace

int RoleRank(std::string_view role) {
  if (role == "owner") return 100;
  if (role == "admin") return 75;
  if (role == "moderator") return 50;
  if (role == "member") return 0;
  return -1;
}

std::string_view SocialDbReason(const db::PgError& e) {
  if (e.reason == db::kDbUnavailable || e.reason == db::kDbOverloaded ||
      e.reason == db::kDbTimeout) {
    return "not_ready";
  }
  return "internal";
}

SocialService::SocialService(Reactor& reactor, db::PgConnection& db) : reactor_(reactor), db_(db) {
  t_service = this;
}

SocialService::~SocialService() {
  if (t_service == this) t_service = nullptr;
}

SocialService* SocialService::OnThisShard() { return t_service; }

template <typename T>
void SocialService::FailLater(std::function<void(Result<T>)> done, std::string_view reason) {
  reactor_.Post([done = std::move(done), r = std::string(reason)]() mutable { done(Fail(r)); });
}

void SocialService::Friends(std::string player_id, std::optional<std::string> status, int limit,
                            JsonCallback done) {
  if (!IsCanonicalUuid(player_id)) {
    reactor_.Post([done = std::move(done)] { done(std::string("[]")); });
    return;
  }
  db_.Execute(
      sql::kFriendsList,
      {Param::Uuid(player_id), status ? Param::Text(*status) : Param::Null(), Param::Int32(limit)},
      [done = std::move(done)](db::DbResult<db::PgResult> r) {
        if (!r.ok()) return done(Fail(SocialDbReason(r.error())));
        done(std::string(r->GetString(0, 0)));
      });
}

void SocialService::RequestFriend(std::string player_id, std::string friend_id, JsonCallback done) {
  if (friend_id == player_id) return FailLater(std::move(done), "social.cannot_friend_self");
  if (!IsCanonicalUuid(friend_id) || !IsCanonicalUuid(player_id)) {
    return FailLater(std::move(done), "social.friend_not_found");
  }
  db_.Execute(sql::kFriendRequest,
              {Param::Uuid(NewUuidV7()), Param::Uuid(player_id), Param::Uuid(friend_id)},
              [done = std::move(done)](db::DbResult<db::PgResult> r) {
                if (!r.ok()) return done(Fail(SocialDbReason(r.error())));
                if (r->rows() != 1) return done(Fail("internal"));
                if (r->GetInt64(0, 0).value_or(0) == 0) {
                  return done(Fail("social.friend_not_found"));
                }
                if (!r->IsNull(0, 1)) return done(std::string(r->GetString(0, 1)));
                if (!r->IsNull(0, 2)) return done(std::string(r->GetString(0, 2)));
                done(Fail("social.already_friend"));
              });
}

void SocialService::UpdateFriend(std::string caller, std::string requester, std::string status,
                                 JsonCallback done) {
  if (!IsCanonicalUuid(caller) || !IsCanonicalUuid(requester)) {
    return FailLater(std::move(done), "social.friendship_not_found");
  }
  bool blocked = status == "blocked";
  db_.Execute(
      sql::kFriendUpdate, {Param::Uuid(requester), Param::Uuid(caller), Param::Text(status)},
      [requester, caller, blocked, done = std::move(done)](db::DbResult<db::PgResult> r) {
        if (!r.ok()) return done(Fail(SocialDbReason(r.error())));
        if (r->rows() == 0) return done(Fail("social.friendship_not_found"));
        // The requester's block list (DMs) learns the change before the answer.
        BlockLists::ReportChange(requester, caller, blocked,
                                 [done, row = std::string(r->GetString(0, 0))] { done(row); });
      });
}

void SocialService::Exists(const db::Statement& stmt, std::string a, std::string b,
                           DoneCallback done) {
  if (!IsCanonicalUuid(a) || !IsCanonicalUuid(b)) {
    reactor_.Post([done = std::move(done)] { done(false); });
    return;
  }
  db_.Execute(stmt, {Param::Uuid(a), Param::Uuid(b)},
              [done = std::move(done)](db::DbResult<db::PgResult> r) {
                if (!r.ok()) return done(Fail(SocialDbReason(r.error())));
                done(r->rows() > 0);
              });
}

void SocialService::FriendshipExists(std::string caller, std::string requester, DoneCallback done) {
  Exists(sql::kFriendFind, std::move(requester), std::move(caller), std::move(done));
}

void SocialService::IsMember(std::string group_id, std::string player_id, DoneCallback done) {
  Exists(sql::kIsMember, std::move(group_id), std::move(player_id), std::move(done));
}

void SocialService::Blocks(std::string recipient, std::string sender, DoneCallback done) {
  Exists(sql::kBlocks, std::move(recipient), std::move(sender), std::move(done));
}

void SocialService::RemoveFriend(std::string player_id, std::string friend_id, DoneCallback done) {
  if (!IsCanonicalUuid(player_id) || !IsCanonicalUuid(friend_id)) {
    return FailLater(std::move(done), "social.friendship_not_found");
  }
  db_.Execute(sql::kFriendDelete, {Param::Uuid(player_id), Param::Uuid(friend_id)},
              [player_id, friend_id, done = std::move(done)](db::DbResult<db::PgResult> r) {
                if (!r.ok()) return done(Fail(SocialDbReason(r.error())));
                if (r->rows() == 0) return done(Fail("social.friendship_not_found"));
                BlockLists::ReportChange(player_id, friend_id, false, [done] { done(true); });
              });
}

void SocialService::CreateGroup(std::string creator_id, std::string name,
                                std::optional<std::string> description, int32_t max_members,
                                bool open, JsonCallback done) {
  const std::string group_id = NewUuidV7();
  std::vector<db::StatementCall> calls;
  calls.push_back({&sql::kGroupInsert,
                   {Param::Uuid(group_id), Param::Text(name),
                    description ? Param::Text(*description) : Param::Null(),
                    Param::Int32(max_members), Param::Bool(open), Param::Uuid(creator_id)}});
  calls.push_back({&sql::kMemberInsert,
                   {Param::Uuid(NewUuidV7()), Param::Uuid(group_id), Param::Uuid(creator_id),
                    Param::Text("owner")}});
  db_.ExecuteTransaction(std::move(calls),
                         [done = std::move(done)](db::DbResult<std::vector<db::PgResult>> r) {
                           if (!r.ok()) return done(Fail(SocialDbReason(r.error())));
                           done(std::string((*r)[0].GetString(0, 0)));
                         });
}

void SocialService::GetGroup(std::string group_id, JsonCallback done) {
  if (!IsCanonicalUuid(group_id)) return FailLater(std::move(done), "social.group_not_found");
  db_.Execute(sql::kGroupGet, {Param::Uuid(group_id)},
              [done = std::move(done)](db::DbResult<db::PgResult> r) {
                if (!r.ok()) return done(Fail(SocialDbReason(r.error())));
                if (r->rows() == 0) return done(Fail("social.group_not_found"));
                done(std::string(r->GetString(0, 0)));
              });
}

void SocialService::UpdateGroup(std::string actor, std::string group_id, GroupChanges changes,
                                JsonCallback done) {
  if (!IsCanonicalUuid(group_id)) return FailLater(std::move(done), "social.group_not_found");
  db_.Execute(sql::kGroupUpdate,
              {Param::Uuid(group_id), Param::Uuid(actor),
               changes.name ? Param::Text(*changes.name) : Param::Null(),
               Param::Bool(changes.set_description),
               changes.description ? Param::Text(*changes.description) : Param::Null(),
               changes.max_members ? Param::Int32(*changes.max_members) : Param::Null(),
               changes.open ? Param::Bool(*changes.open) : Param::Null()},
              [done = std::move(done)](db::DbResult<db::PgResult> r) {
                if (!r.ok()) return done(Fail(SocialDbReason(r.error())));
                if (r->rows() != 1) return done(Fail("internal"));
                if (r->GetInt64(0, 0).value_or(0) == 0) return done(Fail("social.group_not_found"));
                if (r->IsNull(0, 1)) return done(Fail("forbidden"));
                done(std::string(r->GetString(0, 1)));
              });
}

void SocialService::JoinGroup(std::string player_id, std::string group_id, DoneCallback done) {
  if (!IsCanonicalUuid(group_id)) return FailLater(std::move(done), "social.group_not_found");
  std::vector<db::StatementCall> calls;
  calls.push_back({&sql::kGroupLock, {Param::Uuid(group_id)}});
  calls.push_back({&sql::kGroupJoin,
                   {Param::Uuid(NewUuidV7()), Param::Uuid(group_id), Param::Uuid(player_id)}});
  db_.ExecuteTransaction(
      std::move(calls), [done = std::move(done)](db::DbResult<std::vector<db::PgResult>> r) {
        if (!r.ok()) return done(Fail(SocialDbReason(r.error())));
        const db::PgResult& row = r->back();
        if (row.rows() != 1) return done(Fail("internal"));
        if (row.GetInt64(0, 0).value_or(0) == 0) return done(Fail("social.group_not_found"));
        if (!row.GetBool(0, 1).value_or(false)) return done(Fail("social.group_closed"));
        if (row.GetInt64(0, 2).value_or(0) > 0) return done(Fail("social.already_member"));
        if (row.GetInt64(0, 5).value_or(0) == 1) return done(true);
        if (!row.IsNull(0, 4) && row.GetInt64(0, 3) >= row.GetInt64(0, 4)) {
          return done(Fail("social.group_full"));
        }
        done(Fail("social.already_member"));  // a concurrent join of the same player won
      });
}

void SocialService::LeaveGroup(std::string player_id, std::string group_id, DoneCallback done) {
  if (!IsCanonicalUuid(group_id)) {
    reactor_.Post([done = std::move(done)] { done(true); });
    return;
  }
  db_.Execute(sql::kGroupLeave, {Param::Uuid(group_id), Param::Uuid(player_id)},
              [done = std::move(done)](db::DbResult<db::PgResult> r) {
                if (!r.ok()) return done(Fail(SocialDbReason(r.error())));
                done(true);
              });
}

void SocialService::Members(std::string group_id, JsonCallback done) {
  if (!IsCanonicalUuid(group_id)) {
    reactor_.Post([done = std::move(done)] { done(std::string("[]")); });
    return;
  }
  db_.Execute(sql::kGroupMembers, {Param::Uuid(group_id), Param::Int32(int32_t(kGroupMembersMax))},
              [done = std::move(done)](db::DbResult<db::PgResult> r) {
                if (!r.ok()) return done(Fail(SocialDbReason(r.error())));
                done(std::string(r->GetString(0, 0)));
              });
}

void SocialService::SetRole(std::string actor, std::string group_id, std::string target,
                            std::string role, JsonCallback done) {
  const int rank = RoleRank(role);
  if (rank < 0) return FailLater(std::move(done), "social.invalid_role");
  if (rank >= RoleRank("owner")) return FailLater(std::move(done), "forbidden");
  if (!IsCanonicalUuid(group_id) || !IsCanonicalUuid(target)) {
    return FailLater(std::move(done), "social.member_not_found");
  }
  db_.Execute(sql::kSetRole,
              {Param::Uuid(group_id), Param::Uuid(actor), Param::Uuid(target), Param::Text(role)},
              [done = std::move(done)](db::DbResult<db::PgResult> r) {
                if (!r.ok()) return done(Fail(SocialDbReason(r.error())));
                if (r->rows() != 1) return done(Fail("internal"));
                if (r->IsNull(0, 0) || RoleRank(r->GetString(0, 0)) < RoleRank("admin")) {
                  return done(Fail("forbidden"));
                }
                if (r->IsNull(0, 1)) return done(Fail("social.member_not_found"));
                if (r->IsNull(0, 2)) return done(Fail("forbidden"));
                done(std::string(r->GetString(0, 2)));
              });
}

void SocialService::Kick(std::string actor, std::string group_id, std::string target,
                         DoneCallback done) {
  if (!IsCanonicalUuid(group_id) || !IsCanonicalUuid(target)) {
    return FailLater(std::move(done), "social.member_not_found");
  }
  db_.Execute(sql::kKick, {Param::Uuid(group_id), Param::Uuid(actor), Param::Uuid(target)},
              [done = std::move(done)](db::DbResult<db::PgResult> r) {
                if (!r.ok()) return done(Fail(SocialDbReason(r.error())));
                if (r->rows() != 1) return done(Fail("internal"));
                if (r->IsNull(0, 0) || RoleRank(r->GetString(0, 0)) < RoleRank("moderator")) {
                  return done(Fail("forbidden"));
                }
                if (r->IsNull(0, 1)) return done(Fail("social.member_not_found"));
                if (r->GetInt64(0, 2).value_or(0) == 0) return done(Fail("forbidden"));
                done(true);
              });
}

}  // namespace asobi::social
