// SocialService's lookups for other domains against a real PostgreSQL (websocket.md §8.1
// `room:` channels, rest.md §3.3 DM blocking): IsMember follows joins, leaves and kicks;
// Blocks is true only for the row (player_id = recipient, friend_id = sender) with status
// `blocked`; ids that are not canonical UUIDs are false without a database round trip.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>

#include "base/uuid.h"
#include "db/migrations.h"
#include "game/social/social_service.h"
#include "loop_thread.h"
#include "protocol/json_value.h"
#include "test_db.h"

namespace asobi::social {
namespace {

using db::testing::QueryValue;
using db::testing::ScratchDatabase;

class MembershipTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::make_unique<ScratchDatabase>();
    Status s = db::RunMigrations(db_->conninfo(), db::DefaultMigrationsDir());
    ASSERT_TRUE(s.ok()) << s.error().message;
    loop_.Sync([this] {
      db::PgConnection::Options opts;
      opts.conninfo = db_->conninfo();
      conn_ = std::make_unique<db::PgConnection>(&loop_.reactor(), opts);
      conn_->Start();
      service_ = std::make_unique<SocialService>(loop_.reactor(), *conn_);
    });
  }
  void TearDown() override {
    loop_.Sync([this] {
      service_.reset();
      conn_.reset();
    });
    loop_.Stop();
    db_.reset();
  }

  std::string Q(const std::string& sql) { return QueryValue(db_->conninfo(), sql); }
  std::string NewPlayer(const std::string& name) {
    std::string id = NewUuidV7();
    Q("INSERT INTO players (id, username, inserted_at, updated_at) VALUES ('" + id + "', '" + name +
      "', now(), now())");
    return id;
  }
  template <typename T, typename Start>
  Result<T> Run(Start start) {
    auto out = loop_.Await<Result<T>>(
        [&](std::function<void(Result<T>)> done) { start(*service_, std::move(done)); });
    return out ? std::move(*out) : Result<T>(MakeError("no_answer"));
  }
  bool IsMember(const std::string& g, const std::string& p) {
    auto r = Run<bool>([&](SocialService& s, DoneCallback d) { s.IsMember(g, p, std::move(d)); });
    EXPECT_TRUE(r.ok());
    return r.ok() && r.value();
  }
  bool Blocks(const std::string& recipient, const std::string& sender) {
    auto r = Run<bool>(
        [&](SocialService& s, DoneCallback d) { s.Blocks(recipient, sender, std::move(d)); });
    EXPECT_TRUE(r.ok());
    return r.ok() && r.value();
  }

  std::unique_ptr<ScratchDatabase> db_;
  asobi::testing::LoopThread loop_;
  std::unique_ptr<db::PgConnection> conn_;  // loop thread
  std::unique_ptr<SocialService> service_;  // loop thread
};

TEST_F(MembershipTest, IsMemberFollowsJoinLeaveAndKick) {
  const std::string owner = NewPlayer("m_owner");
  const std::string p = NewPlayer("m_p");
  auto made = Run<std::string>([&](SocialService& s, JsonCallback d) {
    s.CreateGroup(owner, "room", std::nullopt, 10, true, std::move(d));
  });
  ASSERT_TRUE(made.ok()) << made.error().reason;
  simdjson::dom::parser parser;
  simdjson::dom::element row;
  ASSERT_EQ(parser.parse(made.value()).get(row), simdjson::SUCCESS);
  const std::string g(GetString(row, "id").value_or(""));
  EXPECT_TRUE(IsMember(g, owner));
  EXPECT_FALSE(IsMember(g, p));
  ASSERT_TRUE(
      Run<bool>([&](SocialService& s, DoneCallback d) { s.JoinGroup(p, g, std::move(d)); }).ok());
  EXPECT_TRUE(IsMember(g, p));
  ASSERT_TRUE(
      Run<bool>([&](SocialService& s, DoneCallback d) { s.LeaveGroup(p, g, std::move(d)); }).ok());
  EXPECT_FALSE(IsMember(g, p));
  ASSERT_TRUE(
      Run<bool>([&](SocialService& s, DoneCallback d) { s.JoinGroup(p, g, std::move(d)); }).ok());
  ASSERT_TRUE(
      Run<bool>([&](SocialService& s, DoneCallback d) { s.Kick(owner, g, p, std::move(d)); }).ok());
  EXPECT_FALSE(IsMember(g, p));
  // Not canonical: false, never an error.
  std::string upper = g;
  for (char& c : upper) c = char(toupper(static_cast<unsigned char>(c)));
  EXPECT_FALSE(IsMember(upper, owner));
  EXPECT_FALSE(IsMember("room", owner));
  EXPECT_FALSE(IsMember(NewUuidV7(), owner));
}

TEST_F(MembershipTest, BlocksIsTheBlockedRowFromRecipientToSender) {
  const std::string a = NewPlayer("b_a");
  const std::string b = NewPlayer("b_b");
  EXPECT_FALSE(Blocks(a, b));
  // a's request to b is the row (a, b); b answers it with `blocked`.
  ASSERT_TRUE(Run<std::string>([&](SocialService& s, JsonCallback d) {
                s.RequestFriend(a, b, std::move(d));
              }).ok());
  EXPECT_FALSE(Blocks(a, b));
  ASSERT_TRUE(Run<std::string>([&](SocialService& s, JsonCallback d) {
                s.UpdateFriend(b, a, "blocked", std::move(d));
              }).ok());
  EXPECT_TRUE(Blocks(a, b));
  EXPECT_FALSE(Blocks(b, a));
  ASSERT_TRUE(Run<std::string>([&](SocialService& s, JsonCallback d) {
                s.UpdateFriend(b, a, "accepted", std::move(d));
              }).ok());
  EXPECT_FALSE(Blocks(a, b));
  EXPECT_FALSE(Blocks("a", b));
}

}  // namespace
}  // namespace asobi::social
