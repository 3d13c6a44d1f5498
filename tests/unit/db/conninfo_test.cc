// BuildConninfo / DbSettingsFromEnv (no database needed).
#include "db/conninfo.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <stdlib.h>

#include <map>
#include <string>

namespace asobi::db {
namespace {

std::map<std::string, std::string> Parse(const std::string& conninfo) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &err);
  std::map<std::string, std::string> out;
  if (opts == nullptr) {
    ADD_FAILURE() << (err ? err : "parse failed");
    PQfreemem(err);
    return out;
  }
  for (PQconninfoOption* o = opts; o->keyword; ++o) {
    if (o->val) out[o->keyword] = o->val;
  }
  PQconninfoFree(opts);
  return out;
}

TEST(Conninfo, QuotesEveryValue) {
  auto kv =
      Parse(BuildConninfo("/tmp/sock dir", 55432, "my db", "o'neil", "p@ss w\\ord' host=evil"));
  EXPECT_EQ(kv["host"], "/tmp/sock dir");
  EXPECT_EQ(kv["port"], "55432");
  EXPECT_EQ(kv["dbname"], "my db");
  EXPECT_EQ(kv["user"], "o'neil");
  EXPECT_EQ(kv["password"], "p@ss w\\ord' host=evil");
  EXPECT_EQ(kv["application_name"], "asobi");
}

TEST(Conninfo, EmptyPasswordIsOmitted) {
  auto kv = Parse(BuildConninfo("127.0.0.1", 5432, "asobi", "asobi", ""));
  EXPECT_EQ(kv.count("password"), 0u);
}

TEST(Conninfo, SessionTimeoutsTravelAsServerOptions) {
  auto kv = Parse(
      BuildConninfo("127.0.0.1", 5432, "asobi", "asobi", "", SessionTimeoutOptions(1500, 750)));
  EXPECT_EQ(kv["options"], "-c statement_timeout=1500 -c lock_timeout=750");
  EXPECT_EQ(kv.count("options"), 1u);
  EXPECT_EQ(Parse(BuildConninfo("h", 1, "d", "u", "")).count("options"), 0u);
  EXPECT_EQ(SessionTimeoutOptions(-5, 0), "-c statement_timeout=0 -c lock_timeout=0");
}

TEST(Conninfo, SettingsFromEnv) {
  setenv("ASOBI_DB_HOST", "db.internal", 1);
  setenv("ASOBI_DB_PORT", "6543", 1);
  setenv("ASOBI_DB_NAME", "game", 1);
  setenv("ASOBI_DB_USER", "svc", 1);
  setenv("ASOBI_DB_PASSWORD", "secret", 1);
  DbSettings s = DbSettingsFromEnv();
  EXPECT_TRUE(DbEnvPresent());
  EXPECT_EQ(s.host, "db.internal");
  EXPECT_EQ(s.port, 6543);
  EXPECT_EQ(s.name, "game");
  EXPECT_EQ(s.user, "svc");
  EXPECT_EQ(s.password, "secret");
  setenv("ASOBI_DB_PORT", "99999x", 1);  // malformed: default kept
  EXPECT_EQ(DbSettingsFromEnv().port, 5432);
  for (const char* k :
       {"ASOBI_DB_HOST", "ASOBI_DB_PORT", "ASOBI_DB_NAME", "ASOBI_DB_USER", "ASOBI_DB_PASSWORD"}) {
    unsetenv(k);
  }
  EXPECT_FALSE(DbEnvPresent());
  EXPECT_EQ(DbSettingsFromEnv().host, "localhost");
}

}  // namespace
}  // namespace asobi::db
