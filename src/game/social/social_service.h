// SocialService: friendships, groups and group roles (rest.md §3.3, §5). One instance per
// shard on top of that shard's pipelined PostgreSQL connection; every method and callback runs
// on the calling shard. There is no owner shard: each operation is one statement (or one
// transaction unit) whose conditions PostgreSQL checks against the rows it changes, so the
// same operation may run on any shard (docs/decisions.md "Social").
//
// Error reasons (Error::reason) are rest.md §1.3 codes, ready for the HTTP layer:
// social.cannot_friend_self, social.friend_not_found, social.already_friend,
// social.friendship_not_found, social.group_not_found, social.group_closed,
// social.group_full, social.already_member, social.invalid_role, social.member_not_found,
// forbidden, not_ready (database unreachable, overloaded or past its deadline), internal.
//
// Ids that are not canonical lowercase UUIDs never reach PostgreSQL: they answer the
// operation's not-found outcome (rest.md §1.5).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "db/pg_connection.h"
#include "reactor/reactor.h"

namespace asobi::social {

/// Group name bytes (rest.md §3.3: 2-64).
inline constexpr size_t kGroupNameMin = 2;
inline constexpr size_t kGroupNameMax = 64;
/// Group description bytes (DECISIONS.md REST 6).
inline constexpr size_t kGroupDescriptionMax = 1024;
/// max_members bounds (docs/decisions.md "Social"); also the most rows a members list shows.
inline constexpr int64_t kGroupMembersMax = 1000;

/// Role names and ranks (rest.md §3.3): owner 100 > admin 75 > moderator 50 > member 0.
/// -1 for a name that is not a role.
int RoleRank(std::string_view role);

/// A JSON object (one row) or a JSON array of rows, as the spec's columns.
using JsonCallback = std::function<void(Result<std::string>)>;
/// Success without a body.
using DoneCallback = std::function<void(Result<bool>)>;

/// Changes of PUT /groups/:id; absent members stay as they are.
struct GroupChanges {
  std::optional<std::string> name;
  bool set_description = false;
  std::optional<std::string> description;  // with set_description: nullopt clears it
  std::optional<int32_t> max_members;
  std::optional<bool> open;
};

/// One per shard, borrowing that shard's PgConnection; shard-affine.
class SocialService {
 public:
  /// Construct on the shard's own thread (it becomes that thread's OnThisShard()). `reactor`
  /// and `db` (the shard's) must outlive the service. Callbacks never run inside the call.
  SocialService(Reactor& reactor, db::PgConnection& db);
  ~SocialService();
  SocialService(const SocialService&) = delete;
  SocialService& operator=(const SocialService&) = delete;

  /// The calling shard thread's service, or null (no database, or not a shard thread).
  static SocialService* OnThisShard();

  /// `player_id`'s outgoing friendship rows (optionally of one status), oldest first, at
  /// most `limit`, as a JSON array.
  void Friends(std::string player_id, std::optional<std::string> status, int limit,
               JsonCallback done);
  /// A pending request from `player_id` to `friend_id`; an existing row is returned as is.
  /// Errors: social.cannot_friend_self, social.friend_not_found (unknown or not a UUID),
  /// social.already_friend (a concurrent request inserted the row first).
  void RequestFriend(std::string player_id, std::string friend_id, JsonCallback done);
  /// Sets the status of the row (player_id = `requester`, friend_id = `caller`): the target
  /// of a request answers it. `status` must be pending/accepted/blocked (checked by the
  /// caller). Errors: social.friendship_not_found.
  void UpdateFriend(std::string caller, std::string requester, std::string status,
                    JsonCallback done);
  /// Whether the row (player_id = `requester`, friend_id = `caller`) exists; false for
  /// non-UUIDs.
  void FriendshipExists(std::string caller, std::string requester, DoneCallback done);
  /// Deletes the caller's outgoing row to `friend_id`. Errors: social.friendship_not_found.
  void RemoveFriend(std::string player_id, std::string friend_id, DoneCallback done);

  /// Creates a group (inputs checked by the caller) with `creator_id` as its owner, in one
  /// transaction; answers the group row.
  void CreateGroup(std::string creator_id, std::string name, std::optional<std::string> description,
                   int32_t max_members, bool open, JsonCallback done);
  /// The group row. Errors: social.group_not_found.
  void GetGroup(std::string group_id, JsonCallback done);
  /// Applies `changes` when `actor` ranks admin or above. Errors: social.group_not_found,
  /// forbidden.
  void UpdateGroup(std::string actor, std::string group_id, GroupChanges changes,
                   JsonCallback done);
  /// Joins as `member` under the group row's lock (the count never passes max_members).
  /// Errors: social.group_not_found, social.group_closed, social.already_member,
  /// social.group_full.
  void JoinGroup(std::string player_id, std::string group_id, DoneCallback done);
  /// Leaves the group; succeeds whether or not the player was a member.
  void LeaveGroup(std::string player_id, std::string group_id, DoneCallback done);
  /// The group's member rows as a JSON array, oldest member first (`[]` for an unknown
  /// group), at most kGroupMembersMax.
  void Members(std::string group_id, JsonCallback done);
  /// Sets `target`'s role: `actor` ranks admin or above, above the new role and above the
  /// target's current role; `role` is admin, moderator or member. Errors:
  /// social.invalid_role, forbidden, social.member_not_found.
  void SetRole(std::string actor, std::string group_id, std::string target, std::string role,
               JsonCallback done);
  /// Removes `target` from the group: `actor` ranks moderator or above and above the
  /// target. Errors: forbidden, social.member_not_found.
  void Kick(std::string actor, std::string group_id, std::string target, DoneCallback done);

  /// For other domains (chat `room:<group id>` ACL, websocket.md §8.1): whether `player_id` is
  /// a member of `group_id`; false for ids that are not canonical UUIDs.
  void IsMember(std::string group_id, std::string player_id, DoneCallback done);
  /// For other domains (DM blocking, rest.md §3.3): whether `recipient` blocked `sender`, i.e.
  /// the row (player_id = recipient, friend_id = sender) has status `blocked`.
  void Blocks(std::string recipient, std::string sender, DoneCallback done);

 private:
  template <typename T>
  void FailLater(std::function<void(Result<T>)> done, std::string_view reason);
  void Exists(const db::Statement& stmt, std::string a, std::string b, DoneCallback done);

  Reactor& reactor_;
  db::PgConnection& db_;
};

/// Maps a database error to a reason: not_ready when the database is unreachable,
/// overloaded or timed out; internal otherwise.
std::string_view SocialDbReason(const db::PgError& e);

}  // namespace asobi::social
