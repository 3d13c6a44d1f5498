// StorageService: player storage objects over REST (rest.md §3.9 storage). One per shard on
// that shard's PostgreSQL connection. A (collection, key) belongs to its first HTTP writer;
// writes of one (collection, key) are serialised by an advisory lock, so two first writers
// cannot both become owners. Every callback runs on the calling shard.
//
// Error reasons: not_found, forbidden, conflict (several player rows under the key: scripts
// wrote them), not_ready, internal.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "base/result.h"
#include "db/pg_connection.h"

namespace asobi::saves {

inline constexpr size_t kMaxStorageValueBytes = 262144;  // encoded `value` (rest.md §3.9)
inline constexpr size_t kMaxStorageNameBytes = 255;      // collection and key columns

/// Completion with JSON text (see each method), or an error; runs on the calling shard.
using StorageCallback = std::function<void(Result<std::string>)>;

/// One per shard, borrowing that shard's PgConnection; shard-affine.
class StorageService {
 public:
  /// `db` (the shard's connection) must outlive the service.
  explicit StorageService(db::PgConnection& db) : db_(db) {}

  /// Readable objects of `collection` (public, or the caller's) as a JSON array, by key.
  void List(std::string collection, std::string caller, int limit, StorageCallback done);
  /// The object as JSON. Errors: not_found, forbidden (owner-only read of another player's),
  /// conflict.
  void Get(std::string collection, std::string key, std::string caller, StorageCallback done);
  /// Creates (owner = caller) or updates the object; perms nullopt = unchanged (default
  /// `owner` on create). Errors: forbidden, conflict.
  void Put(std::string collection, std::string key, std::string caller, std::string value_json,
           std::optional<std::string> read_perm, std::optional<std::string> write_perm,
           StorageCallback done);
  /// Deletes the object. Errors: not_found, forbidden, conflict.
  void Delete(std::string collection, std::string key, std::string caller,
              std::function<void(Status)> done);

 private:
  db::PgConnection& db_;
};

}  // namespace asobi::saves
