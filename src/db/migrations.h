// Schema migrations (rest.md §5): versioned SQL files applied in order at start-up, tracked in
// schema_migrations(version BIGINT PRIMARY KEY, inserted_at TIMESTAMP NOT NULL DEFAULT
// CURRENT_TIMESTAMP).
//
// Files live in one directory, named NNNNNNNNNNNNNN_name.sql (14-digit timestamp version,
// lower-case name). Each file is applied inside its own transaction together with its
// schema_migrations row, so it must not contain BEGIN/COMMIT or statements that cannot run in
// a transaction (CREATE INDEX CONCURRENTLY, VACUUM). Other files in the directory are ignored.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"

namespace asobi::db {

/// The advisory-lock key every migrating process takes ('asobi' as a big-endian integer).
inline constexpr int64_t kMigrationLockKey = 418548507241;

/// The migrations directory of the source tree, baked in at build time
/// (meson define ASOBI_MIGRATIONS_DIR). The server's --migrations-dir overrides it.
const char* DefaultMigrationsDir();

/// One migration file.
struct MigrationFile {
  int64_t version = 0;  // the 14-digit timestamp
  std::string name;     // file name
  std::string path;     // full path
};

/// Lists `dir`'s migration files sorted by version. Errors (reason `migration_failed`): the
/// directory cannot be read, a `*.sql` file has a malformed name, or two share a version.
Result<std::vector<MigrationFile>> ListMigrations(const std::string& dir);

/// Applies every migration in `dir` that schema_migrations does not list yet, in version
/// order, each in its own transaction. Blocking (plain libpq): call it on the main thread
/// before the shards start. Safe when several processes start at once: the whole run holds
/// pg_advisory_lock(kMigrationLockKey), so the others wait and then find nothing to do.
/// `applied` (optional) receives how many files were applied. Errors: reason
/// `migration_failed`, message naming the file and the server's error; nothing of the
/// failing file is applied (earlier files stay applied).
Status RunMigrations(const std::string& conninfo, const std::string& dir, int* applied = nullptr);

}  // namespace asobi::db
