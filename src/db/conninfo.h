// Connection settings for PostgreSQL (rest.md §5; upstream's ASOBI_DB_* environment names).
#pragma once

#include <string>
#include <string_view>

namespace asobi::db {

/// Where the database is. `host` is a host name, an IP address, or (starting with '/') a
/// unix-socket directory, as libpq understands it.
struct DbSettings {
  std::string host = "localhost";
  int port = 5432;
  std::string name = "asobi";
  std::string user = "postgres";
  std::string password;
  /// libpq `options` (server settings for every session, e.g. SessionTimeoutOptions()).
  std::string options;
};

/// Reads ASOBI_DB_HOST, ASOBI_DB_PORT, ASOBI_DB_NAME, ASOBI_DB_USER, ASOBI_DB_PASSWORD; unset
/// or empty variables keep the DbSettings defaults (an unparsable port too). Not thread-safe
/// against concurrent setenv (call at start-up).
DbSettings DbSettingsFromEnv();

/// True when ASOBI_DB_HOST is set and non-empty (tests and benches use this to decide whether
/// a database was provided).
bool DbEnvPresent();

/// A libpq conninfo string (`host='..' port='..' dbname='..' user='..'` plus `password='..'`
/// and `options='..'` when non-empty) with every value single-quoted and `\` and `'`
/// escaped, so any bytes in the values are safe. Also sets application_name='asobi'.
std::string BuildConninfo(std::string_view host, int port, std::string_view name,
                          std::string_view user, std::string_view password,
                          std::string_view options = {});
/// Same, from parsed settings.
inline std::string BuildConninfo(const DbSettings& s) {
  return BuildConninfo(s.host, s.port, s.name, s.user, s.password, s.options);
}

/// libpq `options` that bound every statement of a session on the server side:
/// `-c statement_timeout=<ms> -c lock_timeout=<ms>` (0 = that bound off). The server then
/// cancels a statement past the bound (SQLSTATE 57014 / 55P03, reason db_timeout).
std::string SessionTimeoutOptions(int64_t statement_timeout_ms, int64_t lock_timeout_ms);

}  // namespace asobi::db
