// NotificationService against a real PostgreSQL (rest.md §3.10, websocket.md §8.7, lua.md §9;
// docs/decisions.md "Notifications"): Notify stores one row per distinct existing player in
// one INSERT and hands each stored row to GameShard::send_to_player as a `notification.new`
// frame; without the hook it stores and pushes nothing; bad text and too many players are
// refused before the database.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/uuid.h"
#include "db/migrations.h"
#include "game/notification/notification_service.h"
#include "loop_thread.h"
#include "protocol/json_value.h"
#include "test_db.h"

namespace asobi::notification {
namespace {

using db::testing::QueryValue;
using db::testing::ScratchDatabase;

struct Pushed {
  std::string player_id;
  std::string frame;
};

class PushTest : public ::testing::Test {
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
      game_.send_to_player = [this](std::string_view player, std::string_view frame) {
        pushed_.push_back({std::string(player), std::string(frame)});
      };
      service_ = std::make_unique<NotificationService>(loop_.reactor(), *conn_, game_);
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
  Result<std::vector<StoredNotification>> Notify(std::vector<std::string> ids,
                                                 std::string type = "gift",
                                                 std::string subject = "Hello",
                                                 std::string content = R"({"coins":5})") {
    auto out = loop_.Await<Result<std::vector<StoredNotification>>>(
        [&](std::function<void(Result<std::vector<StoredNotification>>)> done) {
          service_->Notify(ids, type, subject, content, std::move(done));
        });
    return out ? std::move(*out) : Result<std::vector<StoredNotification>>(MakeError("none"));
  }
  std::vector<Pushed> TakePushed() {
    std::vector<Pushed> out;
    loop_.Sync([&] { out.swap(pushed_); });
    return out;
  }

  std::unique_ptr<ScratchDatabase> db_;
  asobi::testing::LoopThread loop_;
  GameShard game_;                                // loop thread
  std::vector<Pushed> pushed_;                    // loop thread
  std::unique_ptr<db::PgConnection> conn_;        // loop thread
  std::unique_ptr<NotificationService> service_;  // loop thread
};

TEST_F(PushTest, StoredRowsArePushedAsNotificationNew) {
  const std::string a = NewPlayer("push_a");
  const std::string b = NewPlayer("push_b");
  auto r = Notify({a, b, a, "not-a-uuid", NewUuidV7()});
  ASSERT_TRUE(r.ok()) << r.error().reason;
  ASSERT_EQ(r->size(), 2u);  // duplicates once, unknown and malformed ids skipped
  EXPECT_EQ(Q("SELECT count(*) FROM notifications"), "2");
  std::vector<Pushed> pushed = TakePushed();
  ASSERT_EQ(pushed.size(), 2u);
  for (size_t i = 0; i < pushed.size(); ++i) {
    EXPECT_EQ(pushed[i].player_id, (*r)[i].player_id);
    EXPECT_EQ(pushed[i].frame, R"({"type":"notification.new","payload":)" + (*r)[i].row_json + "}");
    simdjson::dom::parser parser;
    simdjson::dom::element row;
    ASSERT_EQ(parser.parse(pushed[i].frame).get(row), simdjson::SUCCESS);
    simdjson::dom::element payload = row["payload"];
    EXPECT_EQ(GetString(payload, "player_id").value_or(""), pushed[i].player_id);
    EXPECT_EQ(GetString(payload, "type").value_or(""), "gift");
    EXPECT_EQ(GetString(payload, "subject").value_or(""), "Hello");
    EXPECT_EQ(GetBool(payload, "read"), false);
    EXPECT_EQ(ToJson(*GetField(payload, "content")), R"({"coins":5})");
    std::string id(GetString(payload, "id").value_or(""));
    EXPECT_TRUE(IsCanonicalUuid(id));
    EXPECT_EQ(Q("SELECT player_id FROM notifications WHERE id = '" + id + "'"),
              pushed[i].player_id);
    EXPECT_EQ(GetString(payload, "sent_at").value_or("").size(), 24u);
  }
  EXPECT_NE(pushed[0].player_id, pushed[1].player_id);
}

TEST_F(PushTest, WithoutTheDirectoryRowsAreStoredAndNothingIsPushed) {
  const std::string a = NewPlayer("push_c");
  loop_.Sync([this] { game_.send_to_player = nullptr; });
  auto r = Notify({a});
  ASSERT_TRUE(r.ok()) << r.error().reason;
  EXPECT_EQ(r->size(), 1u);
  EXPECT_EQ(Q("SELECT count(*) FROM notifications WHERE player_id = '" + a + "'"), "1");
  EXPECT_TRUE(TakePushed().empty());
}

TEST_F(PushTest, BadInputIsRefusedBeforeTheDatabase) {
  const std::string a = NewPlayer("push_d");
  EXPECT_EQ(Notify({a}, "").error().reason, "invalid_type");
  EXPECT_EQ(Notify({a}, std::string(256, 't')).error().reason, "invalid_type");
  EXPECT_EQ(Notify({a}, "t", "").error().reason, "invalid_subject");
  EXPECT_EQ(Notify({a}, "t", "\xff\xfe").error().reason, "invalid_subject");
  EXPECT_EQ(Notify(std::vector<std::string>(kNotifyPlayersMax + 1, a)).error().reason,
            "too_many_players");
  auto full = Notify(std::vector<std::string>(kNotifyPlayersMax, a));
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->size(), 1u);
  auto none = Notify({});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(Q("SELECT count(*) FROM notifications"), "1");
  EXPECT_EQ(TakePushed().size(), 1u);
}

}  // namespace
}  // namespace asobi::notification
