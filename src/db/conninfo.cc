#include "db/conninfo.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <cstring>

namespace asobi::db {
namespace {

const char* EnvOrNull(const char* key) {
  const char* v = std::getenv(key);
  return (v && *v) ? v : nullptr;
}

void AppendQuoted(std::string& out, std::string_view key, std::string_view value) {
  if (!out.empty()) out += ' ';
  out += key;
  out += "='";
  for (char c : value) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  out += '\'';
}

}  // namespace

DbSettings DbSettingsFromEnv() {
  DbSettings s;
  if (const char* v = EnvOrNull("ASOBI_DB_HOST")) s.host = v;
  if (const char* v = EnvOrNull("ASOBI_DB_PORT")) {
    int port = 0;
    auto r = std::from_chars(v, v + std::strlen(v), port);
    if (r.ec == std::errc() && *r.ptr == '\0' && port > 0 && port < 65536) s.port = port;
  }
  if (const char* v = EnvOrNull("ASOBI_DB_NAME")) s.name = v;
  if (const char* v = EnvOrNull("ASOBI_DB_USER")) s.user = v;
  if (const char* v = EnvOrNull("ASOBI_DB_PASSWORD")) s.password = v;
  return s;
}

bool DbEnvPresent() { return EnvOrNull("ASOBI_DB_HOST") != nullptr; }

std::string BuildConninfo(std::string_view host, int port, std::string_view name,
                          std::string_view user, std::string_view password,
                          std::string_view options) {
  std::string out;
  AppendQuoted(out, "host", host);
  AppendQuoted(out, "port", std::to_string(port));
  AppendQuoted(out, "dbname", name);
  AppendQuoted(out, "user", user);
  if (!password.empty()) AppendQuoted(out, "password", password);
  if (!options.empty()) AppendQuoted(out, "options", options);
  AppendQuoted(out, "application_name", "asobi");
  return out;
}

std::string SessionTimeoutOptions(int64_t statement_timeout_ms, int64_t lock_timeout_ms) {
  return "-c statement_timeout=" + std::to_string(std::max<int64_t>(0, statement_timeout_ms)) +
         " -c lock_timeout=" + std::to_string(std::max<int64_t>(0, lock_timeout_ms));
}

}  // namespace asobi::db
