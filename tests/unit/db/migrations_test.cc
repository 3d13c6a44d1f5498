// Migrations against a real PostgreSQL: apply, idempotence, concurrent start-up, the schema
// of rest.md §5, and malformed migration directories.
#include "db/migrations.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <thread>

#include "test_db.h"

namespace asobi::db {
namespace {

using testing::QueryValue;
using testing::ScratchDatabase;

size_t MigrationFileCount() {
  auto files = ListMigrations(DefaultMigrationsDir());
  EXPECT_TRUE(files.ok());
  return files.ok() ? files->size() : 0;
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/asobi_migrations_XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf " + path_).c_str()); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(path_ + "/" + name) << text;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(Migrations, ApplyOnceThenNothingToDo) {
  ScratchDatabase db;
  int applied = -1;
  Status s = RunMigrations(db.conninfo(), DefaultMigrationsDir(), &applied);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(size_t(applied), MigrationFileCount());
  EXPECT_GE(applied, 2);
  s = RunMigrations(db.conninfo(), DefaultMigrationsDir(), &applied);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(applied, 0);
  EXPECT_EQ(QueryValue(db.conninfo(), "SELECT count(*) FROM schema_migrations"),
            std::to_string(MigrationFileCount()));
  EXPECT_EQ(QueryValue(db.conninfo(), "SELECT min(version) FROM schema_migrations"),
            "20260329120000");
}

TEST(Migrations, ConcurrentRunsApplyEachFileOnce) {
  ScratchDatabase db;
  int applied_a = -1, applied_b = -1;
  Status a = Ok{}, b = Ok{};
  std::thread ta([&] { a = RunMigrations(db.conninfo(), DefaultMigrationsDir(), &applied_a); });
  std::thread tb([&] { b = RunMigrations(db.conninfo(), DefaultMigrationsDir(), &applied_b); });
  ta.join();
  tb.join();
  ASSERT_TRUE(a.ok()) << a.error().message;
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(size_t(applied_a + applied_b), MigrationFileCount());
  EXPECT_TRUE(applied_a == 0 || applied_b == 0);
  EXPECT_EQ(QueryValue(db.conninfo(), "SELECT count(*) FROM schema_migrations"),
            std::to_string(MigrationFileCount()));
}

TEST(Migrations, SchemaMatchesSpec) {
  ScratchDatabase db;
  ASSERT_TRUE(RunMigrations(db.conninfo(), DefaultMigrationsDir()).ok());
  auto q = [&](const std::string& sql) { return QueryValue(db.conninfo(), sql); };
  EXPECT_EQ(q("SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes "
              "WHERE tablename IN ('players','player_tokens','player_identities',"
              "'player_stats','match_records') AND indexname LIKE '%_index'"),
            "match_records_mode_index,match_records_status_index,"
            "player_identities_player_id_index,player_identities_provider_provider_uid_index,"
            "player_tokens_family_id_index,player_tokens_inserted_at_index,"
            "player_tokens_token_context_index,player_tokens_user_id_index,"
            // The ops player list (docs/decisions.md "Ops player list: keyset cursor, …").
            "players_display_name_trgm_index,players_inserted_at_id_index,"
            "players_updated_at_id_index,players_username_index,players_username_trgm_index");
  EXPECT_EQ(q("SELECT indexdef LIKE 'CREATE UNIQUE%' FROM pg_indexes "
              "WHERE indexname = 'player_identities_provider_provider_uid_index'"),
            "t");
  EXPECT_EQ(q("SELECT data_type || ':' || coalesce(character_maximum_length::text, '') || ':' "
              "|| is_nullable FROM information_schema.columns "
              "WHERE table_name = 'players' AND column_name = 'username'"),
            "character varying:255:NO");
  EXPECT_EQ(q("SELECT column_default FROM information_schema.columns "
              "WHERE table_name = 'player_stats' AND column_name = 'rating'"),
            "1500");
  EXPECT_EQ(q("SELECT column_default FROM information_schema.columns "
              "WHERE table_name = 'match_records' AND column_name = 'players'"),
            "'[]'::jsonb");
  // rest.md §5: every foreign key is ON DELETE NO ACTION (erasure deletes children itself).
  EXPECT_EQ(q("SELECT count(*) FROM information_schema.referential_constraints "
              "WHERE delete_rule <> 'NO ACTION'"),
            "0");
  EXPECT_EQ(q("SELECT count(*) FROM information_schema.referential_constraints "
              "WHERE constraint_name = 'friendships_friend_id_fkey' AND delete_rule = 'NO ACTION'"),
            "1");
  EXPECT_EQ(q("SELECT data_type FROM information_schema.columns "
              "WHERE table_name = 'schema_migrations' AND column_name = 'inserted_at'"),
            "timestamp without time zone");
}

TEST(Migrations, FailingFileRollsBackAndReportsIt) {
  ScratchDatabase db;
  TempDir dir;
  dir.Write("20200101000000_first.sql", "CREATE TABLE first_t (a INTEGER);");
  dir.Write("20200101000001_second.sql",
            "CREATE TABLE second_t (a INTEGER); INSERT INTO nowhere VALUES (1);");
  dir.Write("README.md", "ignored");
  Status s = RunMigrations(db.conninfo(), dir.path());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().reason, "migration_failed");
  EXPECT_NE(s.error().message.find("20200101000001_second.sql"), std::string::npos);
  EXPECT_EQ(QueryValue(db.conninfo(),
                       "SELECT string_agg(version::text, ',') FROM "
                       "schema_migrations"),
            "20200101000000");
  EXPECT_EQ(QueryValue(db.conninfo(),
                       "SELECT count(*) FROM pg_tables WHERE tablename IN "
                       "('first_t', 'second_t')"),
            "1");
}

TEST(Migrations, MalformedDirectoriesAreRejected) {
  ScratchDatabase db;
  {
    TempDir dir;
    dir.Write("2020_short.sql", "SELECT 1;");
    auto s = RunMigrations(db.conninfo(), dir.path());
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("2020_short.sql"), std::string::npos);
  }
  {
    TempDir dir;
    dir.Write("20200101000000_a.sql", "SELECT 1;");
    dir.Write("20200101000000_b.sql", "SELECT 1;");
    EXPECT_FALSE(RunMigrations(db.conninfo(), dir.path()).ok());
  }
  {
    TempDir dir;
    dir.Write("20200101000000_Upper.sql", "SELECT 1;");
    EXPECT_FALSE(ListMigrations(dir.path()).ok());
  }
  EXPECT_FALSE(RunMigrations(db.conninfo(), "/nonexistent/dir").ok());
  EXPECT_FALSE(
      RunMigrations("host=127.0.0.1 port=1 connect_timeout=2", DefaultMigrationsDir()).ok());
}

}  // namespace
}  // namespace asobi::db
